package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"
)

// Store is what auth needs from the database (*store.Store implements it;
// the wiring hands it over). Lookups of unknown rows return errors wrapping
// ErrNotFound.
type Store interface {
	AddUser(ctx context.Context, u *User) error
	UserByEmail(ctx context.Context, email string) (*User, error)
	CountUsers(ctx context.Context) (int, error)
	CreateSession(ctx context.Context, s *Session) error
	SessionUser(ctx context.Context, tokenHash string) (*Session, *User, error)
	DeleteSession(ctx context.Context, tokenHash string) error
	CreateAPIToken(ctx context.Context, t *APIToken) error
	APITokenUser(ctx context.Context, tokenHash string) (*APIToken, *User, error)
	DeleteAPIToken(ctx context.Context, id, userID int64) error
	SetUserPassword(ctx context.Context, id int64, hash, keepSession string) error
	SetUserRole(ctx context.Context, id int64, role Role) error
	DeleteUser(ctx context.Context, id int64) error
}

// Options configure a Service.
type Options struct {
	// SessionTTL is how long a login lasts; 0: 12 hours, a working day.
	SessionTTL time.Duration
	// Limits are the failed-login rules; zero fields take the defaults.
	Limits LoginLimits
	// Sleep waits before checking the password of an account under attack;
	// nil: a timer that ends early when ctx is done.
	Sleep func(ctx context.Context, d time.Duration) error
	Log   *slog.Logger
	Now   func() time.Time
}

// Service keeps the accounts, checks logins and knows who a session or an
// API token belongs to.
type Service struct {
	st      Store
	ttl     time.Duration
	limits  LoginLimits
	limiter *limiter
	sleep   func(context.Context, time.Duration) error
	log     *slog.Logger
	now     func() time.Time
}

// New returns a Service over st.
func New(st Store, o Options) *Service {
	s := &Service{st: st, ttl: o.SessionTTL, limits: o.Limits, sleep: o.Sleep, log: o.Log, now: o.Now}
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

// SessionTTL is how long a login lasts.
func (s *Service) SessionTTL() time.Duration { return s.ttl }

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

// StartSession makes a new session for u and returns its token, which only
// the browser keeps (the database keeps its hash).
func (s *Service) StartSession(ctx context.Context, u *User) (string, *Session, error) {
	token := RandomToken()
	se := &Session{TokenHash: HashToken(token), UserID: u.ID, CSRF: RandomToken(), ExpiresAt: s.now().Add(s.ttl)}
	if err := s.st.CreateSession(ctx, se); err != nil {
		return "", nil, err
	}
	s.log.Info("login", "user", u.Email)
	return token, se, nil
}

// EndSession deletes the session of token, if there is one.
func (s *Service) EndSession(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return s.st.DeleteSession(ctx, HashToken(token))
}

// ErrUnauthenticated is returned when a session or API token is not valid
// (unknown, expired or removed).
var ErrUnauthenticated = errors.New("not signed in")

// Session finds the session and user of a session token.
func (s *Service) Session(ctx context.Context, token string) (*Session, *User, error) {
	se, u, err := s.st.SessionUser(ctx, HashToken(token))
	if err != nil {
		return nil, nil, s.unauth(err)
	}
	return se, u, nil
}

// Token finds the API token and user of a bearer token (TokenPrefix...).
func (s *Service) Token(ctx context.Context, token string) (*APIToken, *User, error) {
	if !strings.HasPrefix(token, TokenPrefix) {
		return nil, nil, ErrUnauthenticated
	}
	t, u, err := s.st.APITokenUser(ctx, HashToken(token))
	if err != nil {
		return nil, nil, s.unauth(err)
	}
	return t, u, nil
}

func (s *Service) unauth(err error) error {
	if errors.Is(err, ErrNotFound) {
		return ErrUnauthenticated
	}
	return err
}

// CreateToken makes an API token for a user and returns it; it is shown this
// once and only its hash is stored.
func (s *Service) CreateToken(ctx context.Context, userID int64, name string) (string, *APIToken, error) {
	token := TokenPrefix + RandomToken()
	t := &APIToken{UserID: userID, Name: strings.TrimSpace(name), TokenHash: HashToken(token)}
	if err := s.st.CreateAPIToken(ctx, t); err != nil {
		return "", nil, err
	}
	return token, t, nil
}

// RevokeToken deletes API token id on by's behalf: an admin may revoke
// anyone's token, an editor only their own (another's is ErrNotFound).
func (s *Service) RevokeToken(ctx context.Context, by *User, id int64) error {
	owner := by.ID
	if by.Role.Allows(Admin) {
		owner = 0
	}
	if err := s.st.DeleteAPIToken(ctx, id, owner); err != nil {
		return err
	}
	s.log.Info("API token revoked", "by", by.Email, "token", id)
	return nil
}
