package workspace_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/feeds"
	"masthead/feeds/poller"
	"masthead/newsletter"
	"masthead/store"
	"masthead/workspace"
)

// newsroom is a newsroom's web server: each path serves what the test
// publishes there, with an ETag that answers a conditional GET with 304.
type newsroom struct {
	*httptest.Server
	mu    sync.Mutex
	pages map[string]page
	hits  map[string]int
}

type page struct {
	body        []byte
	contentType string
	etag        string
	handler     http.HandlerFunc // when set, answers instead
}

func newNewsroom(t *testing.T) *newsroom {
	n := &newsroom{pages: map[string]page{}, hits: map[string]int{}}
	n.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.mu.Lock()
		p, ok := n.pages[r.URL.Path]
		n.hits[r.URL.Path]++
		n.mu.Unlock()
		switch {
		case !ok:
			http.NotFound(w, r)
		case p.handler != nil:
			p.handler(w, r)
		case p.etag != "" && r.Header.Get("If-None-Match") == p.etag:
			w.Header().Set("ETag", p.etag)
			w.WriteHeader(http.StatusNotModified)
		default:
			w.Header().Set("Content-Type", p.contentType)
			if p.etag != "" {
				w.Header().Set("ETag", p.etag)
			}
			w.Write(p.body)
		}
	}))
	t.Cleanup(n.Close)
	return n
}

func (n *newsroom) publish(path string, p page) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.pages[path] = p
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../feeds/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// feedSetup is a workspace whose poller may fetch from 127.0.0.1 (the
// newsroom of the test), over a publication in New York's zone.
func feedSetup(t *testing.T) (*workspace.Service, *store.Store, *newsletter.Publication) {
	t.Helper()
	_, st, p := setup(t)
	pl := poller.New(poller.Config{Store: st, Fetch: feeds.Options{AllowPrivate: true, Timeout: 10 * time.Second}})
	t.Cleanup(pl.Close)
	w, err := workspace.New(workspace.Config{Store: st, Feeds: pl, BaseURL: "https://planet.example"})
	if err != nil {
		t.Fatal(err)
	}
	return w, st, p
}

func addFeed(t *testing.T, w *workspace.Service, p *newsletter.Publication, f *newsletter.Feed) *newsletter.Feed {
	t.Helper()
	if err := w.AddFeed(context.Background(), p, f); err != nil {
		t.Fatal(err)
	}
	return f
}

