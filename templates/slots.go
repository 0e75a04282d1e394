package templates

import (
	"fmt"
	"html/template"
	"strings"
)

// Slots are the per-recipient parts of a rendered issue. A template writes
// {{slot "name"}} where a value goes; that is a marker "[[MH:name]]" made of
// characters that html/template (in text, attributes and URLs), premailer and
// text/template all leave as they are. Compile finds the markers once per
// send, and Fill writes one recipient's values in.
const (
	SlotName        = "name"        // Personal.Name, possibly empty
	SlotGreeting    = "greeting"    // ", " + Personal.Name, or "" when the name is empty
	SlotEmail       = "email"       // Personal.Email
	SlotUnsubscribe = "unsubscribe" // Personal.UnsubscribeURL
	SlotRecipient   = "rcpt"        // Personal.Recipient (engagement.RecipientSlot); never in a template
)

const (
	slotPrefix = "[[MH:"
	slotSuffix = "]]"
)

type slot uint8

const (
	slotLiteral slot = iota
	slotName
	slotGreeting
	slotEmail
	slotUnsubscribe
	slotRecipient
)

var slotNames = [...]string{slotName: SlotName, slotGreeting: SlotGreeting,
	slotEmail: SlotEmail, slotUnsubscribe: SlotUnsubscribe, slotRecipient: SlotRecipient}

func slotByName(name string) slot {
	for s, n := range slotNames {
		if n != "" && n == name {
			return slot(s)
		}
	}
	return slotLiteral
}

// marker is the text a template writes for slot name.
func marker(name string) string { return slotPrefix + name + slotSuffix }

// slotFunc is the templates' "slot" function: {{slot "unsubscribe"}}. The
// marker is a template.URL so that html/template keeps it in href attributes
// (it replaces a string without a known scheme by "#ZgotmplZ", and
// percent-encodes brackets in a URL's query); Fill escapes the value for the
// body's kind and makes sure the unsubscribe URL is a safe one. Values are not
// URL-encoded: only the unsubscribe slot is meant to be a whole href.
func slotFunc(name string) (template.URL, error) {
	if s := slotByName(name); s == slotLiteral || s == slotRecipient {
		return "", fmt.Errorf("unknown slot %q (have %s, %s, %s, %s)", name,
			SlotName, SlotGreeting, SlotEmail, SlotUnsubscribe)
	}
	return template.URL(marker(name)), nil
}

// Kind says how slot values are escaped.
type Kind uint8

const (
	HTML Kind = iota // values are HTML-escaped (safe in text and quoted attributes)
	Text             // values are written as they are
)

// Compiled is a rendered issue body split into literal segments and slots,
// ready to be filled for each recipient. It is read-only after Compile and
// safe for concurrent use.
type Compiled struct {
	kind     Kind
	segments []segment
	size     int // bytes of literal text
}

type segment struct {
	lit  string
	slot slot // filled after lit; slotLiteral for none
}

// Compile splits a rendered (unfilled) body once. Markers of unknown slots
// are left as literal text.
func Compile(rendered string, kind Kind) *Compiled {
	c := &Compiled{kind: kind, size: len(rendered)}
	rest, lit := rendered, 0 // lit: start of the current literal in rest
	for {
		i := strings.Index(rest[lit:], slotPrefix)
		if i < 0 {
			break
		}
		i += lit
		j := strings.Index(rest[i+len(slotPrefix):], slotSuffix)
		if j < 0 {
			break
		}
		name := rest[i+len(slotPrefix) : i+len(slotPrefix)+j]
		end := i + len(slotPrefix) + j + len(slotSuffix)
		if s := slotByName(name); s != slotLiteral {
			c.segments = append(c.segments, segment{lit: rest[:i], slot: s})
			rest, lit = rest[end:], 0
		} else {
			lit = i + 1
		}
	}
	c.segments = append(c.segments, segment{lit: rest})
	return c
}

// Slots lists the slot names in order of appearance.
func (c *Compiled) Slots() []string {
	var names []string
	for _, s := range c.segments {
		if s.slot != slotLiteral {
			names = append(names, slotNames[s.slot])
		}
	}
	return names
}

// Len is a size hint for Fill's dst: the literal bytes of the body.
func (c *Compiled) Len() int { return c.size }

// Fill appends the body filled for one recipient to dst and returns it. It
// allocates nothing beyond growing dst: pass the previous result's dst[:0].
func (c *Compiled) Fill(dst []byte, p *Personal) []byte {
	for _, s := range c.segments {
		dst = append(dst, s.lit...)
		switch s.slot {
		case slotLiteral:
		case slotName:
			dst = c.value(dst, strings.TrimSpace(p.Name))
		case slotGreeting:
			if name := strings.TrimSpace(p.Name); name != "" {
				dst = append(dst, ", "...)
				dst = c.value(dst, name)
			}
		case slotEmail:
			dst = c.value(dst, p.Email)
		case slotUnsubscribe:
			u := p.UnsubscribeURL
			if c.kind == HTML && !safeURL(u) {
				u = "#"
			}
			dst = c.value(dst, u)
		case slotRecipient:
			dst = c.value(dst, p.Recipient)
		}
	}
	return dst
}

// value appends v escaped for the body's kind. Line breaks become spaces in
// both kinds, so that a value cannot add lines (or headers) to a message.
func (c *Compiled) value(dst []byte, v string) []byte {
	special := "\r\n"
	if c.kind == HTML {
		special = "\r\n<>&\"'"
	}
	if !strings.ContainsAny(v, special) {
		return append(dst, v...)
	}
	for i := 0; i < len(v); i++ {
		b := v[i]
		switch {
		case b == '\r' || b == '\n':
			dst = append(dst, ' ')
		case c.kind == Text:
			dst = append(dst, b)
		case b == '<':
			dst = append(dst, "&lt;"...)
		case b == '>':
			dst = append(dst, "&gt;"...)
		case b == '&':
			dst = append(dst, "&amp;"...)
		case b == '"':
			dst = append(dst, "&#34;"...)
		case b == '\'':
			dst = append(dst, "&#39;"...)
		default:
			dst = append(dst, b)
		}
	}
	return dst
}

// safeURL accepts the schemes an unsubscribe link may have.
func safeURL(u string) bool {
	for _, scheme := range [...]string{"https:", "http:", "mailto:"} {
		if len(u) >= len(scheme) && strings.EqualFold(u[:len(scheme)], scheme) {
			return true
		}
	}
	return false
}
