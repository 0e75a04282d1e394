package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"masthead/auth"
)

// CreateAPIToken stores a token's hash and sets t.ID.
func (s *Store) CreateAPIToken(ctx context.Context, t *auth.APIToken) error {
	now := s.now()
	err := s.db.QueryRowContext(ctx, s.q(`INSERT INTO api_tokens (user_id, name, token_hash, created_at)
		VALUES (?, ?, ?, ?) RETURNING id`), t.UserID, t.Name, t.TokenHash, ms(now)).Scan(&t.ID)
	if err != nil {
		return s.mapErr(fmt.Errorf("create API token: %w", err))
	}
	t.CreatedAt = now
	return nil
}

// APITokenUser returns the token with the given hash and its account, and
// notes when it was used (at most once a minute, to spare the writer).
func (s *Store) APITokenUser(ctx context.Context, tokenHash string) (*auth.APIToken, *auth.User, error) {
	var t auth.APIToken
	var u auth.User
	var created, used, userCreated int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT t.id, t.user_id, t.name, t.token_hash, t.created_at, t.last_used_at,
			u.id, u.email, u.password_hash, u.role, u.created_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`), tokenHash).
		Scan(&t.ID, &t.UserID, &t.Name, &t.TokenHash, &created, &used, &u.ID, &u.Email, &u.PasswordHash, &u.Role, &userCreated)
	if err != nil {
		return nil, nil, s.notFound(err, "API token")
	}
	t.CreatedAt, t.LastUsedAt, u.CreatedAt = fromMS(created), fromMS(used), fromMS(userCreated)
	if now := s.now(); now.Sub(t.LastUsedAt) > time.Minute {
		if _, err := s.db.ExecContext(ctx, s.q(`UPDATE api_tokens SET last_used_at = ? WHERE id = ?`), ms(now), t.ID); err != nil {
			s.log.Warn("note API token use", "token", t.ID, "err", err)
		}
		t.LastUsedAt = now
	}
	return &t, &u, nil
}

// APITokens lists an account's tokens (0: every account's), newest first.
func (s *Store) APITokens(ctx context.Context, userID int64) ([]*auth.APIToken, error) {
	query := `SELECT id, user_id, name, token_hash, created_at, last_used_at FROM api_tokens`
	var args []any
	if userID != 0 {
		query += ` WHERE user_id = ?`
		args = append(args, userID)
	}
	rows, err := s.db.QueryContext(ctx, s.q(query+` ORDER BY id DESC`), args...)
	if err != nil {
		return nil, fmt.Errorf("list API tokens: %w", err)
	}
	defer rows.Close()
	var out []*auth.APIToken
	for rows.Next() {
		var t auth.APIToken
		var created, used int64
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &t.TokenHash, &created, &used); err != nil {
			return nil, err
		}
		t.CreatedAt, t.LastUsedAt = fromMS(created), fromMS(used)
		out = append(out, &t)
	}
	return out, rows.Err()
}

// DeleteAPIToken revokes a token of an account (userID 0: of any account).
func (s *Store) DeleteAPIToken(ctx context.Context, id, userID int64) error {
	query, args := `DELETE FROM api_tokens WHERE id = ?`, []any{id}
	if userID != 0 {
		query += ` AND user_id = ?`
		args = append(args, userID)
	}
	res, err := s.db.ExecContext(ctx, s.q(query), args...)
	if err != nil {
		return fmt.Errorf("delete API token %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return s.notFound(sql.ErrNoRows, fmt.Sprintf("API token %d", id))
	}
	return nil
}
