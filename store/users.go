package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

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
