package store

import (
	"context"
	"fmt"

	"masthead/auth"
)

// CreateSession stores a login session.
func (s *Store) CreateSession(ctx context.Context, se *auth.Session) error {
	now := s.now()
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO sessions (token_hash, user_id, csrf, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?)`), se.TokenHash, se.UserID, se.CSRF, ms(se.ExpiresAt), ms(now))
	if err != nil {
		return s.mapErr(fmt.Errorf("create session: %w", err))
	}
	se.CreatedAt = now
	return nil
}

// SessionUser returns the unexpired session with the given token hash and its
// account.
func (s *Store) SessionUser(ctx context.Context, tokenHash string) (*auth.Session, *auth.User, error) {
	var se auth.Session
	var expires, created, userCreated int64
	var u auth.User
	err := s.db.QueryRowContext(ctx, s.q(`SELECT se.token_hash, se.user_id, se.csrf, se.expires_at, se.created_at,
			u.id, u.email, u.password_hash, u.role, u.created_at
		FROM sessions se JOIN users u ON u.id = se.user_id
		WHERE se.token_hash = ? AND se.expires_at > ?`), tokenHash, ms(s.now())).
		Scan(&se.TokenHash, &se.UserID, &se.CSRF, &expires, &created, &u.ID, &u.Email, &u.PasswordHash, &u.Role, &userCreated)
	if err != nil {
		return nil, nil, s.notFound(err, "session")
	}
	se.ExpiresAt, se.CreatedAt, u.CreatedAt = fromMS(expires), fromMS(created), fromMS(userCreated)
	return &se, &u, nil
}

// DeleteSession ends one session (logout). Ending a session that is gone is not
// an error.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := s.db.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE token_hash = ?`), tokenHash)
	return err
}

// DeleteExpiredSessions removes sessions past their expiry and reports how many.
func (s *Store) DeleteExpiredSessions(ctx context.Context) (int, error) {
	res, err := s.db.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE expires_at <= ?`), ms(s.now()))
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
