// Package store is masthead's persistence layer: one Store type over database/sql
// that speaks SQLite (the embedded default, github.com/mattn/go-sqlite3) and, by
// dialect, PostgreSQL (pgx). It owns the schema and its migrations and returns
// domain errors (ErrNotFound, ErrConflict, which are ledger's) rather than
// driver errors, so the domain packages never see which database is underneath.
//
// Each file is named after the table its SQL works on (articles.go,
// deliveries_*.go, schedule_runs.go, api_tokens.go ...); store.go, dialect.go,
// postgres.go, bulk.go, migrations.go and copy.go are the machinery.
//
// The store implements the interfaces its users declare for what they need
// (delivery.Ledger, scheduler.Store, bounces.Store, confirm.Store, auth.Store,
// assembly.Store, workspace.Reads) and depends on none of those packages, only
// on the records they share (newsletter, subscribers, auth's accounts, ledger):
// it knows nothing of HTTP, themes or SMTP. Who may call its methods that
// write is said in package workspace.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"masthead/ledger"
)

// ErrNotFound is returned when the row asked for does not exist: it is
// ledger.ErrNotFound, so the packages that reach the store through their own
// interfaces test for it without importing the store.
var ErrNotFound = ledger.ErrNotFound

// ErrConflict is returned when a write would break a uniqueness rule or a state
// rule (for example editing an issue that has already been sent); it is
// ledger.ErrConflict.
var ErrConflict = ledger.ErrConflict

// Store is the database. It is safe for concurrent use.
type Store struct {
	db *sql.DB
	// rdb runs the editors' listings and searches (the admin's and the
	// API's pages): on SQLite a read-only pool of its own, smaller than the
	// cores, so that however many pages are searched at once they neither
	// hold the connections the delivery ledger writes with nor take every
	// core from the send. Elsewhere it is db.
	rdb     *sql.DB
	stmts   *statements // the ledger's hot statements, prepared once (statements.go)
	dialect dialect
	log     *slog.Logger
	now     func() time.Time
	// fileDir is the absolute directory of the SQLite database file, which
	// relative template directories of older versions are resolved against
	// (publications.go); empty on PostgreSQL.
	fileDir string
	// erasure keys the hashes erased addresses are kept as
	// (subscribers_erase.go).
	erasure erasureKey
}

// Open opens (creating if needed) the database named by dsn and brings its schema
// up to date. A dsn starting with postgres:// or postgresql:// selects PostgreSQL;
// anything else is a SQLite file path.
func Open(ctx context.Context, dsn string, log *slog.Logger) (*Store, error) {
	return openAt(ctx, dsn, log, len(migrations))
}

// openAt is Open migrating to version at most (tests make databases of an
// earlier schema with it).
func openAt(ctx context.Context, dsn string, log *slog.Logger, version int) (*Store, error) {
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
	s := &Store{db: db, rdb: db, stmts: &statements{db: db}, dialect: d, log: log, now: time.Now}
	if d.name() == "sqlite" {
		if abs, err := filepath.Abs(sqlitePath(dsn)); err == nil {
			s.fileDir = filepath.Dir(abs)
		}
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", d.describe(dsn), err)
	}
	if err := s.migrate(ctx, version); err != nil {
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
	s.stmts.close()
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

// truncate is s as valid UTF-8 of at most n bytes, the one cut every text
// the store keeps from outside (SMTP replies, report details) goes through:
// invalid bytes become U+FFFD and the cut falls before a rune, never inside
// one. PostgreSQL refuses a text value with invalid UTF-8, and one such value
// would fail the whole transaction it is in (a Record batch).
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
