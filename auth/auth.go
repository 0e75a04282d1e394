package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/mail"
	"strings"
	"time"
)

// Store is what auth needs from the database (masthead/store implements it).
// Lookups of unknown rows return errors wrapping ErrNotFound.
type Store interface {
	AddUser(ctx context.Context, u *User) error
	UserByEmail(ctx context.Context, email string) (*User, error)
	CountUsers(ctx context.Context) (int, error)
	CreateSession(ctx context.Context, s *Session) error
	SessionUser(ctx context.Context, tokenHash string) (*Session, *User, error)
	DeleteSession(ctx context.Context, tokenHash string) error
	CreateAPIToken(ctx context.Context, t *APIToken) error
	APITokenUser(ctx context.Context, tokenHash string) (*APIToken, *User, error)
	SetUserPassword(ctx context.Context, id int64, hash, keepSession string) error
	SetUserRole(ctx context.Context, id int64, role Role) error
	DeleteUser(ctx context.Context, id int64) error
}

// Cookie and field names.
const (
	SessionCookie = "masthead_session" // the session token
	LoginCookie   = "masthead_login"   // the login form's CSRF token, before any session
	CSRFField     = "csrf"             // form field carrying the CSRF token
	CSRFHeader    = "X-CSRF-Token"     // header carrying it for fetch() and API calls with a cookie
)

// Options configure a Service.
type Options struct {
	// Secure marks cookies Secure (sent over https only); set it when the
	// public base URL is https.
	Secure bool
	// SessionTTL is how long a login lasts; 0: 12 hours, a working day.
	SessionTTL time.Duration
	// TrustProxy takes the client's address from X-Forwarded-For (see
	// ClientIP): set it only when a reverse proxy is the one way in.
	TrustProxy bool
	// Limits are the failed-login rules; zero fields take the defaults.
	Limits LoginLimits
	// Sleep waits before checking the password of an account under attack;
	// nil: a timer that ends early when ctx is done.
	Sleep func(ctx context.Context, d time.Duration) error
	Log   *slog.Logger
	Now   func() time.Time
}

// Service logs editors in and tells who a request comes from.
type Service struct {
	st      Store
	secure  bool
	proxied bool // TrustProxy
	ttl     time.Duration
	limits  LoginLimits
	limiter *limiter
	sleep   func(context.Context, time.Duration) error
	log     *slog.Logger
	now     func() time.Time
}

