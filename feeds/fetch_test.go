package feeds

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testFetcher may connect to the httptest servers on 127.0.0.1.
func testFetcher(t *testing.T, opts Options) *Fetcher {
	t.Helper()
	opts.AllowPrivate = true
	f := NewFetcher(opts, slog.New(slog.DiscardHandler))
	t.Cleanup(f.Close)
	return f
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// newsroom serves a feed the way a CMS does: with an ETag, a Last-Modified,
// and 304 to a conditional GET that matches. Its feed can be replaced.
type newsroom struct {
	mu       sync.Mutex
	body     []byte
	etag     string
	modified time.Time
	requests []http.Header
}

func (n *newsroom) publish(body []byte, etag string, modified time.Time) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.body, n.etag, n.modified = body, etag, modified
}

func (n *newsroom) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.requests = append(n.requests, r.Header.Clone())
	if n.etag != "" {
		w.Header().Set("ETag", n.etag)
	}
	w.Header().Set("Last-Modified", n.modified.UTC().Format(http.TimeFormat))
	if n.etag != "" && r.Header.Get("If-None-Match") == n.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if since, err := http.ParseTime(r.Header.Get("If-Modified-Since")); n.etag == "" && err == nil && !n.modified.After(since) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/rss+xml; charset=UTF-8")
	w.Write(n.body)
}

func (n *newsroom) request(i int) http.Header {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.requests[i]
}

func TestFetchConditionalGET(t *testing.T) {
	room := &newsroom{}
	v1 := time.Date(2009, 7, 9, 14, 2, 11, 0, time.UTC)
	room.publish(fixture(t, "planet-rss2.xml"), `W/"4812-v1"`, v1)
	srv := httptest.NewServer(room)
	defer srv.Close()
	f := testFetcher(t, Options{})
	ctx := context.Background()

	first, err := f.Fetch(ctx, Request{URL: srv.URL + "/feed/"})
	if err != nil {
		t.Fatal(err)
	}
	if first.NotModified || !bytes.Equal(first.Body, fixture(t, "planet-rss2.xml")) {
		t.Fatalf("first fetch: not modified %v, %d bytes", first.NotModified, len(first.Body))
	}
	if first.ETag != `W/"4812-v1"` || first.LastModified != "Thu, 09 Jul 2009 14:02:11 GMT" || first.URL != srv.URL+"/feed/" {
		t.Errorf("validators %q %q, URL %q", first.ETag, first.LastModified, first.URL)
	}
	if ua := room.request(0).Get("User-Agent"); !strings.HasPrefix(ua, "masthead") {
		t.Errorf("User-Agent %q does not name masthead", ua)
	}

	// Unchanged: a 304, which is no error and has no body.
	second, err := f.Fetch(ctx, Request{URL: srv.URL + "/feed/", ETag: first.ETag, LastModified: first.LastModified})
	if err != nil {
		t.Fatalf("304: %v", err)
	}
	if !second.NotModified || second.Body != nil || second.ETag != first.ETag || second.LastModified != first.LastModified {
		t.Errorf("304: %+v", second)
	}
	if h := room.request(1); h.Get("If-None-Match") != `W/"4812-v1"` || h.Get("If-Modified-Since") != "Thu, 09 Jul 2009 14:02:11 GMT" {
		t.Errorf("conditional headers %q %q", h.Get("If-None-Match"), h.Get("If-Modified-Since"))
	}

	// Edited: the old validators no longer match.
	room.publish(fixture(t, "planet-rss2-edited.xml"), `W/"4820-v2"`, v1.Add(2*time.Hour))
	third, err := f.Fetch(ctx, Request{URL: srv.URL + "/feed/", ETag: second.ETag, LastModified: second.LastModified})
	if err != nil {
		t.Fatal(err)
	}
	if third.NotModified || third.ETag != `W/"4820-v2"` || !bytes.Equal(third.Body, fixture(t, "planet-rss2-edited.xml")) {
		t.Errorf("after the edit: not modified %v, ETag %q", third.NotModified, third.ETag)
	}
}

