package auth

import (
	"context"
	"fmt"
)

// Managing accounts after they exist: the CLI's user commands and the admin's
// Accounts page both come here.

// SetPassword gives u a new password and ends u's sessions but keep (the
// token hash of the session to keep, "" for none): whoever knew the old
// password is signed out everywhere else.
func (s *Service) SetPassword(ctx context.Context, u *User, password, keep string) error {
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	if err := s.st.SetUserPassword(ctx, u.ID, hash, keep); err != nil {
		return err
	}
	s.log.Info("password changed", "user", u.Email)
	return nil
}

// SetRole changes u's role; demoting the last admin fails with ErrLastAdmin.
func (s *Service) SetRole(ctx context.Context, u *User, role Role) error {
	if _, err := ParseRole(string(role)); err != nil {
		return err
	}
	if err := s.st.SetUserRole(ctx, u.ID, role); err != nil {
		return fmt.Errorf("%s: %w", u.Email, err)
	}
	s.log.Info("role changed", "user", u.Email, "role", role)
	return nil
}

// RemoveUser deletes u's account with its sessions and API tokens; removing
// the last admin fails with ErrLastAdmin.
func (s *Service) RemoveUser(ctx context.Context, u *User) error {
	if err := s.st.DeleteUser(ctx, u.ID); err != nil {
		return fmt.Errorf("%s: %w", u.Email, err)
	}
	s.log.Info("account removed", "user", u.Email)
	return nil
}
