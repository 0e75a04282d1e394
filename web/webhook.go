package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"masthead/ledger"
	"masthead/subscribers"
)

// WebhookSecret is the webhook's secret: the configured one
// (MASTHEAD_WEBHOOK_SECRET) when set, else DeriveWebhookSecret(serverSecret).
func WebhookSecret(configured string, serverSecret []byte) string {
	if configured != "" {
		return configured
	}
	return DeriveWebhookSecret(serverSecret)
}

// DeriveWebhookSecret is the webhook's secret when none is configured
// (MASTHEAD_WEBHOOK_SECRET): derived from the server secret, so that it is
// stable across restarts and unique to the installation.
func DeriveWebhookSecret(serverSecret []byte) string {
	m := hmac.New(sha256.New, serverSecret)
	m.Write([]byte("masthead webhook secret v1"))
	return hex.EncodeToString(m.Sum(nil))
}

// report is one bounce or complaint, whichever form it came in.
type report struct {
	// ID names the report (the bounce message's Message-ID, a provider's event
	// id): a report with an ID is applied once however often it is posted.
	// Without one, every post counts.
	ID     string `json:"id"`
	Type   string `json:"type"` // "bounce" or "complaint"
	Email  string `json:"email"`
	Hard   bool   `json:"hard"` // a bounce that will not get better (5xx, unknown user)
	Detail string `json:"detail"`
}

// bounceWebhook is POST /webhooks/bounces (see the package comment).
func (s *Server) bounceWebhook(w http.ResponseWriter, r *http.Request) {
	if s.hookSecret == "" {
		plain(w, http.StatusNotFound, "webhook not configured\n")
		return
	}
	if !s.webhookAuthorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="masthead", Basic realm="masthead"`)
		plain(w, http.StatusUnauthorized, "unauthorized\n")
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			plain(w, http.StatusRequestEntityTooLarge, "body too large\n")
			return
		}
		plain(w, http.StatusBadRequest, "unreadable body\n")
		return
	}
	var reports []report
	if r.Header.Get("X-Amz-Sns-Message-Type") != "" || isSNS(body) {
		reports, err = s.snsReports(body)
	} else {
		reports, err = ownReports(body)
	}
	if err != nil {
		s.log.Warn("webhook: refused report", "err", err)
		plain(w, http.StatusBadRequest, "bad report: "+err.Error()+"\n")
		return
	}
	applied := 0
	for _, rep := range reports {
		ok, err := s.apply(r, rep)
		if err != nil {
			s.serverError(w, r, err) // the sender retries
			return
		}
		if ok {
			applied++
		}
	}
	plain(w, http.StatusOK, fmt.Sprintf("ok: %d of %d applied\n", applied, len(reports)))
}

// webhookAuthorized checks "Authorization: Bearer SECRET", or basic auth with
// SECRET as the password (the only form an SNS subscription can send).
func (s *Server) webhookAuthorized(r *http.Request) bool {
	var given string
	if _, pass, ok := r.BasicAuth(); ok {
		given = pass
	} else if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		given = strings.TrimSpace(h[7:])
	}
	return given != "" && subtle.ConstantTimeCompare([]byte(given), []byte(s.hookSecret)) == 1
}

// ownReports parses masthead's JSON: one report or a list of them.
func ownReports(body []byte) ([]report, error) {
	var list []report
	if t := strings.TrimSpace(string(body)); strings.HasPrefix(t, "[") {
		if json.Unmarshal(body, &list) != nil {
			return nil, errors.New("the body is not a JSON list of reports")
		}
	} else {
		var one report
		if json.Unmarshal(body, &one) != nil {
			return nil, errors.New("the body is not a JSON report")
		}
		list = []report{one}
	}
	for i, rep := range list {
		if rep.Type != "bounce" && rep.Type != "complaint" {
			return nil, fmt.Errorf("report %d: type %q is not bounce or complaint", i+1, rep.Type)
		}
		if _, err := subscribers.Normalize(rep.Email); err != nil {
			return nil, fmt.Errorf("report %d: email: %w", i+1, err)
		}
	}
	return list, nil
}

// apply records one report and says whether it changed anything (false: it
// was applied before). A hard bounce or a complaint suppresses the address
// (subscriber or not, so that a later import cannot bring it back) and skips
// its queued deliveries; a soft bounce counts toward the subscriber's run of
// soft bounces, and enough in a row suppress it (store.ApplyBounceReport).
func (s *Server) apply(r *http.Request, rep report) (bool, error) {
	kind := ledger.ReportSoft
	switch {
	case rep.Type == "complaint":
		kind = ledger.ReportComplaint
	case rep.Hard:
		kind = ledger.ReportHard
	}
	id := rep.ID
	if id == "" {
		var b [12]byte
		rand.Read(b[:])
		id = "webhook:" + hex.EncodeToString(b[:])
	}
	return s.store.ApplyBounceReport(r.Context(), ledger.BounceReport{ReportID: id, Email: rep.Email, Kind: kind,
		Detail: rep.Detail}, 0)
}
