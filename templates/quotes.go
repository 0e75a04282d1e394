package templates

import (
	"strings"
	"unicode"
)

// Typographic gives a one-line text (a headline, a deck, a tagline) the
// typography goldmark's Typographer gives a body: curly quotes and
// apostrophes, en and em dashes for -- and ---, an ellipsis for "...".
// A quote opens at the start, after a space or an opening bracket or dash,
// and closes elsewhere; so "rock 'n' roll" and "the '90s" get the
// apostrophe readers expect in the first case and an opening quote in the
// second, as the body's Markdown does.
func Typographic(s string) string {
	if !strings.ContainsAny(s, `'"-.`) {
		return s
	}
	s = strings.NewReplacer("---", "—", "--", "–", "...", "…").Replace(s)
	var b strings.Builder
	b.Grow(len(s) + 8)
	prev := rune(-1) // start of text
	for _, r := range s {
		switch r {
		case '"':
			if opens(prev) {
				b.WriteRune('“')
			} else {
				b.WriteRune('”')
			}
		case '\'':
			if opens(prev) {
				b.WriteRune('‘')
			} else {
				b.WriteRune('’')
			}
		default:
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
}

// opens reports whether a quote after prev opens (rather than closes or is
// an apostrophe).
func opens(prev rune) bool {
	return prev < 0 || unicode.IsSpace(prev) || strings.ContainsRune("([{“‘—–-/", prev)
}
