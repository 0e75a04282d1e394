package subscribers

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Limits on what the email and name columns accept.
const (
	MaxEmailLen     = 254 // RFC 5321 4.5.3.1.3: a path is 256 octets including < and >
	MaxLocalPartLen = 64  // RFC 5321 4.5.3.1.1
	MaxNameRunes    = 200
)

// idnaProfile maps a domain the way a resolver would (UTS #46: case folding,
// width mapping) and checks it, so "Bücher.DE" and "xn--bcher-kva.de" are one domain.
var idnaProfile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.StrictDomainName(true))

// Normalize validates an email address and returns the one form masthead stores,
// so that the same person typed twice is one subscriber.
//
//   - Surrounding white space is trimmed.
//   - The address must be bare (addr-spec, RFC 5322 3.4.1): no display name, no
//     angle brackets, no comments, no quoted local part. Quoted local parts are
//     legal but almost never real, and a display name here would end up in a
//     To: header the subscriber never typed.
//   - No CR, LF, NUL or other control characters (header injection), valid UTF-8,
//     at most 254 octets, local part at most 64 octets.
//   - The domain must have a dot (no "localhost", no bare TLD, no IP literal); an
//     internationalised domain is mapped with IDNA (lower-cased, in its Unicode form;
//     see ASCIIAddress for the form to give an SMTP server).
//   - The local part is lower-cased too. RFC 5321 lets a server treat "Jane" and
//     "jane" as two mailboxes, but no common one does, and newsrooms treat
//     addresses case-insensitively: a reader who types their address with a
//     capital on the form must not become a second subscriber.
func Normalize(email string) (string, error) {
	s := strings.TrimSpace(email)
	if s == "" {
		return "", errors.New("empty address")
	}
	if !utf8.ValidString(s) {
		return "", errors.New("not valid UTF-8")
	}
	if strings.ContainsAny(s, "\r\n") {
		return "", errors.New("contains a line break (header injection attempt?)")
	}
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return "", errors.New("contains a control character")
	}
	if len(s) > MaxEmailLen {
		return "", fmt.Errorf("longer than %d characters", MaxEmailLen)
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return "", errors.New("not an email address: " + addressProblem(s, err))
	}
	if a.Name != "" || a.Address != s {
		return "", errors.New("must be a bare address such as jane@example.org (no name, brackets or quotes)")
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], s[at+1:]
	if len(local) > MaxLocalPartLen {
		return "", fmt.Errorf("part before @ is longer than %d characters", MaxLocalPartLen)
	}
	uDomain, aDomain, err := normalizeDomain(domain)
	if err != nil {
		return "", err
	}
	out := strings.ToLower(local) + "@" + uDomain
	if len(out) > MaxEmailLen || len(local)+1+len(aDomain) > MaxEmailLen {
		return "", fmt.Errorf("longer than %d characters", MaxEmailLen)
	}
	return out, nil
}

// normalizeDomain returns the domain's Unicode and ASCII (punycode) forms.
func normalizeDomain(d string) (unicodeForm, asciiForm string, err error) {
	if strings.HasPrefix(d, "[") {
		return "", "", errors.New("IP address literals are not accepted as a domain")
	}
	asciiForm, err = idnaProfile.ToASCII(d)
	if err != nil {
		return "", "", fmt.Errorf("invalid domain %q: %w", d, err)
	}
	asciiForm = strings.ToLower(asciiForm)
	labels := strings.Split(asciiForm, ".")
	if len(labels) < 2 {
		return "", "", fmt.Errorf("domain %q needs a dot", d)
	}
	if len(asciiForm) > 253 {
		return "", "", fmt.Errorf("domain %q is too long", d)
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return "", "", fmt.Errorf("invalid domain %q", d)
		}
	}
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return "", "", fmt.Errorf("domain %q looks like an IP address", d)
	}
	unicodeForm, err = idnaProfile.ToUnicode(asciiForm)
	if err != nil {
		return "", "", fmt.Errorf("invalid domain %q: %w", d, err)
	}
	return unicodeForm, asciiForm, nil
}

// ASCIIAddress returns a normalised address with its domain in ASCII (punycode)
// form, as an SMTP server without SMTPUTF8 needs it. The local part is unchanged.
func ASCIIAddress(email string) (string, error) {
	at := strings.LastIndexByte(email, '@')
	if at <= 0 {
		return "", fmt.Errorf("%q is not an address", email)
	}
	_, a, err := normalizeDomain(email[at+1:])
	if err != nil {
		return "", err
	}
	return email[:at+1] + a, nil
}

// NormalizeName checks a subscriber's name and trims it. A name is one line of
// at most 200 characters with no control characters: it is printed in issues
// and may reach a To: header, so a line break must never get through.
func NormalizeName(name string) (string, error) {
	if !utf8.ValidString(name) {
		return "", errors.New("name is not valid UTF-8")
	}
	if strings.ContainsAny(name, "\r\n\u0085\u2028\u2029") {
		return "", errors.New("name contains a line break (header injection attempt?)")
	}
	if strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "", errors.New("name contains a control character")
	}
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > MaxNameRunes {
		return "", fmt.Errorf("name is longer than %d characters", MaxNameRunes)
	}
	return name, nil
}

// addressProblem says in plain words why net/mail refused s.
func addressProblem(s string, err error) string {
	switch {
	case !strings.Contains(s, "@"):
		return "it has no @"
	case strings.HasSuffix(s, "@"):
		return "nothing after the @"
	case strings.HasPrefix(s, "@"):
		return "nothing before the @"
	}
	msg := strings.TrimPrefix(err.Error(), "mail: ")
	if strings.Contains(msg, "angle-addr") || strings.Contains(msg, "addr-spec") {
		return "it is not of the form name@example.org"
	}
	return msg
}
