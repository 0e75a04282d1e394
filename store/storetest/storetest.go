// Package storetest runs store tests against every database masthead supports:
// a fresh SQLite file under t.TempDir() and a fresh PostgreSQL database on the
// server named by MASTHEAD_TEST_POSTGRES (see internal/testenv.Postgres). A
// test written once with Each is the same test on both backends.
package storetest

import (
	"context"
	"path/filepath"
	"testing"

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
// under t.TempDir() or a new PostgreSQL database dropped at cleanup. Without a
// PostgreSQL server the test is skipped (failed under CI).
func DSN(t testing.TB, b Backend) string {
	t.Helper()
	switch b {
	case SQLite:
		return filepath.Join(t.TempDir(), "masthead.db")
	case Postgres:
		return testenv.Postgres(t)
	}
	t.Fatalf("storetest: unknown backend %q", b)
	return ""
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
