package store

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
)

// TestStatementsAreKeptAndBounded: a statement text used twice is prepared
// once; texts beyond the cap still run but are not kept.
func TestStatementsAreKeptAndBounded(t *testing.T) {
	eachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s, err := Open(ctx, dsn, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		run := func(query string, want int) {
			t.Helper()
			tx, err := s.db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			st, err := s.stmts.in(ctx, tx, s.q(query))
			if err != nil {
				t.Fatal(err)
			}
			var got int
			if err := st.QueryRowContext(ctx).Scan(&got); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			if got != want {
				t.Fatalf("%s = %d, want %d", query, got, want)
			}
		}
		run("SELECT 1", 1)
		run("SELECT 1", 1)
		if n := len(s.stmts.m); n != 1 {
			t.Fatalf("one text used twice left %d cached statements, want 1", n)
		}
		for i := 0; i < maxStatements+10; i++ {
			run(fmt.Sprintf("SELECT %d", i+2), i+2)
		}
		if n := len(s.stmts.m); n != maxStatements {
			t.Fatalf("%d cached statements, want the cap %d", n, maxStatements)
		}
		s.stmts.close()
		if n := len(s.stmts.m); n != 0 {
			t.Fatalf("close left %d statements", n)
		}
	})
}
