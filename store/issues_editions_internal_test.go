package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"masthead/newsletter"
)

// TestEditionsMigrationKeepsTheLedger upgrades a database made before extra
// editions, with a sent issue and its deliveries, on both backends: the
// issue becomes its date's daily issue (edition 0), no delivery or link row
// goes (SQLite rebuilds the issues table), and the date can now have an
// extra beside it, but not a second daily issue.
func TestEditionsMigrationKeepsTheLedger(t *testing.T) {
	eachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s, err := openAt(ctx, dsn, nil, editionsMigration(t))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		db := s.db
		for _, q := range []string{
			`INSERT INTO publications (id, slug, name, from_addr, volume_start, created_at, updated_at)
				VALUES (1, 'planet', 'The Planet', 'news@example.org', '2009-02-07', 1, 1)`,
			`INSERT INTO issues (id, publication_id, issue_date, volume, number, status, subject, created_at, updated_at, transport)
				VALUES (7, 1, '2009-07-09', 1, 153, 'sent', 'The Planet — July 9', 1, 1, 'outbox')`,
			`INSERT INTO deliveries (issue_id, subscriber_id, email, status, message_id) VALUES (7, 1, 'a@example.org', 'sent', '<a@x>')`,
			`INSERT INTO deliveries (issue_id, subscriber_id, email, status, message_id) VALUES (7, 2, 'b@example.org', 'sent', '<b@x>')`,
			`INSERT INTO issue_links (issue_id, idx, url) VALUES (7, 0, 'https://example.org/')`,
			`INSERT INTO articles (publication_id, issue_date, title, created_at, updated_at) VALUES (1, '2009-07-09', 'Lead', 1, 1)`,
		} {
			if _, err := db.ExecContext(ctx, s.q(q)); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if err := s.migrate(ctx, len(migrations)); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM deliveries WHERE issue_id = 7`).Scan(&n); err != nil || n != 2 {
			t.Errorf("deliveries of the issue after the migration: %d, %v; want 2", n, err)
		}
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM issue_links WHERE issue_id = 7`).Scan(&n); err != nil || n != 1 {
			t.Errorf("links of the issue after the migration: %d, %v; want 1", n, err)
		}
		date := newsletter.Date{Year: 2009, Month: 7, Day: 9}
		daily, err := s.IssueByDate(ctx, 1, date)
		if err != nil || daily.ID != 7 || daily.Edition != 0 || daily.Number != 153 || daily.Status != newsletter.Sent {
			t.Fatalf("daily issue after the migration: %+v, %v", daily, err)
		}
		arts, err := s.ArticlesFor(ctx, 1, date, "")
		if err != nil || len(arts) != 1 || arts[0].Edition != 0 {
			t.Errorf("the date's articles after the migration: %+v, %v; want the daily's one", arts, err)
		}
		extra, err := s.CreateExtra(ctx, 1, date, func(daily *newsletter.Issue, e int, _ newsletter.Numberer) (*newsletter.Issue, error) {
			return &newsletter.Issue{Volume: daily.Volume, Number: daily.Number, Status: newsletter.Assembled, EditionTitle: "Extra"}, nil
		})
		if err != nil || extra.Edition != 1 || extra.Number != 153 || extra.ID == 7 {
			t.Fatalf("extra beside the migrated issue: %+v, %v", extra, err)
		}
		// The deliveries still refer to their issue: the foreign keys hold.
		if _, err := db.ExecContext(ctx, s.q(`INSERT INTO deliveries (issue_id, subscriber_id, email, status, message_id)
			VALUES (999, 3, 'c@example.org', 'queued', '<c@x>')`)); err == nil {
			t.Error("a delivery of a missing issue was stored: foreign keys are off after the migration")
		}
		if _, err := db.ExecContext(ctx, s.q(`INSERT INTO issues (publication_id, issue_date, volume, number, status, created_at, updated_at)
			VALUES (1, '2009-07-09', 1, 153, 'assembled', 1, 1)`)); err == nil {
			t.Error("a second daily issue of the date was stored")
		}
	})
}

// editionsMigration is the schema version before extra editions: the
// migrations before the one that rebuilds the issues table.
func editionsMigration(t testing.TB) int {
	t.Helper()
	for i, m := range migrations {
		if strings.Contains(strings.Join(m, "\n"), "issues_new") {
			return i
		}
	}
	t.Fatal("no migration makes extra editions")
	return 0
}

// BenchmarkEditionsMigration measures the SQLite rebuild of the issues
// table on an archive of 3,000 sent issues of 40 KB each with a ledger of
// 100 rows each (the ledger stays where it is): one run migrates one
// database.
//
//	go test -run X -bench EditionsMigration -benchtime 3x ./store/
func BenchmarkEditionsMigration(b *testing.B) {
	ctx := context.Background()
	body := strings.Repeat("<p>All the news that fits.</p>\n", 40<<10/32)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dsn := filepath.Join(b.TempDir(), "m.db")
		s, err := openAt(ctx, dsn, nil, editionsMigration(b))
		if err != nil {
			b.Fatal(err)
		}
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO publications (id, slug, name, from_addr, volume_start, created_at, updated_at)
				VALUES (1, 'planet', 'The Planet', 'news@example.org', '2009-02-07', 1, 1)`); err != nil {
				return err
			}
			day := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
			for n := 1; n <= 3000; n++ {
				d := day.AddDate(0, 0, n).Format("2006-01-02")
				if _, err := tx.ExecContext(ctx, `INSERT INTO issues (id, publication_id, issue_date, volume, number, status, subject,
					html, text_body, created_at, updated_at) VALUES (?, 1, ?, 1, ?, 'sent', 'Subject', ?, ?, 1, 1)`, n, d, n, body, body); err != nil {
					return err
				}
				for r := 0; r < 100; r++ {
					if _, err := tx.ExecContext(ctx, `INSERT INTO deliveries (issue_id, subscriber_id, email, status, message_id)
						VALUES (?, ?, ?, 'sent', ?)`, n, r, fmt.Sprintf("r%d@example.org", r), fmt.Sprintf("<%d.%d@x>", n, r)); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := s.migrate(ctx, len(migrations)); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
	}
}
