package newsletter

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// A publication's base URL is its public address: the web edition, the
// unsubscribe page, the counted links and the confirmation links of that
// publication's emails all live under it. One web server may serve several
// publications under different hosts; a publication without one uses the
// process's --base-url.

// ParseBaseURL checks that s is an absolute http(s) URL with a host and
// no user, query or fragment, and returns it without its trailing slash
// (https://news.example.org, https://example.org/news). Empty stays empty.
func ParseBaseURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || strings.ContainsAny(s, "\r\n\t \x00\\") {
		return "", fmt.Errorf("%q is not a URL (e.g. https://news.example.org)", s)
	}
	scheme := strings.ToLower(u.Scheme)
	switch {
	case scheme != "http" && scheme != "https":
		return "", fmt.Errorf("%q: a base URL starts with https:// (or http:// for local testing)", s)
	case u.Opaque != "" || u.Host == "" || u.Hostname() == "":
		return "", fmt.Errorf("%q: a base URL needs a host", s)
	case u.User != nil:
		return "", fmt.Errorf("%q: a base URL has no user or password", s)
	case u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(s, "?#"):
		return "", fmt.Errorf("%q: a base URL has no query or fragment", s)
	}
	u.Scheme, u.Host = scheme, strings.ToLower(u.Host)
	return strings.TrimRight(u.String(), "/"), nil
}

// LinkBase is the address this publication's links are made under: its own
// base URL, or fallback (the process's --base-url) when it has none.
func (p *Publication) LinkBase(fallback string) string {
	if p != nil && p.BaseURL != "" {
		return p.BaseURL
	}
	return strings.TrimSuffix(fallback, "/")
}

// PublicLinkProblem says why links under base would not work for readers
// of an email, or "" when they would: they must be https (RFC 8058's
// one-click unsubscribe, which Gmail and Yahoo require, needs it) on a host
// readers can reach. Refused: http://, IP addresses that are loopback,
// private, link-local or unspecified, and the host names reserved for
// local use or testing: localhost and *.localhost, *.local, *.internal,
// *.test, *.invalid and *.example (RFC 2606, 6761, 6762). The
// documentation domains example.com/.net/.org are real hosts and pass.
func PublicLinkProblem(base string) string {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return fmt.Sprintf("%q is not an absolute URL", base)
	}
	if !strings.EqualFold(u.Scheme, "https") {
		return fmt.Sprintf("%s is not https", base)
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if ip, err := netip.ParseAddr(host); err == nil {
		if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() || ip.IsMulticast() {
			return fmt.Sprintf("%s is a local address", host)
		}
		return ""
	}
	if net.ParseIP(host) != nil {
		return fmt.Sprintf("%s is not a host name", host)
	}
	if !strings.Contains(host, ".") {
		return fmt.Sprintf("%s is not a public host name", host)
	}
	for _, local := range []string{"localhost", "local", "internal", "test", "invalid", "example"} {
		if host == local || strings.HasSuffix(host, "."+local) {
			return fmt.Sprintf("%s is reserved for local use or testing", host)
		}
	}
	return ""
}

// BaseOrigin is the web origin (scheme://host[:port]) of the publication's
// base URL, "" when it has none.
func (p *Publication) BaseOrigin() string {
	if p == nil || p.BaseURL == "" {
		return ""
	}
	u, err := url.Parse(p.BaseURL)
	if err != nil {
		return ""
	}
	o, err := ParseOrigin(u.Scheme + "://" + u.Host)
	if err != nil {
		return ""
	}
	return o
}
