package workspace_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"masthead/newsletter"
	"masthead/store"
	"masthead/workspace"
)

// A process that renders a sending issue's links under another base URL
// than the one its send started with is refused with what to do about it.
func TestLinksUnderAnotherBaseURL(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "l.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := &newsletter.Publication{Slug: "planet", Name: "The Daily Planet", From: "news@planet.example",
		TimeZone: "UTC", VolumeStart: newsletter.Date{Year: 2007, Month: 2, Day: 7}}
	p.Normalize()
	if err := st.SavePublication(ctx, p); err != nil {
		t.Fatal(err)
	}
	iss, err := st.AssembleIssue(ctx, p.ID, newsletter.Date{Year: 2009, Month: 7, Day: 9},
		func(*newsletter.Issue, newsletter.Numberer) (*newsletter.Issue, error) {
			return &newsletter.Issue{Volume: 3, Number: 153, Status: newsletter.Assembled, Subject: "Today",
				HTML: `<p><a href="http://127.0.0.1:8080/issues/planet/2009-07-09">Read it on the web</a> and <a href="https://news.example/a">a story</a></p>`,
				Text: "Read it on the web <http://127.0.0.1:8080/issues/planet/2009-07-09>"}, nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.StartSend(ctx, iss.ID, newsletter.Statuses(newsletter.IssueStatus.EditorCanStart), ""); err != nil {
		t.Fatal(err)
	}
	secret := []byte("0123456789abcdef0123456789abcdef")
	if _, err := workspace.NewLinks(st, secret, "http://127.0.0.1:8080").Prepare(ctx, p, iss); err != nil {
		t.Fatal(err)
	}
	_, err = workspace.NewLinks(st, secret, "http://127.0.0.1:8091").Prepare(ctx, p, iss)
	if !errors.Is(err, store.ErrLinksDiffer) || !strings.Contains(err.Error(), "this process makes planet's links under http://127.0.0.1:8091: "+
		"give every process that sends it the same --base-url, or the publication its own ('masthead publication set planet --base-url URL')") {
		t.Fatalf("links under another base URL: %v", err)
	}
}
