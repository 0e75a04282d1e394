package delivery

import (
	"bytes"
	"mime"
	"strings"

	"masthead/templates"
)

// layout is an issue's message as it goes on the wire, composed once per
// issue (Composer): literal pieces, each ready in two forms (as is, and
// dot-stuffed for DATA), and holes that Compose fills for each recipient.
//
// Holes are whole header fields, the MIME boundary, or whole lines of a
// body, so every piece and every filled hole begins at the start of a line
// (or within a line that only the layout writes, for the boundary). That
// keeps both encodings exact when done in pieces: quoted-printable starts
// afresh at every line end of a body (appendQP), and dot-stuffing only looks
// at the first byte of a line (appendStuffed).
type layout struct {
	items []item
	fixed int // bytes of the literal pieces
}

type item struct {
	hole hole
	// A literal piece (holeNone): the bytes, and the same dot-stuffed as if
	// they began a line.
	raw, stuffed string
	// holeLine: the body line with its slots, and whether it ends the body
	// (quoted-printable then closes, and encodes a last space).
	line  *templates.Compiled
	final bool
}

type hole uint8

const (
	holeNone            hole = iota // literal
	holeDate                        // "Date: ...\r\n"
	holeListUnsubscribe             // "List-Unsubscribe: ...\r\n", folded
	holeMessageID                   // "Message-ID: <...>\r\n"
	holeTo                          // "To: ...\r\n", folded
	holeBoundary                    // the MIME boundary, alone
	holeLine                        // one body line with slots, quoted-printable
)

// layoutBuilder collects literal text and holes.
type layoutBuilder struct {
	l   layout
	lit []byte // the literal text since the last hole
}

func (b *layoutBuilder) literal(s ...string) {
	for _, x := range s {
		b.lit = append(b.lit, x...)
	}
}

func (b *layoutBuilder) header(key, value string) { b.lit = appendHeader(b.lit, key, value) }

func (b *layoutBuilder) flush() {
	if len(b.lit) == 0 {
		return
	}
	stuffed, _ := appendStuffed(nil, b.lit, true)
	b.l.items = append(b.l.items, item{raw: string(b.lit), stuffed: string(stuffed)})
	b.l.fixed += len(b.lit)
	b.lit = b.lit[:0]
}

func (b *layoutBuilder) hole(h item) {
	b.flush()
	b.l.items = append(b.l.items, h)
}

// body adds a body quoted-printable-encoded: its literal lines once, here,
// and a hole for each line with a slot.
func (b *layoutBuilder) body(text string, kind templates.Kind) {
	spans := templates.Compile(text, kind).Lines()
	for i, s := range spans {
		last := i == len(spans)-1
		if s.Line != nil {
			b.hole(item{hole: holeLine, line: s.Line, final: last})
			continue
		}
		b.lit = appendQP(b.lit, []byte(s.Text), last)
	}
	if len(spans) == 0 {
		b.lit = appendQP(b.lit, nil, true)
	}
}

// lay composes the message of the Composer's issue with go-mail's layout
// (v0.8.1, the library masthead used to build each message with): its
// header order (generic headers sorted by name, then From, To and Reply-To)
// and folding, multipart/alternative with the text part first, both parts
// quoted-printable. text or html may be empty, not both.
func (c *Composer) lay(text, html string) layout {
	var b layoutBuilder
	// RFC 3834 5: an issue is sent by a program, not a person, so
	// out-of-office and other automatic replies are not to be sent to it;
	// Precedence (RFC 2076) and Exchange's X-Auto-Response-Suppress say the
	// same to responders that read only those.
	b.header("Auto-Submitted", "auto-generated")
	b.hole(item{hole: holeDate})
	if c.feedbackID != "" {
		b.header("Feedback-ID", headerValue(c.feedbackID))
	}
	b.header("List-Archive", headerValue(c.archive))
	b.header("List-Help", headerValue(c.help))
	b.header("List-Id", headerValue(c.listID))
	b.hole(item{hole: holeListUnsubscribe})
	b.header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	b.header("MIME-Version", "1.0")
	b.hole(item{hole: holeMessageID})
	b.header("Precedence", "bulk")
	b.header("Subject", c.subject)
	b.header("X-Auto-Response-Suppress", "OOF, AutoReply")
	b.header("From", c.from.String())
	b.hole(item{hole: holeTo})
	if c.replyTo != nil {
		b.header("Reply-To", c.replyTo.String())
	}
	const qp = "Content-Transfer-Encoding: quoted-printable\r\n"
	switch {
	case text != "" && html != "":
		boundary := item{hole: holeBoundary}
		b.literal("Content-Type: multipart/alternative;\r\n boundary=")
		b.hole(boundary)
		b.literal("\r\n\r\n--")
		b.hole(boundary)
		b.literal("\r\n", qp, "Content-Type: text/plain; charset=UTF-8\r\n\r\n")
		b.body(text, templates.Text)
		b.literal("\r\n--")
		b.hole(boundary)
		b.literal("\r\n", qp, "Content-Type: text/html; charset=UTF-8\r\n\r\n")
		b.body(html, templates.HTML)
		b.literal("\r\n--")
		b.hole(boundary)
		b.literal("--\r\n")
	case text != "":
		b.literal(qp, "Content-Type: text/plain; charset=UTF-8\r\n\r\n")
		b.body(text, templates.Text)
		b.endLine(text)
	default:
		b.literal(qp, "Content-Type: text/html; charset=UTF-8\r\n\r\n")
		b.body(html, templates.HTML)
		b.endLine(html)
	}
	b.flush()
	return b.l
}

// endLine ends a single-part message with CRLF unless its body does (the
// quoted-printable body ends with CRLF exactly when the text ends with a line
// end): SMTP's DATA adds one where it is missing (RFC 5321 4.1.1.4), so the
// message kept in the outbox and the one sent by BDAT are those a DATA
// server receives.
func (b *layoutBuilder) endLine(body string) {
	if !strings.HasSuffix(body, "\n") {
		b.literal("\r\n")
	}
}

// headerValue is a generic header's value as go-mail writes it: Q-encoded
// in UTF-8 where it is not plain ASCII, else as it is.
func headerValue(v string) string { return mime.QEncoding.Encode("UTF-8", v) }

// lineEnds turns a body's CRLF and lone CR line ends into LF. Encoded, every
// line end is CRLF anyway; without CR, quoted-printable can be done one line
// at a time (appendQP), and a lone CR before a LF no longer joins them.
func lineEnds(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return string(bytes.ReplaceAll(bytes.ReplaceAll([]byte(s), []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n")))
}
