package store

import (
	"context"
	"errors"
	"strings"
	"testing"

	"masthead/newsletter"
)

// TestArticleKeysOnEveryBackend runs the tests of articles by key on both
// databases.
func TestArticleKeysOnEveryBackend(t *testing.T) {
	for _, c := range []struct {
		name string
		fn   func(t *testing.T, dsn string)
	}{
		{"MigrationKeepsEveryArticle", testArticleKeyMigrationKeepsEveryArticle},
		{"ImportMatchesByKeyOnly", testImportMatchesByKeyOnly},
		{"UpsertLeavesFrozenIssuesAlone", testUpsertLeavesFrozenIssuesAlone},
		{"AssignedKeys", testAssignedKeys},
	} {
		t.Run(c.name, func(t *testing.T) { eachBackend(t, c.fn) })
	}
}

// keyMigration is the version the article key's migration brings the
// schema to.
func keyMigration(t *testing.T) int {
	t.Helper()
	for i, m := range migrations {
		if strings.Contains(strings.Join(m, "\n"), "ADD COLUMN article_key") {
			return i + 1
		}
	}
	t.Fatal("no migration adds the article key")
	return 0
}

var july9 = newsletter.Date{Year: 2009, Month: 7, Day: 9}

// A database of the schema before keys, holding two articles with one
// headline on one date (as two files imported by hand could make), keeps
// both once migrated, each with its own assigned key.
func testArticleKeyMigrationKeepsEveryArticle(t *testing.T, dsn string) {
	ctx := context.Background()
	old, err := openAt(ctx, dsn, nil, keyMigration(t)-1)
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := old.db.ExecContext(ctx, old.q(q), args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO publications (slug, name, from_addr, volume_start, created_at, updated_at)
		VALUES ('daily', 'The Daily', 'news@example.org', '2007-02-07', 1, 1)`)
	var pubID int64
	if err := old.db.QueryRowContext(ctx, `SELECT id FROM publications`).Scan(&pubID); err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"First letter.", "Second letter.", "A third."} {
		exec(`INSERT INTO articles (publication_id, issue_date, title, body, created_at, updated_at) VALUES (?, ?, ?, ?, 1, 1)`,
			pubID, "2009-07-09", "Letters to the editor", body)
	}
	old.Close()

	s, err := Open(ctx, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	list, err := s.ArticlesFor(ctx, pubID, july9, "")
	if err != nil || len(list) != 3 {
		t.Fatalf("after the migration: %d articles, %v; want all 3", len(list), err)
	}
	keys := map[string]bool{}
	for _, a := range list {
		if a.Key != newsletter.AssignedKey(a.ID) {
			t.Errorf("article %d: key %q, want %q", a.ID, a.Key, newsletter.AssignedKey(a.ID))
		}
		keys[a.Key] = true
	}
	if len(keys) != 3 {
		t.Errorf("keys %v: want three", keys)
	}
	// The assigned key updates the article in place from then on.
	a := &newsletter.Article{PublicationID: pubID, Key: list[1].Key, Date: july9, Title: "Letters", Body: "Edited.", Status: newsletter.Ready}
	changes, err := s.ImportArticles(ctx, a)
	if err != nil || changes[0] != newsletter.ArticleUpdated || a.ID != list[1].ID {
		t.Fatalf("import by the assigned key: %v, %v, article %d; want article %d updated", changes, err, a.ID, list[1].ID)
	}
	// The key is unique within the publication.
	_, err = s.db.ExecContext(ctx, s.q(`UPDATE articles SET article_key = ? WHERE id = ?`), list[0].Key, list[2].ID)
	if err == nil || !s.dialect.isUnique(err) {
		t.Errorf("two articles with one key: %v, want a unique violation", err)
	}
}

func keyFixture(t *testing.T, dsn string) (*Store, int64) {
	t.Helper()
	f := newSendFixtureAt(t, dsn, 0) // an assembled issue of July 9
	return f.s, f.pubID
}

func art(pubID int64, key, title, body string) *newsletter.Article {
	return &newsletter.Article{PublicationID: pubID, Key: key, Date: july9.AddDays(1), Title: title, Body: body, Status: newsletter.Ready}
}

// Two articles with one headline are two articles; a new headline with the
// same key updates the article in place.
func testImportMatchesByKeyOnly(t *testing.T, dsn string) {
	ctx := context.Background()
	s, pubID := keyFixture(t, dsn)
	first, second := art(pubID, "letters-1", "Letters to the editor", "One."), art(pubID, "letters-2", "Letters to the editor", "Two.")
	changes, err := s.ImportArticles(ctx, first, second)
	if err != nil || changes[0] != newsletter.ArticleCreated || changes[1] != newsletter.ArticleCreated || first.ID == second.ID {
		t.Fatalf("two letters: %v, %v, ids %d %d; want two created", changes, err, first.ID, second.ID)
	}
	if first.Position != 1 || second.Position != 2 {
		t.Errorf("positions %d, %d; want 1, 2 (each new one last)", first.Position, second.Position)
	}
	fixed := art(pubID, "letters-1", "Letters to the Editor", "One.")
	again := art(pubID, "letters-2", "Letters to the editor", "Two.")
	changes, err = s.ImportArticles(ctx, fixed, again)
	if err != nil || changes[0] != newsletter.ArticleUpdated || changes[1] != newsletter.ArticleUnchanged {
		t.Fatalf("headline fixed: %v, %v; want updated, unchanged", changes, err)
	}
	if fixed.ID != first.ID || fixed.Position != 1 {
		t.Errorf("fixed headline: article %d at %d; want article %d kept at 1", fixed.ID, fixed.Position, first.ID)
	}
	list, _ := s.ArticlesFor(ctx, pubID, july9.AddDays(1), "")
	if len(list) != 2 || list[0].Title != "Letters to the Editor" {
		t.Fatalf("articles: %+v; want the two letters, the first renamed", list)
	}
	// Two articles with one key in one import: refused, nothing stored.
	_, err = s.ImportArticles(ctx, art(pubID, "k", "A", ""), art(pubID, "k", "B", ""))
	var fes newsletter.Errors
	if !errors.As(err, &fes) || !strings.Contains(err.Error(), `"A"`) || !strings.Contains(err.Error(), `"B"`) {
		t.Errorf("one key twice: %v; want a refusal naming both", err)
	}
	// All or nothing: a bad article after a good one leaves neither.
	_, err = s.ImportArticles(ctx, art(pubID, "new", "New", ""), art(pubID, "a999", "Taken form", ""))
	if err == nil {
		t.Fatal("an import with a key of the assigned form naming no article succeeded")
	}
	if _, err := s.ArticleByKey(ctx, pubID, "new"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the good article of a failed import: %v; want not stored", err)
	}
}

// A feed's upsert creates, updates, reports no change, and leaves the
// articles of an issue that went out alone.
func testUpsertLeavesFrozenIssuesAlone(t *testing.T, dsn string) {
	ctx := context.Background()
	s, pubID := keyFixture(t, dsn)
	up := func(a *newsletter.Article) newsletter.ArticleChange {
		t.Helper()
		c, err := s.UpsertArticleByKey(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a := art(pubID, "feed:1:guid-1", "Ferry", "v1")
	a.Date = july9
	if c := up(a); c != newsletter.ArticleCreated {
		t.Fatalf("first: %s", c)
	}
	b := art(pubID, "feed:1:guid-1", "Ferry", "v1")
	b.Date = july9
	if c := up(b); c != newsletter.ArticleUnchanged || b.ID != a.ID {
		t.Fatalf("same again: %s, article %d", c, b.ID)
	}
	b.Body = "v2"
	if c := up(b); c != newsletter.ArticleUpdated {
		t.Fatalf("changed: %s", c)
	}
	// The issue of July 9 goes out: the article stays as it went.
	iss, err := s.IssueByDate(ctx, pubID, july9)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, s.q(`UPDATE issues SET status = ? WHERE id = ?`), string(newsletter.Sent), iss.ID); err != nil {
		t.Fatal(err)
	}
	c := art(pubID, "feed:1:guid-1", "Ferry", "v3")
	c.Date = july9
	if got := up(c); got != newsletter.ArticleFrozen || c.ID != a.ID {
		t.Fatalf("after the send: %s, article %d; want frozen, article %d", got, c.ID, a.ID)
	}
	// The same item again is no change, frozen or not.
	same := art(pubID, "feed:1:guid-1", "Ferry", "v2")
	same.Date = july9
	if got := up(same); got != newsletter.ArticleUnchanged {
		t.Fatalf("unchanged after the send: %s", got)
	}
	// Nor can a new item go into it.
	d := art(pubID, "feed:1:guid-2", "Late", "x")
	d.Date = july9
	if got := up(d); got != newsletter.ArticleFrozen || d.ID != 0 {
		t.Fatalf("new item for a sent date: %s, article %d", got, d.ID)
	}
	stored, err := s.Article(ctx, a.ID)
	if err != nil || stored.Body != "v2" {
		t.Fatalf("stored: %+v, %v; want v2 kept", stored, err)
	}
	// An import (an editor's own files) updates it anyway: the sent issue
	// keeps its copy.
	changes, err := s.ImportArticles(ctx, c)
	if err != nil || changes[0] != newsletter.ArticleUpdated {
		t.Fatalf("import over a sent date: %v, %v", changes, err)
	}
}

// An article saved without a key gets "a" and its id; that form is refused
// for any other article.
func testAssignedKeys(t *testing.T, dsn string) {
	ctx := context.Background()
	s, pubID := keyFixture(t, dsn)
	a, b := art(pubID, "", "One", ""), art(pubID, "", "Two", "")
	if err := s.SaveArticles(ctx, a, b); err != nil {
		t.Fatal(err)
	}
	if a.Key != newsletter.AssignedKey(a.ID) || b.Key != newsletter.AssignedKey(b.ID) {
		t.Fatalf("keys %q, %q for articles %d, %d", a.Key, b.Key, a.ID, b.ID)
	}
	got, err := s.ArticleByKey(ctx, pubID, a.Key)
	if err != nil || got.ID != a.ID {
		t.Fatalf("by key %q: %v, %v", a.Key, got, err)
	}
	// Saving with no key keeps the stored one.
	a.Key, a.Title = "", "One, edited"
	if err := s.SaveArticles(ctx, a); err != nil || a.Key != newsletter.AssignedKey(a.ID) {
		t.Fatalf("saved without a key: %q, %v", a.Key, err)
	}
	b.Key = a.Key
	if err := s.SaveArticles(ctx, b); err == nil {
		t.Error("article b took article a's assigned key")
	}
	b.Key = "letters"
	if err := s.SaveArticles(ctx, b); err != nil {
		t.Fatal(err)
	}
	c := art(pubID, "letters", "Three", "")
	if err := s.SaveArticles(ctx, c); !errors.Is(err, ErrConflict) {
		t.Errorf("a second article with key letters: %v; want ErrConflict", err)
	}
}
