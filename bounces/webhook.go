package bounces

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"masthead/subscribers"
)

// The webhook's sources: reports a mail provider posts to masthead's
// webhook, in masthead's own JSON or as Amazon SES notifications delivered by
// SNS (ses.go). Each becomes a Report like the ones read from a mailbox and
// goes through the same Apply, under the same policy.

// ownReport is masthead's own JSON form of one report.
type ownReport struct {
	// ID names the report (the bounce message's Message-ID, a provider's
	// event id): a report with an ID is applied once however often it is
	// posted. Without one, every post counts.
	ID     string `json:"id"`
	Type   string `json:"type"` // "bounce" or "complaint"
	Email  string `json:"email"`
	Hard   bool   `json:"hard"` // a bounce that will not get better (5xx, unknown user)
	Detail string `json:"detail"`
}

// ParseWebhook reads a body posted to the bounce webhook: masthead's own JSON
// (one report or a list of them), or an SNS message with an SES notification
// (sns: the request said so in X-Amz-Sns-Message-Type; an envelope without
// the header is recognised as well). The reports it returns are Direct: they
// name the addresses the provider sent to. A body that is neither gives an
// error saying why, fit to show the poster. Nothing is applied here.
func ParseWebhook(body []byte, sns bool, log *slog.Logger) ([]*Report, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if sns || isSNS(body) {
		return snsReports(body, log)
	}
	return ownReports(body)
}

// ownReports parses masthead's JSON: one report or a list of them. Every
// entry must be well formed, or none is taken.
func ownReports(body []byte) ([]*Report, error) {
	var list []ownReport
	if t := strings.TrimSpace(string(body)); strings.HasPrefix(t, "[") {
		if json.Unmarshal(body, &list) != nil {
			return nil, errors.New("the body is not a JSON list of reports")
		}
	} else {
		var one ownReport
		if json.Unmarshal(body, &one) != nil {
			return nil, errors.New("the body is not a JSON report")
		}
		list = []ownReport{one}
	}
	out := make([]*Report, 0, len(list))
	for i, r := range list {
		kind := Soft
		switch {
		case r.Type == "complaint":
			kind = Complaint
		case r.Type != "bounce":
			return nil, fmt.Errorf("report %d: type %q is not bounce or complaint", i+1, r.Type)
		case r.Hard:
			kind = Hard
		}
		if _, err := subscribers.Normalize(r.Email); err != nil {
			return nil, fmt.Errorf("report %d: email: %w", i+1, err)
		}
		id := r.ID
		if id == "" {
			var b [12]byte
			rand.Read(b[:])
			id = "webhook:" + hex.EncodeToString(b[:])
		}
		out = append(out, &Report{ID: id, Type: TypeWebhook, Direct: true,
			Recipients: []Recipient{{Kind: kind, Final: r.Email, Detail: oneLine(r.Detail)}}})
	}
	return out, nil
}
