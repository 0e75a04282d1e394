package auth

import (
	"errors"
	"fmt"
	"time"
)

// Role is what an account may do. An admin may do everything an editor may.
type Role string

const (
	// Editor writes articles, arranges, previews, schedules and sends issues,
	// and manages subscribers.
	Editor Role = "editor"
	// Admin also manages users, publication settings and the subscriber export.
	Admin Role = "admin"
)

// ParseRole accepts "editor" or "admin".
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case Editor, Admin:
		return r, nil
	}
	return "", fmt.Errorf("role %q: want editor or admin", s)
}

// Allows reports whether an account with role r may do what needs role need.
func (r Role) Allows(need Role) bool {
	switch r {
	case Admin:
		return need == Admin || need == Editor
	case Editor:
		return need == Editor
	}
	return false
}

// User is one account.
type User struct {
	ID           int64
	Email        string
	PasswordHash string // PHC string, see HashPassword
	Role         Role
	CreatedAt    time.Time
}

// Session is one login, known to the browser by a random token in a cookie and
// to the database by that token's SHA-256 hash.
type Session struct {
	TokenHash string
	UserID    int64
	CSRF      string // the token every form and cookie-authenticated write must carry
	ExpiresAt time.Time
	CreatedAt time.Time
}

// APIToken is one bearer token for the JSON API; the token itself is shown once
// at creation and only its hash is kept.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	TokenHash  string
	CreatedAt  time.Time
	LastUsedAt time.Time
}

// ErrNotFound is returned (wrapped) by the store for an unknown user, session
// or token.
var ErrNotFound = errors.New("no such user, session or token")

// ErrBadCredentials is returned by Login for an unknown address or a wrong
// password; which of the two is not said.
var ErrBadCredentials = errors.New("wrong email or password")

// ErrRateLimited is returned by Login when too many attempts failed recently.
var ErrRateLimited = errors.New("too many failed logins; wait a few minutes")

// ErrLastAdmin is returned (wrapped) when removing or demoting an account
// would leave no admin, and so no one able to manage accounts.
var ErrLastAdmin = errors.New("it is the last admin account; make another account admin first")
