package workspace_test

import (
	"context"
	"strings"
	"testing"

	"masthead/newsletter"
)

// The operation a feed calls: an item's key creates the article, then
// updates it in place whatever its headline becomes; an unknown section or
// a missing key is refused before anything is stored.
func TestUpsertArticleByKey(t *testing.T) {
	ctx := context.Background()
	w, st, p := setup(t)
	d := newsletter.Date{Year: 2009, Month: 7, Day: 9}
	item := func(title string) *newsletter.Article {
		return &newsletter.Article{Key: "feed:1:https://planet.example/ferry", Date: d, Section: "News", Title: title, Body: "b", Status: newsletter.Draft}
	}
	for i, c := range []struct {
		title string
		want  newsletter.ArticleChange
	}{{"Ferry strike", newsletter.ArticleCreated}, {"Ferry strike", newsletter.ArticleUnchanged}, {"Ferry strike ends", newsletter.ArticleUpdated}} {
		a := item(c.title)
		got, err := w.UpsertArticle(ctx, p, a)
		if err != nil || got != c.want {
			t.Fatalf("upsert %d (%q): %s, %v; want %s", i+1, c.title, got, err, c.want)
		}
	}
	list, err := st.ArticlesFor(ctx, p.ID, d, "")
	if err != nil || len(list) != 1 || list[0].Title != "Ferry strike ends" {
		t.Fatalf("articles: %v, %v; want the one, renamed", list, err)
	}
	bad := item("Comic")
	bad.Section = "Comics"
	if _, err := w.UpsertArticle(ctx, p, bad); err == nil || !strings.Contains(err.Error(), "section") {
		t.Errorf("an unknown section: %v", err)
	}
	noKey := item("No key")
	noKey.Key = ""
	if _, err := w.UpsertArticle(ctx, p, noKey); err == nil || !strings.Contains(err.Error(), "key") {
		t.Errorf("no key: %v", err)
	}
	if list, _ := st.ArticlesFor(ctx, p.ID, d, ""); len(list) != 1 {
		t.Errorf("refused upserts stored articles: %d", len(list))
	}
}