func TestFetchLastModifiedOnly(t *testing.T) {
	room := &newsroom{}
	room.publish(fixture(t, "planet-rss2.xml"), "", time.Date(2009, 7, 9, 14, 0, 0, 0, time.UTC))
	srv := httptest.NewServer(room)
	defer srv.Close()
	f := testFetcher(t, Options{})
	first, err := f.Fetch(context.Background(), Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if first.ETag != "" || first.LastModified == "" {
		t.Fatalf("validators %q %q", first.ETag, first.LastModified)
	}
	second, err := f.Fetch(context.Background(), Request{URL: srv.URL, LastModified: first.LastModified})
	if err != nil || !second.NotModified {
		t.Fatalf("If-Modified-Since: %+v, %v", second, err)
	}
}

// TestPollsOfAChangingFeed follows a newsroom's feed over two polls: an item
// edited keeps its key and changes its hash, a new one appears, and one that
// left the feed is simply absent (the caller keeps its article).
func TestPollsOfAChangingFeed(t *testing.T) {
	room := &newsroom{}
	room.publish(fixture(t, "planet-rss2.xml"), `"v1"`, time.Now())
	srv := httptest.NewServer(room)
	defer srv.Close()
	f, p := testFetcher(t, Options{}), NewParser()
	poll := func(req Request) (*Response, *Feed) {
		t.Helper()
		resp, err := f.Fetch(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.NotModified {
			return resp, nil
		}
		feed, err := p.Parse(resp.Body, resp.URL, Full)
		if err != nil {
			t.Fatal(err)
		}
		return resp, feed
	}
	resp1, before := poll(Request{URL: srv.URL + "/feed/"})
	resp2, same := poll(Request{URL: srv.URL + "/feed/", ETag: resp1.ETag})
	if same != nil || !resp2.NotModified {
		t.Fatal("an unchanged feed was parsed again")
	}
	room.publish(fixture(t, "planet-rss2-edited.xml"), `"v2"`, time.Now())
	_, after := poll(Request{URL: srv.URL + "/feed/", ETag: resp2.ETag})

	byKey := func(f *Feed) map[string]Item {
		m := map[string]Item{}
		for _, it := range f.Items {
			m[it.Key] = it
		}
		return m
	}
	old, cur := byKey(before), byKey(after)
	heat := "https://planet.example/?p=4812"
	if old[heat].Hash == cur[heat].Hash || cur[heat].Title != "Heat Wave Arrives as Temperatures Top 101°" {
		t.Errorf("edited item: hash %q → %q, title %q", old[heat].Hash, cur[heat].Hash, cur[heat].Title)
	}
	if !strings.Contains(cur[heat].Body, "*Correction: an earlier version") || old[heat].Link != cur[heat].Link {
		t.Errorf("edited body %q, link %q → %q", cur[heat].Body, old[heat].Link, cur[heat].Link)
	}
	if _, ok := cur["https://planet.example/?p=4820"]; !ok {
		t.Error("the new item is missing")
	}
	if _, ok := cur["https://planet.example/2009/07/09/letters/"]; ok || len(cur) != 2 {
		t.Errorf("after the edit: %d items", len(cur))
	}
}

func TestFetchStatusErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/500":
			http.Error(w, "database is down", http.StatusInternalServerError)
		case "/503":
			w.Header().Set("Retry-After", "120")
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
		case "/429":
			w.Header().Set("Retry-After", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
			http.Error(w, "slow down", http.StatusTooManyRequests)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	f := testFetcher(t, Options{})
	tests := []struct {
		path      string
		code      int
		temporary bool
		retry     time.Duration // at least
		msg       string
	}{
		{"/500", 500, true, 0, "the server answered 500 Internal Server Error"},
		{"/503", 503, true, 2 * time.Minute, "the server answered 503 Service Unavailable (retry after 2m0s)"},
		{"/429", 429, true, 59 * time.Minute, "the server answered 429 Too Many Requests (retry after"},
		{"/feed.xml", 404, false, 0, "the server answered 404 Not Found"},
	}
	for _, tt := range tests {
		_, err := f.Fetch(context.Background(), Request{URL: srv.URL + tt.path})
		var se *StatusError
		if !errors.As(err, &se) {
			t.Fatalf("%s: %v, want a StatusError", tt.path, err)
		}
		if se.Code != tt.code || se.Temporary() != tt.temporary || se.RetryAfter < tt.retry {
			t.Errorf("%s: %+v temporary %v", tt.path, se, se.Temporary())
		}
		if want := "fetch " + srv.URL + tt.path + ": " + tt.msg; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: %q, want %q", tt.path, err, want)
		}
	}
}

// bigBody serves 50 MB and reports how much of it the client took.
func bigBody(announce bool, written chan<- int64) http.HandlerFunc {
	const size = 50 << 20
	return func(w http.ResponseWriter, r *http.Request) {
		if announce {
			w.Header().Set("Content-Length", fmt.Sprint(size))
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		chunk := bytes.Repeat([]byte("<item><title>spam</title></item>\n"), 1<<15)
		var n int64
		for n < size {
			m, err := w.Write(chunk[:min(int64(len(chunk)), size-n)])
			n += int64(m)
			if err != nil {
				break
			}
		}
		written <- n
	}
}

func TestFetchRefusesA50MBBody(t *testing.T) {
	for _, announce := range []bool{false, true} {
		t.Run(fmt.Sprintf("Content-Length %v", announce), func(t *testing.T) {
			written := make(chan int64, 1)
			srv := httptest.NewServer(bigBody(announce, written))
			defer srv.Close()
			f := testFetcher(t, Options{MaxBytes: 10 << 20})
			_, err := f.Fetch(context.Background(), Request{URL: srv.URL})
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("err %v, want ErrTooLarge", err)
			}
			want := "more than the limit of 10 MB"
			if announce {
				want = "the server announces 50 MB; the limit is 10 MB"
			}
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%q lacks %q", err, want)
			}
			// The fetcher hung up: the server could not send it all.
			if n := <-written; n >= 50<<20 {
				t.Errorf("the server wrote all %d bytes", n)
			}
		})
	}
}

