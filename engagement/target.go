package engagement

import (
	"net/url"
	"strings"
)

// trackable reports whether raw (already entity-decoded and trimmed) is a
// link that rewriting may replace: an absolute http or https URL with a
// host, no per-recipient slot marker inside, nothing a header could not
// carry. Everything else (mailto:, tel:, #fragments, relative links, slot
// markers such as [[MH:unsubscribe]]) stays as it is.
func trackable(raw string) bool {
	if len(raw) > maxURL || strings.Contains(raw, slotPrefix) {
		return false
	}
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c <= ' ' || c == 0x7f {
			return false
		}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return false
	}
	return u.Scheme == "http" || u.Scheme == "https" // Parse lowercases the scheme
}

// maxURL is the longest target URL that is rewritten; longer ones are left
// alone (browsers and proxies cut URLs beyond a few thousand bytes).
const maxURL = 4096

// Slot markers as the templates package writes them: "[[MH:name]]".
const (
	slotPrefix = "[[MH:"
	slotSuffix = "]]"
)

// RecipientSlot is the name of the slot whose value is a message's
// per-message part (Signer.RecipientPart), and RecipientMarker the marker
// that rewriting writes for it in every rewritten link when per-recipient
// figures are on.
const (
	RecipientSlot   = "rcpt"
	RecipientMarker = slotPrefix + RecipientSlot + slotSuffix
)

// prefixKey is raw with its scheme and authority in lower case and an empty
// path made "/", for comparing URLs with prefixes:
// "HTTPS://News.Example?x" is "https://news.example/?x".
func prefixKey(raw string) string {
	i := strings.Index(raw, "://")
	if i < 0 {
		return raw
	}
	rest := raw[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	path := rest[end:]
	if path == "" || path[0] != '/' {
		path = "/" + path
	}
	return strings.ToLower(raw[:i+3]+rest[:end]) + path
}
