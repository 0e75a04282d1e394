package web

import (
	"bytes"
	"context"
	"image/gif"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"masthead/engagement"
)

// Browsers' user agents as readers send them.
const (
	uaFirefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
	uaIPhone  = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)

// clicksFixture is a web server with counted links over a real store, and
// one sent issue whose links were rewritten and stored with it.
type clicksFixture struct {
	e      *env
	srv    *httptest.Server
	signer *engagement.Signer
	issue  int64
	links  []engagement.Link
	html   string // the rewritten issue
}

// issueHTML is an issue with two article links.
const issueHTML = `<html><head></head><body>` +
	`<p>The council voted for <a href="https://council.example/plans/harbour?year=2009&amp;part=1">the harbour plan</a>.</p>` +
	`<p>Temperatures climb, says <a href="https://weather.example/today">the forecast</a>.</p></body></html>`

func newClicksFixture(t testing.TB, q engagement.Queue, tweak ...func(*Deps)) *clicksFixture {
	t.Helper()
	st := openStore(t)
	f := &clicksFixture{signer: engagement.NewSigner([]byte("0123456789abcdef0123456789abcdef"))}
	rd := engagement.NewRedirector(f.signer, engagement.NewCache(st, 16, time.Minute), q)
	f.e = newEnvOn(t, st, append(tweak, func(d *Deps) { d.Redirects = rd })...)
	f.issue = f.e.publish(f.e.pub, day("2009-07-09"), []string{"Heat Wave Arrives"}).ID
	rw, err := engagement.NewRewriter(f.signer, engagement.RewriteOptions{BaseURL: "https://planet.example"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := rw.Rewrite(f.issue, issueHTML, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Links) != 2 {
		t.Fatalf("links %+v", out.Links)
	}
	f.links, f.html = out.Links, out.HTML
	if err := st.SaveIssueLinks(context.Background(), f.issue, out.Links); err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(f.e.srv)
	t.Cleanup(f.srv.Close)
	return f
}

// queueFunc is an engagement.Queue that hands events to a function.
type queueFunc func(engagement.Event) bool

func (f queueFunc) Record(e engagement.Event) bool { return f(e) }

// noFollow is a client that shows redirects instead of following them.
func noFollow() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// fetch sends one request with a user agent, following no redirect.
func fetch(t testing.TB, method, url, ua string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", ua)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := noFollow().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func TestClickRoute(t *testing.T) {
	var got []engagement.Event
	f := newClicksFixture(t, queueFunc(func(e engagement.Event) bool { got = append(got, e); return true }))
	s := f.signer
	link := f.srv.URL + "/r/" + s.LinkToken(f.issue, 1)

	res, _ := fetch(t, "GET", link, uaFirefox)
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != f.links[0].URL {
		t.Fatalf("GET: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res.Header.Get("Cache-Control") != "private, no-store" || res.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("Cache-Control %q, Referrer-Policy %q", res.Header.Get("Cache-Control"), res.Header.Get("Referrer-Policy"))
	}
	if len(got) != 1 || got[0].IP.String() != "127.0.0.1" || got[0].Method != "GET" || got[0].UserAgent != uaFirefox {
		t.Errorf("queued %+v", got)
	}
	if res, _ := fetch(t, "HEAD", link, "Proofpoint"); res.StatusCode != http.StatusFound || len(got) != 2 || got[1].Method != "HEAD" {
		t.Errorf("HEAD: %d, queued %d", res.StatusCode, len(got))
	}
	for name, c := range map[string]struct {
		method, url string
		code        int
	}{
		"altered":          {"GET", link[:len(link)-1] + "x", http.StatusBadRequest},
		"unsigned":         {"GET", f.srv.URL + "/r/https%3A%2F%2Fevil.example%2F", http.StatusBadRequest},
		"beyond the table": {"GET", f.srv.URL + "/r/" + s.LinkToken(f.issue, 99), http.StatusNotFound},
		"another issue":    {"GET", f.srv.URL + "/r/" + s.LinkToken(f.issue+1, 1), http.StatusNotFound},
		"POST":             {"POST", link, http.StatusMethodNotAllowed},
	} {
		res, body := fetch(t, c.method, c.url, uaFirefox)
		if res.StatusCode != c.code || res.Header.Get("Location") != "" {
			t.Errorf("%s: %d to %q, want %d and no redirect", name, res.StatusCode, res.Header.Get("Location"), c.code)
		}
		if strings.Contains(body, "engagement") || strings.Contains(body, "issue ") {
			t.Errorf("%s: internal text in the answer: %q", name, body)
		}
		if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("%s: %q, not the error page", name, ct)
		}
		if c.code == http.StatusMethodNotAllowed && res.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: Allow %q", name, res.Header.Get("Allow"))
		}
	}
	if len(got) != 2 {
		t.Errorf("%d clicks queued; the refused requests queued some", len(got))
	}

	// The store fails: 503, the error page with no internal error text, and
	// the failure in the log.
	g := newClicksFixture(t, nil)
	g.e.st.Close()
	res, body := fetch(t, "GET", g.srv.URL+"/r/"+g.signer.LinkToken(g.issue, 1), uaFirefox)
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Location") != "" ||
		!strings.Contains(body, "<html") || strings.Contains(body, "sql") || strings.Contains(body, "closed") {
		t.Errorf("store down: %d %q", res.StatusCode, body)
	}
	if !strings.Contains(g.e.logs.String(), "redirect: link look-up failed") {
		t.Errorf("the failure was not logged:\n%s", g.e.logs.String())
	}
}

// The redirect answers even when nothing can be recorded: a full queue
// drops the click and counts the drop.
func TestClickRouteQueueFull(t *testing.T) {
	rec := engagement.NewRecorder(engagement.SinkFunc(nil), engagement.RecorderOptions{Queue: 1}) // never run: the queue fills
	f := newClicksFixture(t, rec)
	for range 3 {
		if res, _ := fetch(t, "GET", f.srv.URL+"/r/"+f.signer.LinkToken(f.issue, 1), uaFirefox); res.StatusCode != http.StatusFound {
			t.Fatalf("%d", res.StatusCode)
		}
	}
	if st := rec.Stats(); st.Queued != 1 || st.Dropped != 2 {
		t.Errorf("stats %+v", st)
	}
}

// The tracking image; behind a trusted proxy the open is the forwarded
// client's.
func TestOpenRoute(t *testing.T) {
	var got []engagement.Event
	f := newClicksFixture(t, queueFunc(func(e engagement.Event) bool { got = append(got, e); return true }),
		func(d *Deps) { d.TrustProxy = true })
	res, body := fetch(t, "GET", f.srv.URL+"/o/"+f.signer.LinkToken(f.issue, engagement.OpenLink), uaIPhone,
		"X-Forwarded-For", "203.0.113.5")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/gif" {
		t.Fatalf("%d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res.Header.Get("Cache-Control") != "private, no-store" {
		t.Errorf("Cache-Control %q", res.Header.Get("Cache-Control"))
	}
	img, err := gif.Decode(bytes.NewReader([]byte(body)))
	if err != nil || img.Bounds().Dx() != 1 || img.Bounds().Dy() != 1 {
		t.Fatalf("not a 1x1 GIF: %v", err)
	}
	if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
		t.Error("the pixel is not transparent")
	}
	if len(got) != 1 || got[0].Kind != engagement.Open || got[0].IP.String() != "203.0.113.5" {
		t.Errorf("queued %+v", got)
	}
	if res, body := fetch(t, "HEAD", f.srv.URL+"/o/"+f.signer.LinkToken(f.issue, engagement.OpenLink), uaIPhone); res.StatusCode != http.StatusOK ||
		res.Header.Get("Content-Type") != "image/gif" || body != "" || len(got) != 2 {
		t.Errorf("HEAD: %d %q, %d bytes, queued %d", res.StatusCode, res.Header.Get("Content-Type"), len(body), len(got))
	}
	if res, _ := fetch(t, "GET", f.srv.URL+"/o/"+f.signer.LinkToken(f.issue, 1), uaIPhone); res.StatusCode != http.StatusBadRequest {
		t.Errorf("a link token as an image: %d", res.StatusCode)
	}
	if res, _ := fetch(t, "POST", f.srv.URL+"/o/"+f.signer.LinkToken(f.issue, engagement.OpenLink), uaIPhone); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", res.StatusCode)
	}
}
