package bounces

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
)

// Kind is what a report says about one recipient.
type Kind uint8

const (
	// Ignore: nothing to do (delayed, delivered, relayed, a non-abuse feedback type).
	Ignore Kind = iota
	// Soft: delivery failed for now (status 4.x.x, or X.2.2 mailbox full).
	Soft
	// Hard: the address is rejected for good (status 5.x.x).
	Hard
	// Complaint: the recipient reported the message as spam (Feedback-Type: abuse).
	Complaint
)

func (k Kind) String() string {
	switch k {
	case Soft:
		return "soft"
	case Hard:
		return "hard"
	case Complaint:
		return "complaint"
	}
	return "ignore"
}

// Report types: from the report-type parameter of multipart/report for the
// reports that come by mail, or the webhook's form.
const (
	TypeDeliveryStatus = "delivery-status" // RFC 3464
	TypeFeedback       = "feedback-report" // RFC 5965
	TypeExim           = "x-failed-recipients"
	TypeWebhook        = "webhook" // masthead's own JSON, posted to the webhook
	TypeSES            = "ses"     // an Amazon SES notification delivered by SNS
)

// ErrNotReport is returned by Parse for a message that is neither a
// delivery-status notification nor a feedback report.
var ErrNotReport = errors.New("not a delivery-status notification or feedback report")

// Report is one parsed report message.
type Report struct {
	// ID is the report's own Message-ID without angle brackets, or
	// "sha256:<hex>" of the raw message when it has none. Applying a report
	// is keyed on it.
	ID string
	// Type is TypeDeliveryStatus, TypeFeedback or TypeExim (an Exim bounce
	// that only names its failed recipients in a header).
	Type string
	// OriginalMessageID is the Message-ID of the message the report is about,
	// from the returned message or its headers ("<...>"), or "".
	OriginalMessageID string
	// OriginalTo is the To address of the returned message, or "".
	OriginalTo string
	// Recipients are the report's findings, one per recipient it names.
	Recipients []Recipient
	// Direct says the recipients' addresses are the very ones a message
	// went to (a provider posts them to the webhook), not addresses a
	// returned message names: a hard bounce or a complaint for one that is
	// no subscriber still suppresses it, so that a later import cannot add
	// it. A mailbox also gets bounces of mail that was never ours, so the
	// reports read from it are not Direct.
	Direct bool
}

// Recipient is what a report says about one recipient.
type Recipient struct {
	Kind     Kind
	Final    string // Final-Recipient (DSN) or Original-Rcpt-To (feedback report) address
	Original string // Original-Recipient (DSN) or Removal-Recipient (feedback report) address
	Action   string // DSN Action, lower case: failed, delayed, delivered, relayed, expanded
	Status   string // DSN Status such as "5.1.1"; for a feedback report the Feedback-Type
	Detail   string // the Diagnostic-Code, or a summary, for the subscriber's history
}

// Parse reads one message and returns the report in it. A message that is no
// report gives ErrNotReport; a report that cannot be read gives an error
// saying why.
func Parse(raw []byte) (*Report, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotReport, err)
	}
	rep := &Report{ID: reportID(msg.Header.Get("Message-Id"), raw)}
	var parts found
	if err := walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, 0, &parts); err != nil && parts.status == nil && parts.feedback == nil {
		return nil, fmt.Errorf("%w: %v", ErrNotReport, err)
	}
	if parts.original != nil {
		rep.OriginalMessageID, rep.OriginalTo = originalIDs(parts.original)
	}
	switch {
	case parts.feedback != nil:
		rep.Type = TypeFeedback
		err = rep.feedback(parts.feedback)
	case parts.status != nil:
		rep.Type = TypeDeliveryStatus
		err = rep.deliveryStatus(parts.status)
	case msg.Header.Get("X-Failed-Recipients") != "":
		rep.Type = TypeExim
		err = rep.exim(msg.Header.Get("X-Failed-Recipients"), parts.text)
	default:
		return nil, ErrNotReport
	}
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// reportID is the key a report is applied under.
func reportID(messageID string, raw []byte) string {
	if id := strings.Trim(strings.TrimSpace(messageID), "<>"); id != "" && len(id) <= 500 {
		return id
	}
	h := sha256.Sum256(raw)
	return "sha256:" + hex.EncodeToString(h[:])
}

// originalIDs reads the Message-ID and To address from the returned message
// (message/rfc822) or its headers (text/rfc822-headers).
func originalIDs(b []byte) (messageID, to string) {
	h := parseFields(b, true)
	if len(h) == 0 {
		return "", ""
	}
	if id := strings.TrimSpace(h[0].get("message-id")); id != "" {
		if i, j := strings.IndexByte(id, '<'), strings.IndexByte(id, '>'); i >= 0 && j > i {
			messageID = id[i : j+1]
		} else {
			messageID = "<" + id + ">"
		}
	}
	if list, err := mail.ParseAddressList(h[0].get("to")); err == nil && len(list) == 1 {
		to = list[0].Address
	}
	return messageID, to
}
