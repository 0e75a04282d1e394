// Package httpauth is the HTTP side of signing in: the session cookie, the
// CSRF token tied to each session (and the login form's own, before any
// session), bearer API tokens in the Authorization header, and the client's
// address the login limits count by. Who the accounts are and whether a
// password is right is package auth's; this package only carries that over
// HTTP for the admin pages and the JSON API, so that auth, and the store that
// implements its interface, know nothing of HTTP.
package httpauth

import (
	"context"
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"masthead/auth"
)

// Cookie and field names.
const (
	SessionCookie = "masthead_session" // the session token
	LoginCookie   = "masthead_login"   // the login form's CSRF token, before any session
	CSRFField     = "csrf"             // form field carrying the CSRF token
	CSRFHeader    = "X-CSRF-Token"     // header carrying it for fetch() and API calls with a cookie
)

// Options configure Sessions.
type Options struct {
	// Secure marks cookies Secure (sent over https only); set it when the
	// public base URL is https.
	Secure bool
	// TrustProxy takes the client's address from X-Forwarded-For (see
	// ClientIP): set it only when a reverse proxy is the one way in.
	TrustProxy bool
}

// Sessions signs editors in and out over HTTP and tells who a request comes
// from, with the accounts of an auth.Service.
type Sessions struct {
	auth    *auth.Service
	secure  bool
	proxied bool
}

// New returns Sessions over a.
func New(a *auth.Service, o Options) *Sessions {
	return &Sessions{auth: a, secure: o.Secure, proxied: o.TrustProxy}
}

// Accounts is the auth.Service the sessions belong to.
func (s *Sessions) Accounts() *auth.Service { return s.auth }

// Login checks an address and password from the request's client (ClientIP)
// under auth's failed-login rules.
func (s *Sessions) Login(r *http.Request, email, password string) (*auth.User, error) {
	return s.auth.Login(r.Context(), email, password, s.ClientIP(r))
}

// StartSession makes a new session for u and sets its cookie.
func (s *Sessions) StartSession(ctx context.Context, w http.ResponseWriter, u *auth.User) (*auth.Session, error) {
	token, se, err := s.auth.StartSession(ctx, u)
	if err != nil {
		return nil, err
	}
	http.SetCookie(w, s.cookie(SessionCookie, token, s.auth.SessionTTL()))
	return se, nil
}

// EndSession deletes the request's session, if any, and clears its cookie.
func (s *Sessions) EndSession(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	http.SetCookie(w, s.cookie(SessionCookie, "", -1))
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	return s.auth.EndSession(ctx, c.Value)
}

// cookie is a cookie with the safe attributes: HttpOnly, SameSite=Lax (Strict
// would drop the session on links from mail into the admin), Secure on https.
// A negative ttl deletes it.
func (s *Sessions) cookie(name, value string, ttl time.Duration) *http.Cookie {
	c := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode}
	if ttl < 0 {
		c.MaxAge = -1
	} else {
		c.MaxAge = int(ttl / time.Second)
	}
	return c
}

// Principal is who a request comes from: a user with a session (browser) or
// with an API token.
type Principal struct {
	User    *auth.User
	Session *auth.Session  // nil when authenticated by token
	Token   *auth.APIToken // nil when authenticated by session
}

// CSRF is the token forms must carry ("" for token principals, which need none).
func (p *Principal) CSRF() string {
	if p == nil || p.Session == nil {
		return ""
	}
	return p.Session.CSRF
}

// ErrUnauthenticated is returned by Authenticate when the request carries no
// valid session or token.
var ErrUnauthenticated = auth.ErrUnauthenticated

// Authenticate finds who r comes from: an "Authorization: Bearer TOKEN" header
// (an API token) or else the session cookie. It returns ErrUnauthenticated when
// neither is valid; a header that is present but wrong is not retried with the
// cookie.
func (s *Sessions) Authenticate(r *http.Request) (*Principal, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			return nil, ErrUnauthenticated
		}
		t, u, err := s.auth.Token(ctx, strings.TrimSpace(token))
		if err != nil {
			return nil, err
		}
		return &Principal{User: u, Token: t}, nil
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil, ErrUnauthenticated
	}
	se, u, err := s.auth.Session(ctx, c.Value)
	if err != nil {
		return nil, err
	}
	return &Principal{User: u, Session: se}, nil
}

// ValidCSRF reports whether a state-changing request of p carries its CSRF
// token, in the form field or the header. Token principals need none: a bearer
// token is never sent by a browser on its own.
func ValidCSRF(r *http.Request, p *Principal) bool {
	if p.Session == nil {
		return p.Token != nil
	}
	got := r.Header.Get(CSRFHeader)
	if got == "" {
		got = r.PostFormValue(CSRFField)
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(p.Session.CSRF)) == 1
}

// LoginCSRF returns the login form's CSRF token, setting its cookie if the
// browser has none yet (double-submit: the form must echo the cookie, which a
// cross-site form cannot read).
func (s *Sessions) LoginCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(LoginCookie); err == nil && len(c.Value) >= 40 {
		return c.Value
	}
	v := auth.RandomToken()
	http.SetCookie(w, s.cookie(LoginCookie, v, time.Hour))
	return v
}

// ValidLoginCSRF checks the login form's token against its cookie.
func ValidLoginCSRF(r *http.Request) bool {
	c, err := r.Cookie(LoginCookie)
	if err != nil || c.Value == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(r.PostFormValue(CSRFField)), []byte(c.Value)) == 1
}

// ClientIP is the address r comes from, the login limits' client, by the
// TrustProxy option.
func (s *Sessions) ClientIP(r *http.Request) string { return ClientIP(r, s.proxied) }

// ClientIP is the address r comes from: the connection's peer without its
// port or, with trustProxy, the last address of the last X-Forwarded-For
// header. That is the hop the reverse proxy in front of masthead appended
// (the address of whoever connected to it); every address before it came
// from the client and may be forged. With a chain of proxies the last hop is
// the previous proxy, so only one proxy in front is supported. A header that
// is missing or not an IP address falls back to the peer. An IPv6 address is
// cut to its /64, the block one household or server gets, so that walking
// through one's own block does not make new clients.
func ClientIP(r *http.Request, trustProxy bool) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if trustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			last := xff[len(xff)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if ip := strings.TrimSpace(last); net.ParseIP(ip) != nil {
				host = ip
			}
		}
	}
	return clientKey(host)
}

func clientKey(host string) string {
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return ip.String()
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal WithPrincipal stored, or nil.
func FromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// IsUnauthenticated reports whether err means the request carries no valid
// credentials (rather than that the database failed).
func IsUnauthenticated(err error) bool { return errors.Is(err, ErrUnauthenticated) }