func TestFetchRefusesAGzipBomb(t *testing.T) {
	// 16 MB of spaces in 20 kB: the limit applies to what it unpacks to.
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestSpeed)
	zw.Write(bytes.Repeat([]byte{' '}, 16<<20))
	zw.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			t.Errorf("Accept-Encoding %q", r.Header.Get("Accept-Encoding"))
		}
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb.Bytes())
	}))
	defer srv.Close()
	_, err := testFetcher(t, Options{MaxBytes: 1 << 20}).Fetch(context.Background(), Request{URL: srv.URL})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("%d kB of gzip: err %v, want ErrTooLarge", bomb.Len()>>10, err)
	}
}

func TestFetchRedirects(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/a", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/b", http.StatusFound) })
	mux.HandleFunc("/b", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/a", http.StatusFound) })
	mux.HandleFunc("/self", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/self", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/chain/{n}", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.PathValue("n"), &n)
		http.Redirect(w, r, fmt.Sprintf("/chain/%d", n+1), http.StatusFound)
	})
	mux.HandleFunc("/ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://files.example/feed.xml", http.StatusFound)
	})
	mux.HandleFunc("/file", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	})
	mux.HandleFunc("/old-feed", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/news/feed.atom", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/news/feed.atom", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<entry><title>Moved</title><id>m1</id><link href="2009/moved"/><updated>2009-07-09T10:00:00Z</updated>
<content type="html">&lt;a href="../about"&gt;about&lt;/a&gt;</content></entry></feed>`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f := testFetcher(t, Options{MaxRedirects: 3})
	fetch := func(path string) (*Response, error) {
		return f.Fetch(context.Background(), Request{URL: srv.URL + path})
	}

	_, err := fetch("/a")
	if !errors.Is(err, ErrRedirectLoop) || !strings.Contains(err.Error(), srv.URL+"/a → "+srv.URL+"/b → "+srv.URL+"/a") {
		t.Errorf("loop: %v", err)
	}
	if _, err := fetch("/self"); !errors.Is(err, ErrRedirectLoop) {
		t.Errorf("self: %v", err)
	}
	if _, err := fetch("/chain/1"); !errors.Is(err, ErrTooManyRedirects) || !strings.Contains(err.Error(), "more than 3") {
		t.Errorf("chain: %v", err)
	}
	for _, path := range []string{"/ftp", "/file"} {
		if _, err := fetch(path); !errors.Is(err, ErrScheme) {
			t.Errorf("%s: %v", path, err)
		}
	}

	// A followed redirect: the final URL is the base of relative links.
	resp, err := fetch("/old-feed")
	if err != nil {
		t.Fatal(err)
	}
	if resp.URL != srv.URL+"/news/feed.atom" {
		t.Errorf("final URL %q", resp.URL)
	}
	feed, err := NewParser().Parse(resp.Body, resp.URL, Full)
	if err != nil {
		t.Fatal(err)
	}
	if it := feed.Items[0]; it.Link != srv.URL+"/news/2009/moved" || it.Body != "["+"about]("+srv.URL+"/news/about)" {
		t.Errorf("link %q body %q", it.Link, it.Body)
	}
}

func TestFetchRefusesLoopbackByDefault(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	f := NewFetcher(Options{}, slog.New(slog.DiscardHandler))
	defer f.Close()
	_, err := f.Fetch(context.Background(), Request{URL: srv.URL + "/feed"})
	if !errors.Is(err, ErrAddress) || !errors.Is(err, ErrPrivateAddress) || !strings.Contains(err.Error(), "127.0.0.1 is a loopback address") {
		t.Errorf("err %v, want ErrAddress", err)
	}
	// A name that resolves to loopback is refused the same way.
	_, err = f.Fetch(context.Background(), Request{URL: strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)})
	if !errors.Is(err, ErrAddress) {
		t.Errorf("localhost: %v, want ErrAddress", err)
	}
	if hits.Load() != 0 {
		t.Errorf("the server was reached %d times", hits.Load())
	}
}

func TestFetchRefusesOtherSchemes(t *testing.T) {
	f := testFetcher(t, Options{})
	for _, u := range []string{"ftp://files.example/feed.xml", "file:///etc/passwd", "feed/rss.xml", "javascript:alert(1)", "http:///nohost"} {
		if _, err := f.Fetch(context.Background(), Request{URL: u}); !errors.Is(err, ErrScheme) {
			t.Errorf("%s: %v, want ErrScheme", u, err)
		}
	}
}

func TestFetchHidesThePassword(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "editor" || p != "s3cret" {
			t.Errorf("basic auth %q %q %v", u, p, ok)
		}
		http.Error(w, "gone", http.StatusGone)
	}))
	defer srv.Close()
	u := strings.Replace(srv.URL, "http://", "http://editor:s3cret@", 1)
	_, err := testFetcher(t, Options{}).Fetch(context.Background(), Request{URL: u})
	if err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "editor:xxxxx@") {
		t.Errorf("err %v", err)
	}
}

func TestFetchTimeoutAndCancel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, "<rss><channel>")
		w.(http.Flusher).Flush()
		<-r.Context().Done() // a server that never finishes its answer
	}))
	defer srv.Close()
	f := testFetcher(t, Options{Timeout: 200 * time.Millisecond})
	_, err := f.Fetch(context.Background(), Request{URL: srv.URL})
	if err == nil || !strings.Contains(err.Error(), "no complete answer within 200ms") {
		t.Errorf("timeout: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.Fetch(ctx, Request{URL: srv.URL}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
