package cli

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"masthead/ledger"
	"masthead/store/storetest"
)

// TestSubscriberErase is a person's erasure from the command line on both
// databases: after 'subscriber erase', no column of any table holds their
// address or name, the other subscriber's records and the counts are
// intact, and the address cannot come back by an import or an editor's add
// (it is suppressed by its hash) until an editor lifts it.
func TestSubscriberErase(t *testing.T) {
	storetest.EachDSN(t, func(t *testing.T, db string) {
		must := func(stdin string, args ...string) string {
			t.Helper()
			code, out, errs := runCLI(t, db, stdin, args...)
			if code != 0 {
				t.Fatalf("%v: exit %d\n%s%s", args, code, out, errs)
			}
			return out
		}
		setupPlanet(t, db)
		must("Temperatures climb.\n", "article", "add", "-", "--date", "2009-07-09", "--title", "Heat Wave", "--section", "Front Page")
		// Ada asks to subscribe (a confirmation email in the outbox), an
		// editor adds her, she gets an issue, a bounce report names her.
		must("", "subscriber", "add", "--pending", "--name", "Ada Lovelace", "Ada@Example.org")
		must("", "subscriber", "send-confirmations")
		must("", "subscriber", "add", "ada@example.org")
		must("", "subscriber", "add", "--name", "Bob Builder", "bob@example.org")
		must("", "issue", "send", "--date", "2009-07-09")
		must("", "issue", "test", "--date", "2009-07-09", "--to", "ADA@example.org")
		st := storetest.OpenDSN(t, db)
		ctx := context.Background()
		if _, err := st.ApplyBounceReport(ctx, ledger.BounceReport{ReportID: "<r1@mx.example>", Email: "ada@example.org",
			Kind: ledger.ReportSoft, Detail: "452 4.2.2 <ada@example.org> mailbox full"}, ledger.BouncePolicy{}); err != nil {
			t.Fatal(err)
		}
		ada, err := st.SubscriberByEmail(ctx, "ada@example.org")
		if err != nil {
			t.Fatal(err)
		}
		raw := rawDB(t, db)
		if _, err := raw.Exec(fmt.Sprintf(`INSERT INTO engagement_readers (publication_id, issue_id, subscriber_id, kind, link, hour, automatic)
			VALUES (1, 1, %d, 1, 0, 0, 0)`, ada.ID)); err != nil {
			t.Fatal(err)
		}
		if hits := holding(t, raw, "ada@example.org", "lovelace"); len(hits) < 6 {
			t.Fatalf("the fixture should name Ada in many places, found %v", hits)
		}
		before := must("", "issue", "status", "--date", "2009-07-09")

		out := must("", "subscriber", "erase", "ADA@example.org")
		for _, want := range []string{"Erased ada@example.org", "1 delivery record anonymised", "3 outbox copies",
			"1 bounce report", "1 click record", "keyed hash", "skipped as suppressed"} {
			if !strings.Contains(out, want) {
				t.Errorf("erase output lacks %q:\n%s", want, out)
			}
		}
		if hits := holding(t, raw, "ada@example.org", "lovelace"); len(hits) > 0 {
			t.Errorf("after erasure the database still holds Ada in %v", hits)
		}
		if hits := holding(t, raw, "bob@example.org", "bob builder"); len(hits) < 3 {
			t.Errorf("Bob's records went too: %v", hits)
		}
		if after := must("", "issue", "status", "--date", "2009-07-09"); after != before {
			t.Errorf("the issue's figures changed:\n%s\nthen\n%s", before, after)
		}
		var reason string
		if err := raw.QueryRow(`SELECT reason FROM suppressions WHERE email LIKE 'erased:%'`).Scan(&reason); err != nil || reason != "erased" {
			t.Errorf("the hashed suppression: %q %v", reason, err)
		}

		csv := filepath.Join(t.TempDir(), "again.csv")
		os.WriteFile(csv, []byte("email,name\nada@example.org,Ada Lovelace\ncarol@example.org,Carol\n"), 0o644)
		const erasedWhy = "address was erased at the person's request (only a keyed hash is kept)"
		if code, out, errs := runCLI(t, db, "", "subscriber", "import", csv); code != 0 || !strings.Contains(out, "1 added") ||
			!strings.Contains(out, "1 suppressed (skipped)") || !strings.Contains(errs, ":2: ada@example.org") ||
			!strings.Contains(errs, erasedWhy) || strings.Contains(errs, "bounced or complained") {
			t.Errorf("re-import of the erased address: exit %d\n%s%s", code, out, errs)
		}
		if code, _, errs := runCLI(t, db, "", "subscriber", "add", "ada@example.org"); code == 0 || !strings.Contains(errs, erasedWhy) ||
			!strings.Contains(errs, "masthead subscriber lift ada@example.org") || strings.Contains(errs, "bounced or complained") {
			t.Errorf("add after erasure: exit %d %s", code, errs)
		}
		if hits := holding(t, raw, "ada@example.org", "lovelace"); len(hits) > 0 {
			t.Errorf("the refused import and add left Ada in %v", hits)
		}
		if code, _, errs := runCLI(t, db, "", "subscriber", "erase", "ada@example.org"); code == 0 || !strings.Contains(errs, "nothing to erase") {
			t.Errorf("erasing twice: exit %d %s", code, errs)
		}
		// She comes back: an editor lifts the hashed suppression.
		must("", "subscriber", "lift", "ada@example.org")
		if out := must("", "subscriber", "add", "ada@example.org"); !strings.Contains(out, "active") {
			t.Errorf("add after lift: %s", out)
		}
		if code, _, errs := runCLI(t, db, "", "subscriber", "erase", "nobody"); code == 0 || !strings.Contains(errs, "nobody") {
			t.Errorf("erase of a bad address: exit %d %s", code, errs)
		}
	})
}

// rawDB opens the database at dsn beside the store, to read every table.
func rawDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	driver := "sqlite3"
	if strings.HasPrefix(dsn, "postgres") {
		driver = "pgx"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// holding lists the "table.column" cells of every table that contain any
// of needles (case-insensitively), text and byte columns alike.
func holding(t *testing.T, db *sql.DB, needles ...string) []string {
	t.Helper()
	var tables []string
	q := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if _, err := db.Exec(`SELECT 1 FROM sqlite_master`); err != nil {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`
	}
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	if len(tables) < 15 {
		t.Fatalf("only %d tables: %v", len(tables), tables)
	}
	var hits []string
	for _, table := range tables {
		rows, err := db.Query(`SELECT * FROM ` + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				var b []byte
				switch v := v.(type) {
				case []byte:
					b = v
				case string:
					b = []byte(v)
				default:
					continue
				}
				for _, n := range needles {
					if bytes.Contains(bytes.ToLower(b), []byte(strings.ToLower(n))) {
						hits = append(hits, table+"."+cols[i])
					}
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return hits
}
