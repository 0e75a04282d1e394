package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the database/sql driver "pgx"
)

// Postgres creates a fresh, empty database on the server named by
// MASTHEAD_TEST_POSTGRES (./test.sh sets it when PostgreSQL answers on
// 127.0.0.1:5432), drops it at cleanup, and returns its postgres:// URL.
func Postgres(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("MASTHEAD_TEST_POSTGRES")
	if admin == "" {
		missing(t, "PostgreSQL", "set MASTHEAD_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/masthead_test?sslmode=disable")
	}
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b := make([]byte, 6)
	rand.Read(b)
	name := "masthead_t_" + hex.EncodeToString(b)
	if _, err := db.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", admin)
		if err != nil {
			return
		}
		defer db.Close()
		db.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
