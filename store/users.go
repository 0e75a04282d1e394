package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"masthead/auth"
)

// Editor accounts (users), their login sessions and their API tokens. Secrets are
// never stored: sessions and tokens are kept by their SHA-256 hash, passwords by
// their argon2id hash (see package auth).

// notFound is ErrNotFound that is also auth.ErrNotFound, so the auth package can
// tell "no such session" from a database failure without importing store.
func (s *Store) notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w: %w", what, ErrNotFound, auth.ErrNotFound)
	}
	return s.mapErr(err)
}

const userColumns = `id, email, password_hash, role, created_at`

func scanUser(row interface{ Scan(...any) error }) (*auth.User, error) {
	var u auth.User
	var created int64
	if err := row.Scan(&u.ID, &u.Email, &u.PasswordHash, &u.Role, &created); err != nil {
		return nil, err
	}
	u.CreatedAt = fromMS(created)
	return &u, nil
}

// AddUser creates an account and sets u.ID; an address already in use gives
// ErrConflict. Addresses are kept lower-case.
func (s *Store) AddUser(ctx context.Context, u *auth.User) error {
	now := s.now()
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	err := s.db.QueryRowContext(ctx, s.q(`INSERT INTO users (email, password_hash, role, created_at)
		VALUES (?, ?, ?, ?) RETURNING id`), u.Email, u.PasswordHash, string(u.Role), ms(now)).Scan(&u.ID)
	if err != nil {
		return s.mapErr(fmt.Errorf("add user %s: %w", u.Email, err))
	}
	u.CreatedAt = now
	return nil
}

// User returns the account with the given id.
func (s *Store) User(ctx context.Context, id int64) (*auth.User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, s.q(`SELECT `+userColumns+` FROM users WHERE id = ?`), id))
	if err != nil {
		return nil, s.notFound(err, fmt.Sprintf("user %d", id))
	}
	return u, nil
}

// UserByEmail returns the account with the given address (any case).
func (s *Store) UserByEmail(ctx context.Context, email string) (*auth.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	u, err := scanUser(s.db.QueryRowContext(ctx, s.q(`SELECT `+userColumns+` FROM users WHERE email = ?`), email))
	if err != nil {
		return nil, s.notFound(err, "user "+email)
	}
	return u, nil
}

// Users lists every account by address.
func (s *Store) Users(ctx context.Context) ([]*auth.User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY email`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []*auth.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// CountUsers counts accounts; 0 means the first-run page is shown.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

// SetUserPassword replaces an account's password hash and ends its sessions
// but the one whose token hash is keep ("" ends them all: the account's owner
// changing their own password stays signed in where they changed it).
func (s *Store) SetUserPassword(ctx context.Context, id int64, hash, keep string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE users SET password_hash = ? WHERE id = ?`), hash, id)
		if err != nil {
			return fmt.Errorf("set password of user %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return s.notFound(sql.ErrNoRows, fmt.Sprintf("user %d", id))
		}
		if _, err = tx.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`), id, keep); err != nil {
			return fmt.Errorf("end sessions of user %d: %w", id, err)
		}
		return nil
	})
}

// SetUserRole changes an account's role. Demoting the last admin gives an
// error wrapping auth.ErrLastAdmin: someone must be able to manage accounts.
func (s *Store) SetUserRole(ctx context.Context, id int64, role auth.Role) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if role != auth.Admin {
			if err := s.keepAnAdmin(ctx, tx, id); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE users SET role = ? WHERE id = ?`), string(role), id)
		if err != nil {
			return fmt.Errorf("set role of user %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return s.notFound(sql.ErrNoRows, fmt.Sprintf("user %d", id))
		}
		return nil
	})
}

// DeleteUser removes an account with its sessions and tokens. Removing the
// last admin gives an error wrapping auth.ErrLastAdmin.
func (s *Store) DeleteUser(ctx context.Context, id int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.keepAnAdmin(ctx, tx, id); err != nil {
			return err
		}
		// Foreign keys cascade on SQLite (opened with _foreign_keys=on) and
		// PostgreSQL alike; deleting the dependants first keeps this true
		// where they are not enforced.
		for _, q := range []string{`DELETE FROM sessions WHERE user_id = ?`, `DELETE FROM api_tokens WHERE user_id = ?`} {
			if _, err := tx.ExecContext(ctx, s.q(q), id); err != nil {
				return fmt.Errorf("delete user %d: %w", id, err)
			}
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM users WHERE id = ?`), id)
		if err != nil {
			return fmt.Errorf("delete user %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return s.notFound(sql.ErrNoRows, fmt.Sprintf("user %d", id))
		}
		return nil
	})
}

// keepAnAdmin refuses (auth.ErrLastAdmin) when account id is the only admin.
// The admins' rows are locked on PostgreSQL (SQLite transactions take the
// write lock at BEGIN), so two admins demoting each other at once cannot
// both succeed.
func (s *Store) keepAnAdmin(ctx context.Context, tx *sql.Tx, id int64) error {
	rows, err := tx.QueryContext(ctx, s.q(`SELECT id FROM users WHERE role = ?`+s.dialect.forUpdate()), string(auth.Admin))
	if err != nil {
		return fmt.Errorf("list admins: %w", err)
	}
	defer rows.Close()
	var admins []int64
	for rows.Next() {
		var a int64
		if err := rows.Scan(&a); err != nil {
			return fmt.Errorf("list admins: %w", err)
		}
		admins = append(admins, a)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list admins: %w", err)
	}
	if len(admins) == 1 && admins[0] == id {
		return fmt.Errorf("user %d: %w", id, auth.ErrLastAdmin)
	}
	return nil
}

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
