package workspace_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"masthead/assembly"
	"masthead/delivery"
	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
	"masthead/workspace"
)

func setup(t *testing.T) (*workspace.Service, *store.Store, *newsletter.Publication) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := &newsletter.Publication{Slug: "planet", Name: "The Daily Planet", From: "news@planet.example",
		TimeZone: "America/New_York", Schedule: "30 6 * * 1-5", VolumeStart: newsletter.Date{Year: 2007, Month: 2, Day: 7},
		Sections: []string{"Front Page", "News"}}
	p.Normalize()
	if err := st.SavePublication(ctx, p); err != nil {
		t.Fatal(err)
	}
	eng, err := delivery.New(st, delivery.NewOutbox(st), delivery.Config{BaseURL: "https://planet.example",
		Signer: subscribers.NewSigner([]byte("0123456789abcdef0123"))}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w, err := workspace.New(workspace.Config{Store: st, Sends: eng, BaseURL: "https://planet.example"})
	if err != nil {
		t.Fatal(err)
	}
	return w, st, p
}

func TestArrangeAndMove(t *testing.T) {
	ctx := context.Background()
	w, st, p := setup(t)
	d := newsletter.Date{Year: 2009, Month: 7, Day: 9}
	var ids []int64
	for _, x := range []struct{ title, section string }{{"A", "News"}, {"B", "News"}, {"C", "Front Page"}, {"D", "News"}} {
		a := &newsletter.Article{Date: d, Title: x.title, Section: x.section, Status: newsletter.Ready}
		if err := w.SaveArticle(ctx, p, a); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	order := func() string {
		list, err := st.ArticlesFor(ctx, p.ID, d, "")
		if err != nil {
			t.Fatal(err)
		}
		newsletter.SortArticles(p, list)
		s := ""
		for _, a := range list {
			s += a.Title
		}
		return s
	}
	if got := order(); got != "CABD" {
		t.Fatalf("new articles go last in their section: %s, want CABD", got)
	}
	if err := w.Move(ctx, p, ids[3], -1); err != nil { // D up
		t.Fatal(err)
	}
	if got := order(); got != "CADB" {
		t.Errorf("after moving D up: %s, want CADB", got)
	}
	if err := w.Move(ctx, p, ids[0], -1); err != nil { // A is first in News: stays
		t.Fatal(err)
	}
	if got := order(); got != "CADB" {
		t.Errorf("moving the first of a section up changed the order: %s", got)
	}
	if err := w.Arrange(ctx, p, d, []int64{ids[1], ids[0]}); err != nil { // B, A, then D
		t.Fatal(err)
	}
	if got := order(); got != "CBAD" {
		t.Errorf("after arranging B, A: %s, want CBAD", got)
	}
	if err := w.Arrange(ctx, p, d, []int64{999}); err == nil {
		t.Error("arranging an unknown article succeeded")
	}

	// Once the date's issue went out, its order is the order it went out in.
	iss, err := assembly.New(st, "https://planet.example").Assemble(ctx, p, d)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetIssueStatus(ctx, iss.ID, nil, newsletter.Sent, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := w.Move(ctx, p, ids[3], -1); !errors.Is(err, newsletter.ErrFrozen) {
		t.Errorf("moving an article of a sent issue: %v, want ErrFrozen", err)
	}
	if got := order(); got != "CBAD" {
		t.Errorf("a sent issue's articles were reordered: %s, want CBAD", got)
	}
}

func TestNextFiresInThePublicationsZone(t *testing.T) {
	_, _, p := setup(t)
	now := time.Date(2009, 7, 9, 12, 0, 0, 0, time.UTC) // a Thursday, 08:00 in New York
	fires, err := workspace.NextFires(p, now, 5)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fires {
		got = append(got, f.Format("Mon 2006-01-02 15:04 MST"))
	}
	want := []string{"Fri 2009-07-10 06:30 EDT", "Mon 2009-07-13 06:30 EDT", "Tue 2009-07-14 06:30 EDT",
		"Wed 2009-07-15 06:30 EDT", "Thu 2009-07-16 06:30 EDT"}
	if len(got) != len(want) {
		t.Fatalf("fires %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("fire %d: %s, want %s", i, got[i], want[i])
		}
	}
	p.Schedule = ""
	if fires, err := workspace.NextFires(p, now, 5); err != nil || len(fires) != 0 {
		t.Errorf("no schedule: %v %v", fires, err)
	}
}
