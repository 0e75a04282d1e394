// Package store is masthead's persistence layer: one Store type over database/sql
// that speaks SQLite (the embedded default, github.com/mattn/go-sqlite3) and, by
// dialect, other SQL servers. It owns the schema and its migrations and returns
// domain errors (ErrNotFound, ErrConflict) rather than driver errors, so the domain
// packages never see which database is underneath.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// ErrNotFound is returned when the row asked for does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a write would break a uniqueness rule or a state
// rule (for example editing an issue that has already been sent).
var ErrConflict = errors.New("conflict")

// Store is the database. It is safe for concurrent use.
type Store struct {
	db *sql.DB
	// rdb runs the editors' listings and searches (the admin's and the
	// API's pages): on SQLite a read-only pool of its own, smaller than the
	// cores, so that however many pages are searched at once they neither
	// hold the connections the delivery ledger writes with nor take every
	// core from the send. Elsewhere it is db.
	rdb     *sql.DB
	dialect dialect
	log     *slog.Logger
	now     func() time.Time
}

// Open opens (creating if needed) the database named by dsn and brings its schema
// up to date. A dsn starting with postgres:// or postgresql:// selects PostgreSQL;
// anything else is a SQLite file path.
func Open(ctx context.Context, dsn string, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d, err := dialectFor(dsn)
	if err != nil {
		return nil, err
	}
	db, err := d.open(dsn)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, rdb: db, dialect: d, log: log, now: time.Now}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", d.describe(dsn), err)
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if ro, ok := d.(readPooler); ok {
		if s.rdb, err = ro.readPool(dsn); err != nil {
			db.Close()
			return nil, err
		}
	}
	return s, nil
}

// readPooler is a dialect whose listings read through a pool of their own
// (see Store.rdb).
type readPooler interface {
	readPool(dsn string) (*sql.DB, error)
}

// Close releases the database.
func (s *Store) Close() error {
	if s.rdb != s.db {
		s.rdb.Close()
	}
	return s.db.Close()
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// Backend names the database kind: "sqlite" or "postgres".
func (s *Store) Backend() string { return s.dialect.name() }

// SetClock replaces the store's clock; tests use it to move time.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// q rewrites a query written with ? placeholders into the dialect's form.
func (s *Store) q(query string) string { return s.dialect.rebind(query) }

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// inTx runs fn in a transaction, committing if it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return s.mapErr(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// mapErr turns driver errors into domain errors where one applies.
func (s *Store) mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if s.dialect.isUnique(err) {
		return fmt.Errorf("%w: %v", ErrConflict, err)
	}
	return err
}

// ms converts a time to the stored form (Unix milliseconds).
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS converts a stored time back; 0 is the zero time.
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v)
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
