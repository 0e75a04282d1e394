package templates

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// Filling the spans of Lines one after the other gives Fill's result, for
// bodies made of random lines, literal text and slots; every span but the
// last ends a line, and a Line span is one line.
func TestLinesFillAsFill(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 1))
	pieces := []string{"a", "bc ", "\n", "\r\n", ".", "[[MH:name]]", "[[MH:greeting]]", "[[MH:email]]",
		"[[MH:unsubscribe]]", "[[MH:age]]", "[[MH:", "]]", "é"}
	people := []*Personal{
		{Name: "Zoë \"Q\" <x>", Email: "a+b@x.example", UnsubscribeURL: "https://x.example/u/t?a=1&b=2"},
		{Name: "Line\r\nbreak", UnsubscribeURL: "javascript:alert(1)"},
		{},
	}
	for i := 0; i < 3000; i++ {
		var b strings.Builder
		for n := rng.IntN(30); n > 0; n-- {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		body := b.String()
		for _, kind := range []Kind{HTML, Text} {
			c := Compile(body, kind)
			spans := c.Lines()
			for _, p := range people {
				want := string(c.Fill(nil, p))
				var got []byte
				for k, s := range spans {
					if (s.Line == nil) == (s.Text == "") {
						t.Fatalf("%q: span %d is both or neither text and line: %+v", body, k, s)
					}
					start := len(got)
					if s.Line != nil {
						got = s.Line.Fill(got, p)
					} else {
						got = append(got, s.Text...)
					}
					piece := string(got[start:])
					last := k == len(spans)-1
					if !last && !strings.HasSuffix(piece, "\n") {
						t.Fatalf("%q: span %d %q does not end a line", body, k, piece)
					}
					if s.Line != nil && strings.Count(piece, "\n") > 1 {
						t.Fatalf("%q: line span %d %q holds more than one line", body, k, piece)
					}
				}
				if string(got) != want {
					t.Fatalf("%q (%v) filled by lines:\n%q\nwant\n%q", body, kind, got, want)
				}
			}
		}
	}
}

func TestLinesOfATheme(t *testing.T) {
	c := Compile("Hello[[MH:greeting]].\nNews.\nMore news.\nUnsubscribe: [[MH:unsubscribe]]\nBye", Text)
	spans := c.Lines()
	var kinds []string
	for _, s := range spans {
		if s.Line != nil {
			kinds = append(kinds, "line("+strings.Join(s.Line.Slots(), ",")+")")
		} else {
			kinds = append(kinds, "text")
		}
	}
	if got := strings.Join(kinds, " "); got != "line(greeting) text line(unsubscribe) text" {
		t.Fatalf("spans %s", got)
	}
	if spans[1].Text != "News.\nMore news.\n" || spans[3].Text != "Bye" {
		t.Fatalf("literal spans %q, %q", spans[1].Text, spans[3].Text)
	}
}
