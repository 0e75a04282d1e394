// Package storetest runs store tests against every database masthead supports:
// a fresh SQLite file under t.TempDir() and a fresh PostgreSQL database on the
// server named by MASTHEAD_TEST_POSTGRES (see internal/testenv.Postgres). A
// test written once with Each is the same test on both backends.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"masthead/internal/testenv"
	"masthead/store"
)

// Backend is one kind of database the store runs on.
type Backend string

const (
	SQLite   Backend = "sqlite"
	Postgres Backend = "postgres"
)

// Backends lists every backend, in the order Each runs them.
func Backends() []Backend { return []Backend{SQLite, Postgres} }

// DSN returns the address of a fresh, empty database of kind b for t: a file
// under t.TempDir() or a new PostgreSQL schema dropped at cleanup. Without a
// PostgreSQL server the test is skipped (failed under CI).
func DSN(t testing.TB, b Backend) string {
	t.Helper()
	switch b {
	case SQLite:
		return filepath.Join(t.TempDir(), "masthead.db")
	case Postgres:
		return postgresSchema(t)
	}
	t.Fatalf("storetest: unknown backend %q", b)
	return ""
}

// postgresSchema returns the address of a fresh, empty schema in the database
// named by MASTHEAD_TEST_POSTGRES (search_path=the schema), dropped at
// cleanup. A schema is as good as a database for one store (every name the
// store uses resolves through search_path) and takes milliseconds to make,
// where CREATE and DROP DATABASE took about two seconds per test on a busy
// machine. Without MASTHEAD_TEST_POSTGRES, testenv.Postgres skips (or fails
// under CI) as for every other part.
func postgresSchema(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("MASTHEAD_TEST_POSTGRES")
	if admin == "" {
		return testenv.Postgres(t)
	}
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("MASTHEAD_TEST_POSTGRES: %v", err)
	}
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "masthead_t_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, `CREATE SCHEMA `+name); err != nil {
		t.Fatalf("create schema %s: %v", name, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", admin)
		if err != nil {
			return
		}
		defer db.Close()
		db.Exec(`DROP SCHEMA IF EXISTS ` + name + ` CASCADE`)
	})
	q := u.Query()
	q.Set("search_path", name)
	// Tests need no durability: commits that wait for no WAL flush keep a
	// migration (eight transactions) from costing a second on a busy disk.
	q.Set("synchronous_commit", "off")
	u.RawQuery = q.Encode()
	return u.String()
}

// Open opens a fresh, migrated store of kind b, closed at cleanup.
func Open(t testing.TB, b Backend) *store.Store {
	t.Helper()
	return OpenDSN(t, DSN(t, b))
}

// OpenDSN opens (and migrates) the store at dsn, closed at cleanup. Tests that
// need two Stores on one database (two processes) call it twice.
func OpenDSN(t testing.TB, dsn string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dsn, nil)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Each runs fn as a subtest on a fresh store of every backend: t.Run("sqlite")
// then t.Run("postgres").
func Each(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	t.Helper()
	EachDSN(t, func(t *testing.T, dsn string) { fn(t, OpenDSN(t, dsn)) })
}

// EachDSN is Each for tests that open the database themselves (several Stores
// on one database, or a child process): fn gets a fresh database's address.
func EachDSN(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	for _, b := range Backends() {
		t.Run(string(b), func(t *testing.T) { fn(t, DSN(t, b)) })
	}
}
