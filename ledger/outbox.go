package ledger

import (
	"mime"
	"time"
)

// OutboxMessage is a message kept by the built-in outbox (used when no SMTP
// server is configured): the exact MIME bytes that would have gone out.
type OutboxMessage struct {
	ID         int64
	IssueID    int64 // 0 for a message outside any issue (a test send)
	DeliveryID int64 // 0 for a test send
	Recipient  string
	Subject    string
	MessageID  string
	Raw        []byte // empty in listings
	Size       int
	CreatedAt  time.Time
}

// ReadableSubject is the Subject as the outbox keeps it (RFC 2047-encoded,
// as sent) decoded for reading; a value that does not decode is returned as
// it is.
func (m *OutboxMessage) ReadableSubject() string {
	var dec mime.WordDecoder
	if d, err := dec.DecodeHeader(m.Subject); err == nil {
		return d
	}
	return m.Subject
}
