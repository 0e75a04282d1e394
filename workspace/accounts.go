package workspace

import (
	"context"
	"fmt"

	"masthead/auth"
)

// Editors' accounts and API tokens, from the CLI's user and token commands
// and the admin's Accounts and API tokens pages alike. Signing in and out is
// web/httpauth's, over the same auth.Service.

func (s *Service) accountsOrErr(what string) (*auth.Service, error) {
	if s.accounts == nil {
		return nil, fmt.Errorf("%s: %w", what, ErrUnavailable)
	}
	return s.accounts, nil
}

// AddUser makes an account with a hashed password.
func (s *Service) AddUser(ctx context.Context, email, password string, role auth.Role) (*auth.User, error) {
	a, err := s.accountsOrErr("accounts")
	if err != nil {
		return nil, err
	}
	return a.CreateUser(ctx, email, password, role)
}

// SetPassword gives u a new password and ends u's sessions but keep (the
// token hash of the session to keep, "" for none).
func (s *Service) SetPassword(ctx context.Context, u *auth.User, password, keep string) error {
	a, err := s.accountsOrErr("accounts")
	if err != nil {
		return err
	}
	return a.SetPassword(ctx, u, password, keep)
}

// SetRole changes u's role; demoting the last admin fails with auth.ErrLastAdmin.
func (s *Service) SetRole(ctx context.Context, u *auth.User, role auth.Role) error {
	a, err := s.accountsOrErr("accounts")
	if err != nil {
		return err
	}
	return a.SetRole(ctx, u, role)
}

// RemoveUser deletes u's account with its sessions and API tokens; removing
// the last admin fails with auth.ErrLastAdmin.
func (s *Service) RemoveUser(ctx context.Context, u *auth.User) error {
	a, err := s.accountsOrErr("accounts")
	if err != nil {
		return err
	}
	return a.RemoveUser(ctx, u)
}

// CreateToken makes an API token for u and returns it; it is shown this
// once and only its hash is kept.
func (s *Service) CreateToken(ctx context.Context, u *auth.User, name string) (string, *auth.APIToken, error) {
	a, err := s.accountsOrErr("API tokens")
	if err != nil {
		return "", nil, err
	}
	token, t, err := a.CreateToken(ctx, u.ID, name)
	if err == nil {
		s.log.Info("API token created", "user", u.Email, "name", t.Name)
	}
	return token, t, err
}

// RevokeToken deletes API token id on by's behalf: an admin's any, an
// editor's only their own.
func (s *Service) RevokeToken(ctx context.Context, by *auth.User, id int64) error {
	a, err := s.accountsOrErr("API tokens")
	if err != nil {
		return err
	}
	return a.RevokeToken(ctx, by, id)
}
