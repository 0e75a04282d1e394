package delivery

import (
	"bufio"
	"bytes"
	"math/rand/v2"
	"mime/quotedprintable"
	"net/textproto"
	"testing"
)

// qpStd is what mime/quotedprintable writes for src.
func qpStd(src []byte) []byte {
	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	w.Write(src)
	w.Close()
	return b.Bytes()
}

// randomBody is text with long and short lines, spaces before line ends,
// lone CRs and LFs, '=' and '.' and bytes that need encoding.
func randomBody(rng *rand.Rand) []byte {
	pieces := []string{"a", "word ", "  ", "\t", "\n", "\r\n", "\r", ".", "..", "=", "é", "\x00", "\xff",
		"a long run of words that goes past the end of a quoted-printable line by itself, ",
		"0123456789012345678901234567890123456789012345678901234567890123456789012"}
	var b []byte
	for n := rng.IntN(60); n > 0; n-- {
		b = append(b, pieces[rng.IntN(len(pieces))]...)
	}
	return b
}

// appendQP writes what mime/quotedprintable writes, and encoding a body in
// pieces cut after line feeds (only the last final) gives the same bytes.
func TestQPPieces(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 2))
	for i := 0; i < 20000; i++ {
		src := randomBody(rng)
		want := qpStd(src)
		if got := appendQP([]byte("x"), src, true); !bytes.Equal(got[1:], want) {
			t.Fatalf("%q:\n got %q\nwant %q", src, got[1:], want)
		}
		// In pieces cut after line feeds, for text without CR.
		src = bytes.ReplaceAll(src, []byte("\r"), nil)
		want = qpStd(src)
		var got []byte
		for rest := src; len(rest) > 0; {
			cut := len(rest) // the rest, or up to a line feed at or after a random point
			k := rng.IntN(len(rest))
			if j := bytes.IndexByte(rest[k:], '\n'); j >= 0 {
				cut = k + j + 1
			}
			got = appendQP(got, rest[:cut], cut == len(rest))
			rest = rest[cut:]
		}
		if len(src) == 0 {
			got = appendQP(got, nil, true)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%q in pieces:\n got %q\nwant %q", src, got, want)
		}
	}
}

// appendStuffed writes what net/textproto's DotWriter writes before its
// end-of-data line, for CRLF text, in any pieces.
func TestStuffedPieces(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 3))
	for i := 0; i < 20000; i++ {
		src := qpStd(randomBody(rng)) // CRLF lines
		if rng.IntN(2) == 0 {
			src = append([]byte(".\r\n.."), src...)
		}
		if len(src) == 0 {
			continue // a message is never empty
		}
		var b bytes.Buffer
		bw := bufio.NewWriter(&b)
		dw := textproto.NewWriter(bw).DotWriter()
		dw.Write(src)
		dw.Close()
		bw.Flush()
		want := b.Bytes()
		want = want[:len(want)-len(".\r\n")]
		got, bol := []byte{}, true
		for rest := src; len(rest) > 0; {
			n := 1 + rng.IntN(len(rest))
			got, bol = appendStuffed(got, rest[:n], bol)
			rest = rest[n:]
		}
		if !bol {
			got = append(got, '\r', '\n') // DotWriter ends an open line
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%q:\n got %q\nwant %q", src, got, want)
		}
	}
}