func poll(t *testing.T, w *workspace.Service, p *newsletter.Publication, id int64) poller.Result {
	t.Helper()
	r, err := w.PollFeed(context.Background(), p, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// byURL is the publication's articles by their page on the site.
func byURL(t *testing.T, st *store.Store, p *newsletter.Publication) map[string]*newsletter.Article {
	t.Helper()
	list, err := st.Articles(context.Background(), store.ArticleFilter{PublicationID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*newsletter.Article{}
	for _, a := range list {
		out[a.SourceURL] = a
	}
	return out
}

// A newsroom's WordPress feed through its life: the first poll makes an
// article of each item on its date in the publication's zone, with its
// link and lead image; a 304 changes nothing; an edited item updates its
// article in place, a new one is added, one that left the feed stays; once
// the date's issue is sent, an edit no longer reaches it; a 500, a 50 MB
// body and a redirect loop are recorded as the feed's error, with backoff,
// and lose nothing.
func TestFeedPollThroughItsLife(t *testing.T) {
	ctx := context.Background()
	w, st, p := feedSetup(t)
	room := newNewsroom(t)
	room.publish("/feed/", page{body: fixture(t, "planet-rss2.xml"), contentType: "application/rss+xml", etag: `"v1"`})
	f := addFeed(t, w, p, &newsletter.Feed{URL: room.URL + "/feed/", Section: "News",
		Categories: map[string]string{"city": "Front Page"}, Interval: 10 * time.Minute})

	r := poll(t, w, p, f.ID)
	if r.Err != nil || r.Poll.New != 3 || r.Poll.Updated != 0 {
		t.Fatalf("first poll = %+v, %v", r.Poll, r.Err)
	}
	got := byURL(t, st, p)
	heat := got["https://planet.example/2009/07/09/heat-wave-arrives/"]
	council := got["https://planet.example/2009/07/08/harbour-bridge/"]
	if heat == nil || council == nil || len(got) != 3 {
		t.Fatalf("articles by link (tracking parameters dropped): %v", keys(got))
	}
	if want := fmt.Sprintf("feed:%d:https://planet.example/?p=4812", f.ID); heat.Key != want {
		t.Errorf("heat wave article's key %q, want %q (the feed and the item's GUID)", heat.Key, want)
	}
	if heat.Date.String() != "2009-07-09" || heat.Section != "Front Page" || heat.Status != newsletter.Ready ||
		heat.Author != "Lois Lane" || heat.SourceImage != "https://planet.example/wp-content/uploads/2009/07/heat.jpg" {
		t.Errorf("heat wave article = %+v", heat)
	}
	if !strings.Contains(heat.Body, "**100 degrees**") || !strings.Contains(heat.Body, "(https://planet.example/2009/07/08/cooling-centres/)") {
		t.Errorf("heat wave body (the full text, links made absolute) = %q", heat.Body)
	}
	// Wed 08 Jul 2009 23:30 -0400 is the 9th in UTC and the 8th in New York.
	if council.Date.String() != "2009-07-08" {
		t.Errorf("council article dated %s, want 2009-07-08 (the publication's zone)", council.Date)
	}

	// Unchanged: the conditional GET is answered 304 and nothing is written.
	r = poll(t, w, p, f.ID)
	if r.Err != nil || !r.Poll.NotModified || r.Poll.New+r.Poll.Updated+r.Poll.Unchanged != 0 || room.hits["/feed/"] != 2 {
		t.Fatalf("poll answered 304 = %+v, %v", r.Poll, r.Err)
	}

	// The feed is edited: the heat wave's headline changes, a sea breeze
	// story is added, the council story leaves the feed.
	room.publish("/feed/", page{body: fixture(t, "planet-rss2-edited.xml"), contentType: "application/rss+xml", etag: `"v2"`})
	r = poll(t, w, p, f.ID)
	if r.Err != nil || r.Poll.New != 1 || r.Poll.Updated != 1 {
		t.Fatalf("poll of the edited feed = %+v, %v", r.Poll, r.Err)
	}
	got = byURL(t, st, p)
	if len(got) != 4 || got["https://planet.example/2009/07/08/harbour-bridge/"] == nil {
		t.Fatalf("after the edit: %v (the item that left the feed stays)", keys(got))
	}
	edited := got["https://planet.example/2009/07/09/heat-wave-arrives/"]
	if edited.ID != heat.ID || edited.Title != "Heat Wave Arrives as Temperatures Top 101°" || edited.Position != heat.Position {
		t.Errorf("edited article = %+v, want article %d updated in place", edited, heat.ID)
	}

	// The 9th goes out; a later edit of its article is not taken.
	iss, err := w.Assemble(ctx, p, heat.Date)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetIssueStatus(ctx, iss.ID, []newsletter.IssueStatus{iss.Status}, newsletter.Sent, time.Time{}); err != nil {
		t.Fatal(err)
	}
	room.publish("/feed/", page{body: bytes.ReplaceAll(fixture(t, "planet-rss2-edited.xml"), []byte("Top 101"), []byte("Top 102")),
		contentType: "application/rss+xml", etag: `"v3"`})
	r = poll(t, w, p, f.ID)
	if r.Err != nil || r.Poll.Frozen != 1 || r.Poll.Updated != 0 {
		t.Fatalf("poll after the send = %+v, %v", r.Poll, r.Err)
	}
	if a, _ := st.Article(ctx, heat.ID); a.Title != edited.Title {
		t.Errorf("an article of a sent issue changed to %q", a.Title)
	}

	// Failures: each recorded as the feed's error, with backoff, nothing lost.
	failures := []struct {
		name    string
		handler http.HandlerFunc
		want    string
		is      error
	}{
		{"500", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "database down", http.StatusInternalServerError)
		}, "500 Internal Server Error", nil},
		{"50 MB", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/rss+xml")
			chunk := bytes.Repeat([]byte("<!-- padding -->"), 64<<10) // 1 MiB
			for range 50 {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, "too large", feeds.ErrTooLarge},
		{"redirect loop", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/moved/", http.StatusFound)
		}, "redirect loop", feeds.ErrRedirectLoop},
	}
	room.publish("/moved/", page{handler: func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/feed/", http.StatusMovedPermanently)
	}})
	for i, c := range failures {
		room.publish("/feed/", page{handler: c.handler})
		r = poll(t, w, p, f.ID)
		if r.Err == nil || !strings.Contains(r.Err.Error(), c.want) || (c.is != nil && !errors.Is(r.Err, c.is)) {
			t.Errorf("%s: poll error %v, want %q", c.name, r.Err, c.want)
		}
		list, err := w.ListFeeds(ctx, p)
		if err != nil || len(list) != 1 {
			t.Fatalf("feeds = %v, %v", list, err)
		}
		fl := list[0]
		if fl.Failures != i+1 || !strings.Contains(fl.LastError, c.want) || fl.LastSuccess.IsZero() {
			t.Errorf("%s: feed list shows failures %d, error %q, last success %v", c.name, fl.Failures, fl.LastError, fl.LastSuccess)
		}
		if want := feeds.NextPoll(fl.LastAttempt, i+1, f.Interval); !fl.NextPoll.Equal(want.Truncate(time.Millisecond)) {
			t.Errorf("%s: next poll %v, want %v (backoff)", c.name, fl.NextPoll, want)
		}
		if now := byURL(t, st, p); len(now) != 4 {
			t.Errorf("%s: articles after the failure: %v", c.name, keys(now))
		}
	}

	// It comes back: the error is cleared, the failures count from 0.
	room.publish("/feed/", page{body: fixture(t, "planet-rss2-edited.xml"), contentType: "application/rss+xml", etag: `"v2"`})
	r = poll(t, w, p, f.ID)
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if fl, _ := w.Feed(ctx, p, f.ID); fl.Failures != 0 || fl.LastError != "" {
		t.Errorf("after recovery: failures %d, error %q", fl.Failures, fl.LastError)
	}

	// Removed, its articles stay.
	if err := w.RemoveFeed(ctx, p, f.ID); err != nil {
		t.Fatal(err)
	}
	if now := byURL(t, st, p); len(now) != 4 {
		t.Errorf("articles after removing the feed: %v", keys(now))
	}
}

func keys(m map[string]*newsletter.Article) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Atom with xml:base and relative links, and JSON Feed, as excerpts: links
// resolved against the feed's base, dates in the publication's zone.
func TestFeedPollAtomAndJSONFeed(t *testing.T) {
	w, st, p := feedSetup(t)
	room := newNewsroom(t)
	room.publish("/feeds/all.atom", page{body: fixture(t, "gazette-atom.xml"), contentType: "application/atom+xml"})
	room.publish("/feed.json", page{body: fixture(t, "bulletin.json"), contentType: "application/feed+json"})
	atom := addFeed(t, w, p, &newsletter.Feed{URL: room.URL + "/feeds/all.atom", Section: "News", Status: newsletter.Draft})
	jf := addFeed(t, w, p, &newsletter.Feed{URL: room.URL + "/feed.json", Content: newsletter.FeedExcerpt})
	results, err := w.PollFeeds(context.Background(), p)
	if err != nil || len(results) != 2 {
		t.Fatalf("poll = %v, %v", results, err)
	}
	for _, r := range results {
		if r.Err != nil || r.Poll.New == 0 {
			t.Errorf("feed %s: %+v, %v", r.Feed.URL, r.Poll, r.Err)
		}
	}
	got := byURL(t, st, p)
	ferry := got["https://gazette.example/news/2009/07/ferry-strike-ends"]
	if ferry == nil {
		t.Fatalf("no ferry article (xml:base resolved) among %v", keys(got))
	}
	// 2009-07-09T00:20:00+01:00 is still the 8th in New York.
	if ferry.Date.String() != "2009-07-08" || ferry.Status != newsletter.Draft || ferry.Section != "News" ||
		ferry.SourceImage != "https://gazette.example/media/ferry-chart.png" {
		t.Errorf("ferry article = %+v", ferry)
	}
	if got["https://gazette.example/events/lifeboat-open-day"] == nil {
		t.Errorf("no lifeboat article (relative link against xml:base) among %v", keys(got))
	}
	var budget *newsletter.Article
	for _, a := range got {
		if a.Title == "School Board Adopts Budget" {
			budget = a
		}
	}
	// 2009-07-09T20:30:00-07:00 is the 10th in UTC and the 9th in New York.
	if budget == nil || budget.Date.String() != "2009-07-09" || budget.Deck != "" || budget.Key != fmt.Sprintf("feed:%d:2009-07-09-school-budget", jf.ID) {
		t.Fatalf("school budget article = %+v", budget)
	}
	// The JSON feed gives no validators: the same bytes again are not read again.
	if r := poll(t, w, p, jf.ID); r.Err != nil || !r.Poll.NotModified {
		t.Errorf("second poll of the JSON feed = %+v, %v (the same bytes: not modified)", r.Poll, r.Err)
	}
	// An item edited: only it changes; nothing is made twice.
	edited := bytes.Replace(fixture(t, "bulletin.json"), []byte("School Board Adopts Budget"), []byte("School Board Adopts a Budget"), 1)
	room.publish("/feed.json", page{body: edited, contentType: "application/feed+json"})
	if r := poll(t, w, p, jf.ID); r.Err != nil || r.Poll.New != 0 || r.Poll.Updated != 1 || r.Poll.Unchanged == 0 {
		t.Errorf("poll of the edited JSON feed = %+v, %v", r.Poll, r.Err)
	}
	_ = atom
}

// A feed whose CMS was broken into: scripts, event handlers and javascript:
// links never reach the article, its email or its web page.
func TestFeedPollSanitises(t *testing.T) {
	ctx := context.Background()
	w, st, p := feedSetup(t)
	room := newNewsroom(t)
	room.publish("/rss", page{body: fixture(t, "hostile-rss2.xml"), contentType: "application/rss+xml"})
	f := addFeed(t, w, p, &newsletter.Feed{URL: room.URL + "/rss"})
	if r := poll(t, w, p, f.ID); r.Err != nil || r.Poll.New != 1 {
		t.Fatalf("poll = %+v, %v", r.Poll, r.Err)
	}
	list, err := st.Articles(ctx, store.ArticleFilter{PublicationID: p.ID})
	if err != nil || len(list) != 1 {
		t.Fatalf("articles = %v, %v", list, err)
	}
	a := list[0]
	if a.Title != "Ordinary Headline" || a.SourceURL != "" {
		t.Errorf("title %q, link %q", a.Title, a.SourceURL)
	}
	iss, err := w.Assemble(ctx, p, a.Date)
	if err != nil {
		t.Fatal(err)
	}
	// The fixture's last paragraph shows "[click](javascript:...)" and
	// "<script>" as text, which they stay: escaped, never a link or a tag.
	for name, s := range map[string]string{"body": a.Body, "html": iss.HTML} {
		low := strings.ToLower(s)
		for _, bad := range []string{"<script", "onerror", "onclick", "onload", "onmouseover", `href="javascript`,
			`src="javascript`, "<iframe", "<form", "<svg", "<object", "<embed", "http-equiv", "vbscript:", "data:text"} {
			if strings.Contains(low, bad) {
				t.Errorf("%s has %q:\n%s", name, bad, s)
			}
		}
	}
	if strings.Count(strings.ToLower(iss.HTML), "javascript:") != 2 || !strings.Contains(iss.HTML, "&lt;script&gt;alert(11)") {
		t.Errorf("the email's HTML has javascript: other than as the fixture's text:\n%s", iss.HTML)
	}
	if !strings.Contains(a.Body, "First paragraph survives") || !strings.Contains(a.Body, "https://compromised.example/ok") {
		t.Errorf("the harmless text is gone: %q", a.Body)
	}
}

// An address the fetcher refuses (loopback, without AllowPrivate) is the
// feed's error, said so.
func TestFeedPollRefusesPrivateAddresses(t *testing.T) {
	_, st, p := setup(t)
	pl := poller.New(poller.Config{Store: st})
	defer pl.Close()
	w, err := workspace.New(workspace.Config{Store: st, Feeds: pl})
	if err != nil {
		t.Fatal(err)
	}
	room := newNewsroom(t)
	room.publish("/feed/", page{body: fixture(t, "planet-rss2.xml"), contentType: "application/rss+xml"})
	f := addFeed(t, w, p, &newsletter.Feed{URL: room.URL + "/feed/"})
	r := poll(t, w, p, f.ID)
	if !errors.Is(r.Err, feeds.ErrAddress) {
		t.Errorf("poll of 127.0.0.1 = %v, want ErrAddress", r.Err)
	}
	if room.hits["/feed/"] != 0 {
		t.Errorf("the refused address was fetched %d times", room.hits["/feed/"])
	}
}

// Bad input to AddFeed names the field and stores nothing.
func TestAddFeedRefusesBadInput(t *testing.T) {
	ctx := context.Background()
	w, _, p := feedSetup(t)
	for _, c := range []struct {
		f    newsletter.Feed
		want string
	}{
		{newsletter.Feed{URL: "ftp://planet.example/feed"}, "url"},
		{newsletter.Feed{URL: "https://planet.example/feed", Section: "Comics"}, `unknown section "Comics"`},
		{newsletter.Feed{URL: "https://planet.example/feed", Status: "published"}, "status"},
		{newsletter.Feed{URL: "https://planet.example/feed", Content: "teaser"}, "content"},
		{newsletter.Feed{URL: "https://planet.example/feed", Interval: time.Second}, "interval"},
	} {
		if err := w.AddFeed(ctx, p, &c.f); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("AddFeed(%+v) = %v, want an error about %s", c.f, err, c.want)
		}
	}
	if list, _ := w.ListFeeds(ctx, p); len(list) != 0 {
		t.Errorf("feeds stored: %v", list)
	}
	f := newsletter.Feed{URL: "https://planet.example/feed"}
	if err := w.AddFeed(ctx, p, &f); err != nil {
		t.Fatal(err)
	}
	again := newsletter.Feed{URL: "https://planet.example/feed"}
	if err := w.AddFeed(ctx, p, &again); !errors.Is(err, workspace.ErrFeedExists) {
		t.Errorf("the same feed twice: %v", err)
	}
}
