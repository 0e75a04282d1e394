package delivery

import (
	"io"
	"strings"
)

// Mail is one recipient's message (Composer.Compose): the layout
// with the recipient's holes filled. It is what the SMTP server receives,
// byte for byte; Conns write it with AppendTo.
type Mail struct {
	c    *Composer
	rcpt string // the recipient's address, for the envelope
	sig  []byte // "DKIM-Signature: ...\r\n", or empty
	dyn  []byte // the filled holes, one after the other
	ends []int  // per layout item, the end of its bytes in dyn
}

func (m *Mail) reset(c *Composer, rcpt string) {
	m.c, m.rcpt = c, rcpt
	m.sig, m.dyn, m.ends = m.sig[:0], m.dyn[:0], m.ends[:0]
}

// Len is the message's size in bytes (not dot-stuffed).
func (m *Mail) Len() int { return len(m.sig) + m.c.layout.fixed + len(m.dyn) }

// AppendTo appends the message to dst: as it is, or dot-stuffed for DATA
// (every line that starts with "." gets another; the end-of-data line is
// not added). The message ends with CRLF.
func (m *Mail) AppendTo(dst []byte, stuffed bool) []byte {
	bol := true // at the start of a line
	if stuffed {
		dst, bol = appendStuffed(dst, m.sig, bol)
	} else {
		dst = append(dst, m.sig...)
	}
	start := 0
	for i, it := range m.c.layout.items {
		if it.hole != holeNone {
			hole := m.dyn[start:m.ends[i]]
			start = m.ends[i]
			if stuffed {
				dst, bol = appendStuffed(dst, hole, bol)
			} else {
				dst = append(dst, hole...)
			}
			continue
		}
		if !stuffed {
			dst = append(dst, it.raw...)
			continue
		}
		s := it.stuffed
		if !bol && strings.HasPrefix(it.raw, ".") {
			s = s[1:] // stuffed as if it began a line: it does not
		}
		dst = append(dst, s...)
		bol = strings.HasSuffix(it.raw, "\n")
	}
	return dst
}

// WriteTo writes the message to w as it is, piece by piece.
func (m *Mail) WriteTo(w io.Writer) (int64, error) {
	n, err := w.Write(m.sig)
	total := int64(n)
	start := 0
	for i, it := range m.c.layout.items {
		if err != nil {
			break
		}
		if it.hole != holeNone {
			n, err = w.Write(m.dyn[start:m.ends[i]])
			start = m.ends[i]
		} else {
			n, err = io.WriteString(w, it.raw)
		}
		total += int64(n)
	}
	return total, err
}
