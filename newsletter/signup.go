package newsletter

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// Signup from the newsroom's own site: the subscribe form may be posted from
// the pages of the publication's SignupOrigins (besides masthead's own), and
// the reader sent back to a page there.

// Limits of the signup settings.
const (
	maxSignupOrigins   = 20
	maxWelcomeSubject  = 200
	maxWelcomeBodySize = 20000
)

// ParseOrigin checks that s is a web origin as a browser sends it in the
// Origin header, scheme://host[:port] with an http or https scheme and no
// path, query, fragment or user, and returns it in that form (lower case, a
// default port left out, a trailing slash dropped).
func ParseOrigin(s string) (string, error) {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || s == "" {
		return "", fmt.Errorf("%q is not an origin (scheme://host[:port], e.g. https://www.example.org)", s)
	}
	scheme := strings.ToLower(u.Scheme)
	switch {
	case scheme != "http" && scheme != "https":
		return "", fmt.Errorf("%q: an origin starts with http:// or https://", s)
	case u.Host == "" || u.Hostname() == "":
		return "", fmt.Errorf("%q: an origin needs a host", s)
	case u.User != nil:
		return "", fmt.Errorf("%q: an origin has no user or password", s)
	case u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "#"):
		return "", fmt.Errorf("%q: an origin has no path, query or fragment (scheme://host[:port] only)", s)
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if strings.Contains(host, ":") {
		host = "[" + host + "]" // IPv6
	}
	if port == "" || scheme == "http" && port == "80" || scheme == "https" && port == "443" {
		return scheme + "://" + host, nil
	}
	return scheme + "://" + host + ":" + port, nil
}

// ParseOrigins parses a comma- or space-separated list of origins (the
// command line's and the admin's form), each checked by ParseOrigin;
// duplicates are dropped.
func ParseOrigins(list string) ([]string, error) {
	var out []string
	for _, f := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		o, err := ParseOrigin(f)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out, nil
}

// AllowsOrigin reports whether origin (an Origin header's value) is one of
// the publication's signup origins.
func (p *Publication) AllowsOrigin(origin string) bool {
	o, err := ParseOrigin(origin)
	return err == nil && slices.Contains(p.SignupOrigins, o)
}

// SignupReturn returns raw as the address to send a reader back to, if it
// is an absolute http(s) URL on one of the publication's signup origins;
// otherwise ok is false (never an open redirect).
func (p *Publication) SignupReturn(raw string) (string, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > 2000 || strings.ContainsAny(raw, "\r\n\x00\\") {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil || u.User != nil || u.Host == "" || u.Opaque != "" {
		return "", false
	}
	o, err := ParseOrigin(u.Scheme + "://" + u.Host)
	if err != nil || !slices.Contains(p.SignupOrigins, o) {
		return "", false
	}
	return u.String(), true
}

// validateSignup checks the signup and welcome settings (part of Validate).
func (p *Publication) validateSignup(bad func(field, format string, args ...any)) {
	if len(p.SignupOrigins) > maxSignupOrigins {
		bad("signup-origins", "%d origins: at most %d", len(p.SignupOrigins), maxSignupOrigins)
	}
	originsOK := true
	for _, o := range p.SignupOrigins {
		if norm, err := ParseOrigin(o); err != nil {
			bad("signup-origins", "%v", err)
			originsOK = false
		} else if norm != o {
			bad("signup-origins", "%q is not in its normal form %q", o, norm)
			originsOK = false
		}
	}
	if p.SignupConfirmedURL != "" && originsOK {
		if _, ok := p.SignupReturn(p.SignupConfirmedURL); !ok {
			bad("signup-confirmed-url", "%q must be an http(s) address on one of the signup origins (%s)",
				p.SignupConfirmedURL, strings.Join(p.SignupOrigins, ", "))
		}
	}
	if strings.ContainsAny(p.WelcomeSubject, "\r\n") {
		bad("welcome-subject", "must be one line")
	} else if utf8.RuneCountInString(p.WelcomeSubject) > maxWelcomeSubject {
		bad("welcome-subject", "must be at most %d characters", maxWelcomeSubject)
	}
	if len(p.WelcomeBody) > maxWelcomeBodySize {
		bad("welcome-body", "must be at most %d bytes", maxWelcomeBodySize)
	} else if !utf8.ValidString(p.WelcomeBody) {
		bad("welcome-body", "must be UTF-8 text")
	}
}

// normalizeSignup writes the signup origins in the form browsers send,
// once each (part of Normalize); ones that do not parse are left for
// Validate.
func (p *Publication) normalizeSignup() {
	var list []string
	for _, o := range p.SignupOrigins {
		if norm, err := ParseOrigin(o); err == nil {
			o = norm
		}
		if !slices.Contains(list, o) {
			list = append(list, o)
		}
	}
	p.SignupOrigins = list
	p.SignupConfirmedURL = strings.TrimSpace(p.SignupConfirmedURL)
}

// WelcomeSubjectLine is the welcome email's subject: the publication's own,
// or "Welcome to NAME".
func (p *Publication) WelcomeSubjectLine() string {
	if s := strings.TrimSpace(p.WelcomeSubject); s != "" {
		return s
	}
	return "Welcome to " + p.Name
}
