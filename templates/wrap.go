package templates

import (
	"strings"
	"unicode/utf8"
)

// Width is the column limit of every plain-text line masthead writes
// (RFC 5322 2.1.1 recommends lines of at most 78 characters).
const Width = 78

// wrap breaks s into lines of at most width columns (runes). Words are
// separated by spaces, tabs and newlines, and are never split, except a word
// longer than a whole line that is not a URL: URLs stay whole on a line of
// their own, so that they remain clickable.
func wrap(s string, width int) []string {
	if width < 1 {
		width = 1
	}
	var lines []string
	var line strings.Builder
	n := 0 // columns in line
	flush := func() {
		lines = append(lines, line.String())
		line.Reset()
		n = 0
	}
	for _, word := range strings.FieldsFunc(s, isBreakSpace) {
		wn := utf8.RuneCountInString(word)
		if wn > width && !isURLWord(word) {
			if n > 0 {
				flush()
			}
			for wn > width {
				i := byteIndexOfRune(word, width)
				lines = append(lines, word[:i])
				word, wn = word[i:], wn-width
			}
		}
		if n > 0 && n+1+wn > width {
			flush()
		}
		if n > 0 {
			line.WriteByte(' ')
			n++
		}
		line.WriteString(word)
		n += wn
	}
	if n > 0 {
		flush()
	}
	return lines
}

// wrapBreaks wraps each hard line of s (separated by "\n") on its own.
func wrapBreaks(s string, width int) []string {
	var lines []string
	for _, hard := range strings.Split(s, "\n") {
		w := wrap(hard, width)
		if len(w) == 0 && len(lines) > 0 {
			w = []string{""}
		}
		lines = append(lines, w...)
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// hang wraps s after marker, indenting the following lines by the marker's
// width: "1. first line\n   second line".
func hang(marker, s string, width int) string {
	pad := strings.Repeat(" ", utf8.RuneCountInString(marker))
	lines := wrapBreaks(s, width-len(pad))
	if len(lines) == 0 {
		return strings.TrimRight(marker, " ")
	}
	for i := range lines {
		if i == 0 {
			lines[i] = marker + lines[i]
		} else if lines[i] != "" {
			lines[i] = pad + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}

func isBreakSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

// isURLWord reports whether a word is (or wraps) a URL or a slot marker,
// which must not be split.
func isURLWord(w string) bool {
	return strings.Contains(w, "://") || strings.HasPrefix(w, "<") ||
		strings.HasPrefix(w, "mailto:") || strings.Contains(w, slotPrefix)
}

func byteIndexOfRune(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}
