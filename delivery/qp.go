package delivery

import "bytes"

// Quoted-printable (RFC 2045 6.7) and SMTP dot-stuffing (RFC 5321 4.5.2),
// written to be applied to pieces of a message: each piece begins at the
// start of a line, so that a body can be encoded once per issue but for the
// few lines a recipient changes.

const (
	qpLineMax = 76 // characters per encoded line, the soft line break's "=" included
	upperHex  = "0123456789ABCDEF"
)

// appendQP appends src quoted-printable-encoded to dst, byte for byte as
// mime/quotedprintable.Writer (not Binary) writes it when src is written to a
// new Writer; with final, as it writes it then closes. Line breaks (CR, LF
// and CRLF) become CRLF.
//
// In text without CR, the Writer's state after every line feed is that of a
// new Writer (no open line, no CR pending), so the encoding of a body is the
// concatenation of the encodings of its pieces when each piece but the last
// ends with a line feed and only the last is final: the property Composer
// relies on (it turns the bodies' line ends into LF first), and TestQPPieces
// checks. (With a CR, the Writer takes a LF after it and encoded bytes for
// the end of that CR's line, and the state after such a LF is not a new one.)
func appendQP(dst, src []byte, final bool) []byte {
	q := qpWriter{dst: dst, start: len(dst)}
	cr := false
	for i := 0; i < len(src); {
		b := src[i]
		switch {
		case qpPlain(b):
			// A run of bytes written as they are, with a soft line break
			// wherever the line reaches 75 characters and more follow.
			j := i + 1
			for j < len(src) && qpPlain(src[j]) {
				j++
			}
			for i < j {
				room := qpLineMax - 1 - (len(q.dst) - q.start)
				if room == 0 {
					q.softBreak()
					room = qpLineMax - 1
				}
				n := min(room, j-i)
				q.dst = append(q.dst, src[i:i+n]...)
				i += n
			}
			cr = false
			continue
		case b == '\n' || b == '\r':
			if !(cr && b == '\n') { // else the LF of a CRLF already written
				q.encodeLastSpace()
				q.dst = append(q.dst, '\r', '\n')
				q.start = len(q.dst)
			}
			cr = b == '\r'
		default:
			// Like the Writer, an encoded byte leaves a pending CR pending.
			q.encode(b)
		}
		i++
	}
	if final {
		q.encodeLastSpace()
	}
	return q.dst
}

// qpPlain reports whether quoted-printable writes b as it is: printable
// ASCII but '=', space and tab.
func qpPlain(b byte) bool { return b >= '!' && b <= '~' && b != '=' || b == ' ' || b == '\t' }

// qpWriter is the open line of appendQP: dst[start:].
type qpWriter struct {
	dst   []byte
	start int
}

func (q *qpWriter) encode(b byte) {
	if qpLineMax-1-(len(q.dst)-q.start) < 3 {
		q.softBreak()
	}
	q.dst = append(q.dst, '=', upperHex[b>>4], upperHex[b&0x0f])
}

func (q *qpWriter) softBreak() {
	q.dst = append(q.dst, '=', '\r', '\n')
	q.start = len(q.dst)
}

// encodeLastSpace encodes a space or tab that ends the open line, as it
// would otherwise be lost in transport (RFC 2045 6.7 rule 3).
func (q *qpWriter) encodeLastSpace() {
	if n := len(q.dst); n > q.start && (q.dst[n-1] == ' ' || q.dst[n-1] == '\t') {
		b := q.dst[n-1]
		q.dst = q.dst[:n-1]
		q.encode(b)
	}
}

// appendStuffed appends src to dst with a '.' added before every line that
// starts with one (RFC 5321 4.5.2), as net/textproto's DotWriter does for
// text whose lines end in CRLF. bol says whether src begins a line; the
// result reports whether the text written so far ends one.
func appendStuffed(dst, src []byte, bol bool) ([]byte, bool) {
	for len(src) > 0 {
		if bol && src[0] == '.' {
			dst = append(dst, '.')
		}
		i := bytes.IndexByte(src, '\n')
		if i < 0 {
			return append(dst, src...), false
		}
		dst = append(dst, src[:i+1]...)
		src = src[i+1:]
		bol = true
	}
	return dst, bol
}
