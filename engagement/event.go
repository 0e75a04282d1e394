package engagement

import (
	"net/netip"
	"time"
)

// Kind says what a reader did.
type Kind uint8

const (
	Click Kind = iota + 1 // followed a link
	Open                  // loaded the tracking image
)

func (k Kind) String() string {
	switch k {
	case Click:
		return "click"
	case Open:
		return "open"
	}
	return "unknown"
}

// Request is what the redirect knows of an HTTP request, without HTTP.
type Request struct {
	Method    string // "GET", "HEAD"
	UserAgent string
	IP        netip.Addr // the client's address (behind a trusted proxy, the forwarded one)
	At        time.Time
}

// Event is one click or open on its way to the recorder. It lives in memory
// only: the recorder classifies it, counts it and forgets it; its
// user agent, address and recipient are never written anywhere (a recipient
// only as a ReaderEvent, when the publication keeps per-subscriber figures).
type Event struct {
	Kind          Kind
	PublicationID int64
	IssueID       int64
	Link          int // index in the issue's table; OpenLink for opens
	// IssueLinks is the number of links in the issue, for the "every link
	// of a message" rule.
	IssueLinks int
	// Recipient is the subscriber the per-message part names, when the
	// publication keeps per-subscriber figures; 0 otherwise.
	Recipient int64
	// SentAt is when the message was made for sending, from the per-message
	// part; zero when unknown.
	SentAt time.Time
	Request
}
