package poller_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"masthead/feeds"
	"masthead/feeds/poller"
	"masthead/newsletter"
	"masthead/store"
)

const (
	benchFeeds = 100
	benchItems = 50
)

// benchFeed is feed n of the newsroom: 50 items of about 2 KB of HTML each,
// a WordPress feed's shape (content:encoded, categories, an enclosure).
func benchFeed(n int, base time.Time) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Desk %d</title><link>https://news.example/desk-%d/</link>`, n, n)
	para := strings.Repeat(`The council met on Thursday and <a href="/related/">voted</a> on the <b>budget</b> for the coming year. `, 4)
	for i := range benchItems {
		fmt.Fprintf(&b, `<item><title>Story %d of desk %d</title><link>https://news.example/desk-%d/story-%d/?utm_source=rss</link>
<guid isPermaLink="false">desk-%d-story-%d</guid><dc:creator>Reporter %d</dc:creator><pubDate>%s</pubDate>
<category>City</category><category>Politics</category><description>Summary of story %d.</description>
<enclosure url="https://news.example/img/%d-%d.jpg" type="image/jpeg" length="1000"/>
<content:encoded><![CDATA[<p>%s</p><p>%s</p><ul><li>one</li><li>two</li></ul><p><img src="/img/inline-%d.jpg" alt="x"></p><p>%s</p><script>x()</script>]]></content:encoded></item>`,
			i, n, n, i, n, i, i%7, base.Add(-time.Duration(i)*time.Hour).Format(time.RFC1123Z), i, n, i, para, para, i, para)
	}
	b.WriteString(`</channel></rss>`)
	return []byte(b.String())
}

// BenchmarkPollRound is one poll round of 100 feeds of 50 items each
// through the poller into a SQLite database, fetched from a loopback
// server: "new" makes all 5,000 articles (a fresh database each round);
// "unchanged" fetches every feed again with other bytes (no validators, a
// new build comment) and the same items, parsed and compared, nothing
// written; "same-bytes" answers the bytes of the last poll (not parsed
// again); "not-modified" answers every conditional GET with 304.
//
//	go test -run X -bench PollRound -benchmem -count 3 ./feeds/poller/
func BenchmarkPollRound(b *testing.B) {
	base := time.Date(2009, 7, 9, 12, 0, 0, 0, time.UTC)
	bodies := make([][]byte, benchFeeds)
	for i := range bodies {
		bodies[i] = benchFeed(i, base)
	}
	var useETag atomic.Bool
	var stamp atomic.Int64 // written after the feed when set: other bytes, the same items
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(r.URL.Path, "/desk/%d", &n)
		if useETag.Load() {
			if r.Header.Get("If-None-Match") == `"v1"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", `"v1"`)
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(bodies[n%benchFeeds])
		if v := stamp.Load(); v != 0 {
			fmt.Fprintf(w, "<!-- built %d -->", v)
		}
	}))
	defer site.Close()

	setup := func(b *testing.B) (*store.Store, *poller.Poller, *time.Time) {
		ctx := context.Background()
		st, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), nil)
		if err != nil {
			b.Fatal(err)
		}
		p := &newsletter.Publication{Slug: "news", Name: "News", From: "news@news.example", TimeZone: "America/New_York",
			VolumeStart: newsletter.Date{Year: 2007, Month: 2, Day: 7}}
		p.Normalize()
		if err := st.SavePublication(ctx, p); err != nil {
			b.Fatal(err)
		}
		for i := range benchFeeds {
			if err := st.CreateFeed(ctx, &newsletter.Feed{PublicationID: p.ID, URL: fmt.Sprintf("%s/desk/%d", site.URL, i),
				Status: newsletter.Ready, Content: newsletter.FeedFull, Interval: time.Hour, NextPoll: base}); err != nil {
				b.Fatal(err)
			}
		}
		now := base
		pl := poller.New(poller.Config{Store: st, Fetch: feeds.Options{AllowPrivate: true}, Now: func() time.Time { return now }})
		return st, pl, &now
	}
	round := func(b *testing.B, pl *poller.Poller, now *time.Time, want func(poller.Result) bool) {
		*now = now.Add(2 * time.Hour) // every feed is due again
		res, err := pl.PollDue(context.Background())
		if err != nil || len(res) != benchFeeds {
			b.Fatalf("round: %d feeds polled, %v", len(res), err)
		}
		for _, r := range res {
			if r.Err != nil || !want(r) {
				b.Fatalf("feed %s: %+v %v", r.Feed.URL, r.Poll, r.Err)
			}
		}
	}

	b.Run("new", func(b *testing.B) {
		useETag.Store(false)
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			st, pl, now := setup(b)
			b.StartTimer()
			round(b, pl, now, func(r poller.Result) bool { return r.Poll.New == benchItems })
			b.StopTimer()
			pl.Close()
			st.Close()
			b.StartTimer()
		}
	})
	b.Run("unchanged", func(b *testing.B) {
		useETag.Store(false)
		st, pl, now := setup(b)
		defer st.Close()
		defer pl.Close()
		round(b, pl, now, func(r poller.Result) bool { return r.Poll.New == benchItems })
		b.ReportAllocs()
		for b.Loop() {
			stamp.Add(1)
			round(b, pl, now, func(r poller.Result) bool { return r.Poll.Unchanged == benchItems })
		}
		stamp.Store(0)
	})
	b.Run("same-bytes", func(b *testing.B) {
		useETag.Store(false)
		st, pl, now := setup(b)
		defer st.Close()
		defer pl.Close()
		round(b, pl, now, func(r poller.Result) bool { return r.Poll.New == benchItems })
		b.ReportAllocs()
		for b.Loop() {
			round(b, pl, now, func(r poller.Result) bool { return r.Poll.NotModified })
		}
	})
	b.Run("not-modified", func(b *testing.B) {
		useETag.Store(true)
		st, pl, now := setup(b)
		defer st.Close()
		defer pl.Close()
		round(b, pl, now, func(r poller.Result) bool { return r.Poll.New == benchItems })
		b.ReportAllocs()
		for b.Loop() {
			round(b, pl, now, func(r poller.Result) bool { return r.Poll.NotModified })
		}
	})
}
