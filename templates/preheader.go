package templates

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// bracketedURL is a link as the text part writes it.
var bracketedURL = regexp.MustCompile(`\s*<(?:https?|mailto):[^>\s]*>`)

// preheaderMax is about what an inbox shows after the subject on a wide
// screen; a longer preview is cut at a word.
const preheaderMax = 140

// Preheader is the line an inbox shows after the subject: the lead
// article's deck, or else the first sentence of its text. It is "" for an
// issue without articles.
func (i Issue) Preheader() string {
	if len(i.Articles) == 0 {
		return ""
	}
	a := i.Articles[0]
	s := strings.Join(strings.Fields(a.Deck), " ")
	if s == "" {
		// The text part writes links as <URL>: an inbox preview has no
		// use for them.
		s = firstSentence(strings.Join(strings.Fields(bracketedURL.ReplaceAllString(a.Text, "")), " "))
	}
	if utf8.RuneCountInString(s) <= preheaderMax {
		return s
	}
	cut := []rune(s)[:preheaderMax]
	if sp := strings.LastIndexByte(string(cut), ' '); sp > preheaderMax/2 {
		return string(cut)[:sp] + "…"
	}
	return string(cut) + "…"
}

// firstSentence is s up to the first ". ", "! " or "? " (the punctuation
// kept), or all of s.
func firstSentence(s string) string {
	for i := 0; i+1 < len(s); i++ {
		if (s[i] == '.' || s[i] == '!' || s[i] == '?') && s[i+1] == ' ' {
			return s[:i+1]
		}
	}
	return s
}
