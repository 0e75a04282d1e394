package ledger

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
)

// Header is one header field of a message, its value decoded for reading
// (RFC 2047 encoded words to text, folded lines joined).
type Header struct {
	Name, Value string
}

// ReadableMessage is an outbox message as its reader would see it: the
// headers decoded, and the text and HTML parts out of their transfer
// encodings (quoted-printable, base64).
type ReadableMessage struct {
	Headers []Header // in the order of the message
	Text    string   // the first text/plain part; "" when there is none
	HTML    string   // the first text/html part; "" when there is none
}

// Get is the first value of the header name (any case); "" when absent.
func (r *ReadableMessage) Get(name string) string {
	for _, h := range r.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// Read decodes the message's bytes for reading. Bytes that are not a MIME
// message give an error naming what is wrong; the raw bytes stay readable
// as they are.
func (m *OutboxMessage) Read() (*ReadableMessage, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		return nil, fmt.Errorf("outbox message %d: %w", m.ID, err)
	}
	out := &ReadableMessage{}
	var dec mime.WordDecoder
	for _, name := range headerOrder(m.Raw) {
		for _, v := range msg.Header[textproto.CanonicalMIMEHeaderKey(name)] {
			if d, err := dec.DecodeHeader(v); err == nil {
				v = d
			}
			out.Headers = append(out.Headers, Header{Name: name, Value: v})
		}
	}
	if err := out.readPart(textproto.MIMEHeader(msg.Header), msg.Body, 0); err != nil {
		return nil, fmt.Errorf("outbox message %d: %w", m.ID, err)
	}
	return out, nil
}

// readPart fills Text and HTML from one part, descending into multiparts
// (alternative, mixed, related) a few levels deep.
func (r *ReadableMessage) readPart(h textproto.MIMEHeader, body io.Reader, depth int) error {
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain" // RFC 2045 5.2
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Errorf("content type %q: %w", ct, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		if depth > 4 {
			return nil
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("%s part: %w", mt, err)
			}
			if err := r.readPart(p.Header, p, depth+1); err != nil {
				return err
			}
		}
	}
	if mt != "text/plain" && mt != "text/html" || mt == "text/plain" && r.Text != "" || mt == "text/html" && r.HTML != "" {
		return nil
	}
	var dec io.Reader = body
	switch cte := strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))); cte {
	case "quoted-printable":
		dec = quotedprintable.NewReader(body)
	case "base64":
		dec = base64.NewDecoder(base64.StdEncoding, body) // line breaks are skipped
	case "", "7bit", "8bit", "binary":
	default:
		return fmt.Errorf("%s part: unknown Content-Transfer-Encoding %q", mt, cte)
	}
	b, err := io.ReadAll(dec)
	if err != nil {
		return fmt.Errorf("%s part: %w", mt, err)
	}
	s := strings.ReplaceAll(string(b), "\r\n", "\n")
	if mt == "text/plain" {
		r.Text = s
	} else {
		r.HTML = s
	}
	return nil
}

// headerOrder lists the header names of a message in the order they first
// appear, spelt as written ("Message-ID"; net/mail's Header is a map keyed
// by the canonical "Message-Id").
func headerOrder(raw []byte) []string {
	var names []string
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			continue // a folded continuation
		}
		name, _, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		name = strings.TrimSpace(name)
		if key := textproto.CanonicalMIMEHeaderKey(name); !seen[key] {
			seen[key] = true
			names = append(names, name)
		}
	}
	return names
}
