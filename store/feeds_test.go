package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"masthead/newsletter"
	"masthead/store"
	"masthead/store/storetest"
)

// A feed's life in the store, on every backend: added once per URL, claimed
// by one poller at a time, its items made into articles once, an edited
// item updating its article until the article's issue goes out, a deleted
// article not made again, a removed feed leaving its articles.
func TestBackendsFeeds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		p := bkPublication(t, st, "daily")
		t0 := time.Date(2009, 7, 9, 6, 0, 0, 0, time.UTC)
		f := &newsletter.Feed{PublicationID: p.ID, URL: "https://planet.example/feed/", Section: "News",
			Categories: map[string]string{"Baseball": "Sports"}, Status: newsletter.Ready, Content: newsletter.FeedFull,
			Interval: 15 * time.Minute, NextPoll: t0}
		if err := st.CreateFeed(ctx, f); err != nil {
			t.Fatal(err)
		}
		dup := *f
		if err := st.CreateFeed(ctx, &dup); !errors.Is(err, store.ErrConflict) {
			t.Errorf("the same URL twice: %v, want ErrConflict", err)
		}
		got, err := st.Feed(ctx, f.ID)
		if err != nil || got.Categories["Baseball"] != "Sports" || got.Interval != 15*time.Minute || !got.NextPoll.Equal(t0) {
			t.Fatalf("read back %+v, %v", got, err)
		}

		// One claim takes the due feed; a second, meanwhile, gets nothing.
		claimed, err := st.ClaimDueFeeds(ctx, t0, 5*time.Minute, 10)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim = %v, %v", claimed, err)
		}
		if again, err := st.ClaimDueFeeds(ctx, t0.Add(time.Minute), 5*time.Minute, 10); err != nil || len(again) != 0 {
			t.Fatalf("second claim = %v, %v", again, err)
		}

		d := bkDate(t, "2009-07-09")
		item := func(key, hash, title string) newsletter.FeedArticle {
			return newsletter.FeedArticle{Key: key, Hash: hash, Article: &newsletter.Article{Date: d, Section: "News",
				Title: title, Body: "Body of " + title, Status: newsletter.Ready, SourceURL: "https://planet.example/" + key}}
		}
		f = claimed[0]
		f.LastSuccess, f.NextPoll = t0, t0.Add(15*time.Minute)
		res, err := st.ApplyFeedPoll(ctx, f, []newsletter.FeedArticle{item("a", "1", "Heat"), item("b", "1", "Rain")})
		if err != nil || res.New != 2 {
			t.Fatalf("first poll = %+v, %v", res, err)
		}
		list, _ := st.ArticlesFor(ctx, p.ID, d, "")
		if len(list) != 2 || list[0].Position != 1 || list[1].Position != 2 || list[0].SourceURL != "https://planet.example/a" {
			t.Fatalf("articles = %+v", list)
		}
		// An editor moves "Heat" to draft; the feed edits it: the text changes, the status stays.
		heat := list[0]
		heat.Status = newsletter.Draft
		if err := st.SaveArticles(ctx, heat); err != nil {
			t.Fatal(err)
		}
		res, err = st.ApplyFeedPoll(ctx, f, []newsletter.FeedArticle{item("a", "2", "Heat Wave"), item("b", "1", "Rain")})
		if err != nil || res.New != 0 || res.Updated != 1 || res.Unchanged != 1 {
			t.Fatalf("second poll = %+v, %v", res, err)
		}
		if a, _ := st.Article(ctx, heat.ID); a.Title != "Heat Wave" || a.Status != newsletter.Draft || a.Position != 1 {
			t.Errorf("edited article = %+v", a)
		}

		// The date's issue goes out: a later edit leaves the article as sent.
		iss, err := bkAssemble(ctx, st, p.ID, d)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SetIssueStatus(ctx, iss.ID, []newsletter.IssueStatus{newsletter.Assembled}, newsletter.Sending, time.Time{}); err != nil {
			t.Fatal(err)
		}
		res, err = st.ApplyFeedPoll(ctx, f, []newsletter.FeedArticle{item("a", "3", "Heat Wave Ends")})
		if err != nil || res.Frozen != 1 || res.Updated != 0 {
			t.Fatalf("poll after the send = %+v, %v", res, err)
		}
		if a, _ := st.Article(ctx, heat.ID); a.Title != "Heat Wave" {
			t.Errorf("an article of a sent issue changed: %q", a.Title)
		}

		// An article an editor deleted is not made again when its item changes.
		rain := list[1]
		if err := st.DeleteArticle(ctx, rain.ID); err != nil {
			t.Fatal(err)
		}
		res, err = st.ApplyFeedPoll(ctx, f, []newsletter.FeedArticle{item("b", "2", "Rain Again")})
		if err != nil || res.Removed != 1 || res.New != 0 {
			t.Fatalf("poll after a deletion = %+v, %v", res, err)
		}

		// A failure is recorded without touching the articles.
		f.Failures, f.LastError, f.NextPoll = 1, "the server answered 500 Internal Server Error", t0.Add(time.Hour)
		if err := st.RecordFeedPoll(ctx, f); err != nil {
			t.Fatal(err)
		}
		if got, _ := st.Feed(ctx, f.ID); got.Failures != 1 || got.LastError != f.LastError || !got.LastSuccess.Equal(t0) {
			t.Errorf("recorded failure = %+v", got)
		}

		if err := st.DeleteFeed(ctx, f.ID); err != nil {
			t.Fatal(err)
		}
		if feeds, _ := st.Feeds(ctx, p.ID); len(feeds) != 0 {
			t.Errorf("feeds after removal = %v", feeds)
		}
		if a, err := st.Article(ctx, heat.ID); err != nil || a.Title != "Heat Wave" {
			t.Errorf("the removed feed's article: %+v, %v", a, err)
		}
		if _, err := st.ApplyFeedPoll(ctx, f, nil); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("poll of a removed feed: %v, want ErrNotFound", err)
		}
	})
}