// New returns a Service over st.
func New(st Store, o Options) *Service {
	s := &Service{st: st, secure: o.Secure, proxied: o.TrustProxy, ttl: o.SessionTTL, limits: o.Limits, sleep: o.Sleep, log: o.Log, now: o.Now}
	if s.ttl <= 0 {
		s.ttl = 12 * time.Hour
	}
	s.limits.defaults()
	if s.sleep == nil {
		s.sleep = sleep
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.limiter = newLimiter(s.limits.Window, s.now)
	return s
}

// HasUsers reports whether any account exists; with none the admin shows how
// to create the first one instead of a login form.
func (s *Service) HasUsers(ctx context.Context) (bool, error) {
	n, err := s.st.CountUsers(ctx)
	return n > 0, err
}

// CreateUser makes an account with a hashed password.
func (s *Service) CreateUser(ctx context.Context, email, password string, role Role) (*User, error) {
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != strings.TrimSpace(email) || !strings.Contains(a.Address, "@") {
		return nil, fmt.Errorf("%q is not an email address", email)
	}
	if _, err := ParseRole(string(role)); err != nil {
		return nil, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	u := &User{Email: a.Address, PasswordHash: hash, Role: role}
	if err := s.st.AddUser(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// Login checks an address and password from client (its address, see
// ClientIP) under the failed-login rules of the package comment: a client
// that failed too often on this account, or on any, gets ErrRateLimited
// without its password being checked; an account that failed often from
// anywhere is only slowed down.
func (s *Service) Login(ctx context.Context, email, password, client string) (*User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	pair, clientKey, account := "pair:"+client+"|"+email, "client:"+client, "user:"+email
	if s.limiter.count(pair) >= s.limits.PerClientAccount || s.limiter.count(clientKey) >= s.limits.PerClient {
		s.log.Warn("login rate limited", "email", email, "client", client)
		return nil, ErrRateLimited
	}
	if d := s.limits.delay(s.limiter.count(account)); d > 0 {
		s.log.Warn("login slowed: many failures on this account", "email", email, "client", client, "delay", d.String())
		if err := s.sleep(ctx, d); err != nil {
			return nil, err
		}
	}
	u, err := s.st.UserByEmail(ctx, email)
	hash := dummyHash
	switch {
	case err == nil:
		hash = u.PasswordHash
	case !errors.Is(err, ErrNotFound):
		return nil, err
	}
	ok, cerr := CheckPassword(hash, password)
	if cerr != nil {
		return nil, fmt.Errorf("check password of %s: %w", email, cerr)
	}
	if err != nil || !ok {
		s.limiter.failed(pair, clientKey, account)
		s.log.Info("login failed", "email", email, "client", client)
		return nil, ErrBadCredentials
	}
	// Only this client's count on this account is forgiven: a success must
	// not clear an attacker's count elsewhere, nor this client's spraying.
	s.limiter.reset(pair)
	return u, nil
}

// StartSession makes a new session for u and sets its cookie.
func (s *Service) StartSession(ctx context.Context, w http.ResponseWriter, u *User) (*Session, error) {
	token := randomToken()
	se := &Session{TokenHash: HashToken(token), UserID: u.ID, CSRF: randomToken(), ExpiresAt: s.now().Add(s.ttl)}
	if err := s.st.CreateSession(ctx, se); err != nil {
		return nil, err
	}
	http.SetCookie(w, s.cookie(SessionCookie, token, s.ttl))
	s.log.Info("login", "user", u.Email)
	return se, nil
}

// EndSession deletes the request's session, if any, and clears its cookie.
func (s *Service) EndSession(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	http.SetCookie(w, s.cookie(SessionCookie, "", -1))
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	return s.st.DeleteSession(ctx, HashToken(c.Value))
}

// cookie is a cookie with the safe attributes: HttpOnly, SameSite=Lax (Strict
// would drop the session on links from mail into the admin), Secure on https.
// A negative ttl deletes it.
func (s *Service) cookie(name, value string, ttl time.Duration) *http.Cookie {
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
	User    *User
	Session *Session  // nil when authenticated by token
	Token   *APIToken // nil when authenticated by session
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
var ErrUnauthenticated = errors.New("not signed in")

// Authenticate finds who r comes from: an "Authorization: Bearer TOKEN" header
// (an API token) or else the session cookie. It returns ErrUnauthenticated when
// neither is valid; a header that is present but wrong is not retried with the
// cookie.
func (s *Service) Authenticate(r *http.Request) (*Principal, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, _ := strings.Cut(h, " ")
		token = strings.TrimSpace(token)
		if !strings.EqualFold(scheme, "Bearer") || !strings.HasPrefix(token, TokenPrefix) {
			return nil, ErrUnauthenticated
		}
		t, u, err := s.st.APITokenUser(ctx, HashToken(token))
		if err != nil {
			return nil, s.unauth(err)
		}
		return &Principal{User: u, Token: t}, nil
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil, ErrUnauthenticated
	}
	se, u, err := s.st.SessionUser(ctx, HashToken(c.Value))
	if err != nil {
		return nil, s.unauth(err)
	}
	return &Principal{User: u, Session: se}, nil
}

func (s *Service) unauth(err error) error {
	if errors.Is(err, ErrNotFound) {
		return ErrUnauthenticated
	}
	return err
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
func (s *Service) LoginCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(LoginCookie); err == nil && len(c.Value) >= 40 {
		return c.Value
	}
	v := randomToken()
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

// CreateToken makes an API token for a user and returns it; it is shown this
// once and only its hash is stored.
func (s *Service) CreateToken(ctx context.Context, userID int64, name string) (string, *APIToken, error) {
	token := TokenPrefix + randomToken()
	t := &APIToken{UserID: userID, Name: strings.TrimSpace(name), TokenHash: HashToken(token)}
	if err := s.st.CreateAPIToken(ctx, t); err != nil {
		return "", nil, err
	}
	return token, t, nil
}

// ClientIP is the address r comes from, the login limits' client (see the
// package comment), by the Service's TrustProxy option.
func (s *Service) ClientIP(r *http.Request) string { return ClientIP(r, s.proxied) }

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
