package bounces

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"strings"
)

// Limits on what Parse reads of one part, so that a huge returned message
// costs little.
const (
	maxPartBytes   = 1 << 20  // a report part or a text part
	maxHeaderBytes = 64 << 10 // of the returned message: only its headers are read
	maxDepth       = 8        // MIME nesting
)

// found collects the parts of a report that Parse needs, wherever they sit
// in the MIME tree: Gmail and Microsoft nest the human-readable part in
// multipart/alternative or multipart/related, a forwarded report sits in
// multipart/mixed.
type found struct {
	status   []byte // message/delivery-status (RFC 3464) or message/global-delivery-status (RFC 6533)
	feedback []byte // message/feedback-report (RFC 5965)
	original []byte // the returned message, or its headers (message/rfc822, text/rfc822-headers)
	text     []byte // the first text/plain part (an Exim bounce that is not a DSN)
}

// walk visits one MIME entity and, for a multipart one, its parts in order.
// It does not descend into message/rfc822: a report quoted inside the
// returned message is not this report.
func walk(contentType, encoding string, body io.Reader, depth int, f *found) error {
	if depth > maxDepth {
		return errors.New("MIME parts nested too deep")
	}
	mt, params, err := mime.ParseMediaType(contentType)
	switch {
	case contentType == "":
		mt = "text/plain"
	case err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter):
		mt = "application/octet-stream"
	}
	if strings.HasPrefix(mt, "multipart/") {
		boundary := params["boundary"]
		if boundary == "" {
			return fmt.Errorf("%s without a boundary", mt)
		}
		mr := multipart.NewReader(body, boundary)
		for {
			p, err := mr.NextPart() // decodes quoted-printable itself
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("%s: %w", mt, err)
			}
			err = walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, depth+1, f)
			if err != nil {
				return err
			}
		}
	}
	var slot *[]byte
	limit := int64(maxPartBytes)
	switch mt {
	case "message/delivery-status", "message/global-delivery-status":
		slot = &f.status
	case "message/feedback-report":
		slot = &f.feedback
	case "message/rfc822", "message/global", "text/rfc822-headers", "message/global-headers":
		slot, limit = &f.original, maxHeaderBytes
	case "text/plain":
		slot = &f.text
	default:
		return nil
	}
	if *slot != nil {
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(decode(encoding, body), limit))
	if err != nil {
		return fmt.Errorf("%s: %w", mt, err)
	}
	*slot = b
	return nil
}

// decode undoes a Content-Transfer-Encoding (multipart.Reader has already
// undone quoted-printable in parts; this covers base64 and the top level).
func decode(encoding string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, r)
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	}
	return r
}
