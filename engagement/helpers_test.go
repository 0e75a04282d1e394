package engagement

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"masthead/templates"
)

const testBase = "https://news.example"

// testSecret is a server secret for the tests.
func testSecret() []byte { return []byte("0123456789abcdef0123456789abcdef") }

// articleBodies are Markdown bodies with every kind of link an issue has.
func articleBodies() []string {
	return []string{
		`The council voted 7 to 3 for the harbour plan. The full text is on
[the council's website](https://council.example/plans/harbour?year=2009&part=1),
and the map is here: [![Harbour map](https://cdn.example/map.png)](https://maps.example/harbour).

Write to [the desk](mailto:desk@planet.example) or [call us](tel:+15551234).
See [the next story](#article-2) and [yesterday's issue](` + testBase + `/issues/sample/2009-07-08).`,
		`Temperatures climb past 100 for a third day, says <https://weather.example/today>.
The council's plan again: [the plan](https://council.example/plans/harbour?year=2009&part=1).
A relative [link](/local/page) and one to the newsroom's archive
[archive](https://planet.example/archive/2009/07/08).`,
	}
}

// renderIssue renders an issue of the built-in theme with articleBodies.
func renderIssue(t testing.TB) (html, text string) {
	t.Helper()
	theme, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	iss := &templates.Issue{
		PublicationName: "The Daily Planet", Tagline: "All the news that fits",
		Volume: 3, Number: 153, Date: "Thursday, July 9, 2009", ISODate: "2009-07-09",
		Copyright: "Copyright 2007-2009 - The Daily Planet, Metropolis. All rights reserved.",
		Address:   "1 Main St, Metropolis",
		WebURL:    testBase + "/issues/sample/2009-07-09", HomeURL: testBase + "/",
	}
	for i, md := range articleBodies() {
		h, txt, err := theme.Markdown(md)
		if err != nil {
			t.Fatal(err)
		}
		iss.Articles = append(iss.Articles, templates.Article{Anchor: fmt.Sprintf("article-%d", i+1),
			Section: "City", Title: fmt.Sprintf("Story %d", i+1), HTML: h, Text: txt})
	}
	html, text, err = theme.RenderEmail(iss)
	if err != nil {
		t.Fatal(err)
	}
	return html, text
}

// sqlStore is a store on a real SQLite file, as the store package will
// keep these tables: the link table of each issue, and the figures.
type sqlStore struct {
	db *sql.DB
}

func newSQLStore(t testing.TB) *sqlStore {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), "masthead.db")+"?_journal_mode=WAL&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	for _, q := range []string{
		`CREATE TABLE issues (id INTEGER PRIMARY KEY, publication_id INTEGER NOT NULL, per_recipient INTEGER NOT NULL)`,
		`CREATE TABLE issue_links (issue_id INTEGER NOT NULL, idx INTEGER NOT NULL, url TEXT NOT NULL,
			text TEXT NOT NULL, anchor TEXT NOT NULL, PRIMARY KEY (issue_id, idx))`,
		`CREATE TABLE engagement_counts (publication_id INTEGER NOT NULL, issue_id INTEGER NOT NULL,
			kind INTEGER NOT NULL, link INTEGER NOT NULL, hour INTEGER NOT NULL, automatic INTEGER NOT NULL,
			events INTEGER NOT NULL, readers INTEGER NOT NULL, issue_readers INTEGER NOT NULL,
			PRIMARY KEY (issue_id, kind, link, hour, automatic))`,
		`CREATE TABLE reader_events (publication_id INTEGER NOT NULL, issue_id INTEGER NOT NULL,
			recipient INTEGER NOT NULL, kind INTEGER NOT NULL, link INTEGER NOT NULL, hour INTEGER NOT NULL,
			automatic INTEGER NOT NULL)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return &sqlStore{db: db}
}

// saveIssue stores an issue's link table, as the wiring does when it
// stores the rewritten issue.
func (s *sqlStore) saveIssue(t testing.TB, issueID, pubID int64, perRecipient bool, links []Link) {
	t.Helper()
	tx, err := s.db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`INSERT OR REPLACE INTO issues (id, publication_id, per_recipient) VALUES (?, ?, ?)`,
		issueID, pubID, perRecipient); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`DELETE FROM issue_links WHERE issue_id = ?`, issueID); err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		if _, err := tx.Exec(`INSERT INTO issue_links (issue_id, idx, url, text, anchor) VALUES (?, ?, ?, ?, ?)`,
			issueID, l.Index, l.URL, l.Text, l.Anchor); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func (s *sqlStore) IssueLinks(ctx context.Context, issueID int64) (*IssueLinks, error) {
	t := &IssueLinks{IssueID: issueID}
	err := s.db.QueryRowContext(ctx, `SELECT publication_id, per_recipient FROM issues WHERE id = ?`, issueID).
		Scan(&t.PublicationID, &t.PerRecipient)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT idx, url, text, anchor FROM issue_links WHERE issue_id = ? ORDER BY idx`, issueID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var l Link
		if err := rows.Scan(&l.Index, &l.URL, &l.Text, &l.Anchor); err != nil {
			return nil, err
		}
		t.Links = append(t.Links, l)
	}
	return t, rows.Err()
}

func (s *sqlStore) Write(ctx context.Context, b Batch) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, c := range b.Counts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO engagement_counts
			(publication_id, issue_id, kind, link, hour, automatic, events, readers, issue_readers)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (issue_id, kind, link, hour, automatic) DO UPDATE SET
			events = events + excluded.events, readers = readers + excluded.readers,
			issue_readers = issue_readers + excluded.issue_readers`,
			c.PublicationID, c.IssueID, c.Kind, c.Link, c.Hour.Unix(), c.Automatic, c.Events, c.Readers, c.IssueReaders); err != nil {
			return err
		}
	}
	for _, r := range b.Readers {
		if _, err := tx.ExecContext(ctx, `INSERT INTO reader_events
			(publication_id, issue_id, recipient, kind, link, hour, automatic) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			r.PublicationID, r.IssueID, r.Recipient, r.Kind, r.Link, r.Hour.Unix(), r.Automatic); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// linkFigures are one link's totals in the store.
type linkFigures struct{ clicks, readers, automatic int64 }

func (s *sqlStore) figures(t testing.TB, issueID int64) map[int]linkFigures {
	t.Helper()
	rows, err := s.db.Query(`SELECT link,
		SUM(CASE WHEN automatic = 0 THEN events ELSE 0 END),
		SUM(CASE WHEN automatic = 0 THEN readers ELSE 0 END),
		SUM(CASE WHEN automatic = 1 THEN events ELSE 0 END)
		FROM engagement_counts WHERE issue_id = ? AND kind = ? GROUP BY link`, issueID, Click)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int]linkFigures{}
	for rows.Next() {
		var l int
		var f linkFigures
		if err := rows.Scan(&l, &f.clicks, &f.readers, &f.automatic); err != nil {
			t.Fatal(err)
		}
		out[l] = f
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// at is a fixed time of the tests: an issue sent at 06:00 UTC.
func at(d time.Duration) time.Time { return time.Date(2009, 7, 9, 6, 0, 0, 0, time.UTC).Add(d) }

// Browsers' user agents as readers send them.
const (
	uaFirefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
	uaIPhone  = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
