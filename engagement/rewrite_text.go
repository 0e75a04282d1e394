package engagement

import (
	"strings"
	"unicode/utf8"
)

// text rewrites the URLs of a plain-text body: bare ones
// ("https://planet.example/story") and ones in angle brackets, as the
// templates write a link with its text ("Read more <https://...>"). A URL
// ends at white space, at '>' when it began after '<', and before trailing
// punctuation that ends a sentence (and a ')' or ']' it did not open).
func (t *table) text(s string) (string, error) {
	var out strings.Builder
	out.Grow(len(s) + len(s)/8)
	copied := 0
	for i := 0; i < len(s); {
		j := indexScheme(s[i:])
		if j < 0 {
			break
		}
		start := i + j
		end := urlEnd(s, start)
		u := s[start:end]
		i = max(end, start+1)
		if !t.wants(u) {
			continue
		}
		idx, _, err := t.add(u, textBefore(s, start), "")
		if err != nil {
			return "", err
		}
		out.WriteString(s[copied:start])
		out.WriteString(t.redirect(idx))
		copied = end
	}
	out.WriteString(s[copied:])
	if copied == 0 {
		return s, nil
	}
	return t.breakLines(out.String()), nil
}

// textWidth is the column limit of the text part (RFC 5322 2.1.1; the
// templates wrap at it).
const textWidth = 78

// breakLines puts a redirect URL that made its line longer than textWidth
// on a line of its own, as the templates do with a URL too long for the
// line: it breaks at the spaces before and after the URL (a bracketed one
// with its brackets and trailing punctuation). The rest of the paragraph is
// not reflowed.
func (t *table) breakLines(s string) string {
	prefix := t.rw.base + "/r/"
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		if !strings.Contains(line, prefix) || t.columns(line) <= textWidth {
			continue
		}
		var b strings.Builder
		rest := line
		for {
			k := strings.Index(rest, prefix)
			if k < 0 {
				b.WriteString(rest)
				break
			}
			start := k
			if start > 0 && rest[start-1] == '<' {
				start--
			}
			end := k + len(prefix)
			for end < len(rest) && rest[end] != ' ' {
				end++
			}
			before := rest[:start]
			if strings.HasSuffix(before, " ") {
				b.WriteString(strings.TrimRight(before, " "))
				b.WriteByte('\n')
			} else {
				b.WriteString(before)
			}
			b.WriteString(rest[start:end])
			rest = rest[end:]
			if strings.HasPrefix(rest, " ") && strings.TrimSpace(rest) != "" {
				b.WriteByte('\n')
				rest = strings.TrimLeft(rest, " ")
			}
		}
		lines[i] = b.String()
	}
	return strings.Join(lines, "\n")
}

// columns is the width of a line once its slots are filled: a
// RecipientMarker becomes a per-message part.
func (t *table) columns(line string) int {
	n := utf8.RuneCountInString(line)
	if t.rw.perRecipient {
		n += strings.Count(line, RecipientMarker) * (rcptLen - len(RecipientMarker))
	}
	return n
}

// indexScheme finds the next "http://" or "https://" (any case) that starts
// a word: at the start, or after a character that cannot be part of a URL
// before it.
func indexScheme(s string) int {
	for off := 0; ; {
		j := indexFold(s[off:], "http")
		if j < 0 {
			return -1
		}
		k := off + j
		rest := s[k+4:]
		if (hasPrefixFold(rest, "://") || hasPrefixFold(rest, "s://")) && (k == 0 || urlOpener(s[k-1])) {
			return k
		}
		off = k + 4
	}
}

// urlOpener is a character after which a URL may begin.
func urlOpener(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\f', '<', '(', '[', '"', '\'', ':', ',', ';', '>':
		return true
	}
	return false
}

// urlEnd returns the end of the URL that starts at s[start].
func urlEnd(s string, start int) int {
	if start > 0 && s[start-1] == '<' {
		// Up to the closing '>', unless a space or '<' comes first: then
		// the URL is read as a bare one.
		k := start
		for k < len(s) && s[k] > ' ' && s[k] != '<' && s[k] != '>' {
			k++
		}
		if k < len(s) && s[k] == '>' {
			return k
		}
	}
	end := start
	for end < len(s) && s[end] > ' ' && s[end] != '<' && s[end] != '>' && s[end] != '"' && s[end] != 0x7f {
		end++
	}
	// Trailing punctuation belongs to the sentence; closing brackets only
	// when the URL did not open them ("https://en.wikipedia.org/wiki/Go_(game)").
	for end > start {
		switch s[end-1] {
		case '.', ',', ';', ':', '!', '?', '\'', '*':
			end--
			continue
		case ')':
			if strings.Count(s[start:end], "(") < strings.Count(s[start:end], ")") {
				end--
				continue
			}
		case ']':
			if strings.Count(s[start:end], "[") < strings.Count(s[start:end], "]") {
				end--
				continue
			}
		}
		break
	}
	return end
}

// textBefore is the text before a bracketed URL on its line ("Read more"
// in "Read more <https://...>"), as the link's text; "" for a bare URL.
func textBefore(s string, start int) string {
	if start == 0 || s[start-1] != '<' {
		return ""
	}
	line := s[:start-1]
	if k := strings.LastIndexByte(line, '\n'); k >= 0 {
		line = line[k+1:]
	}
	return trimListMarker(strings.TrimSpace(line))
}

// trimListMarker drops a leading "- ", "* " or "12. " of a list item.
func trimListMarker(s string) string {
	if strings.HasPrefix(s, "- ") || strings.HasPrefix(s, "* ") {
		return strings.TrimSpace(s[2:])
	}
	d := 0
	for d < len(s) && s[d] >= '0' && s[d] <= '9' {
		d++
	}
	if d > 0 && strings.HasPrefix(s[d:], ". ") {
		return strings.TrimSpace(s[d+2:])
	}
	return s
}

// indexFold is strings.Index for an ASCII lower-case needle, ignoring case.
func indexFold(s, needle string) int {
	for i := 0; i+len(needle) <= len(s); i++ {
		if hasPrefixFold(s[i:], needle) {
			return i
		}
	}
	return -1
}

// hasPrefixFold reports whether s begins with the ASCII lower-case prefix,
// ignoring case.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}
