package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
)

// Setting returns the value stored under key, or ErrNotFound.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT value FROM settings WHERE key = ?`), key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return v, err
}

// SetSetting stores value under key.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`), key, value)
	return err
}

// Secret returns the server secret that signs links, creating a random one on
// first use. Concurrent first calls agree on one secret.
func (s *Store) Secret(ctx context.Context) ([]byte, error) {
	if v, err := s.Setting(ctx, "secret"); err == nil {
		return hex.DecodeString(v)
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	if _, err := s.db.ExecContext(ctx, s.q(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`), "secret", hex.EncodeToString(b)); err != nil {
		return nil, fmt.Errorf("store secret: %w", err)
	}
	v, err := s.Setting(ctx, "secret")
	if err != nil {
		return nil, err
	}
	return hex.DecodeString(v)
}
