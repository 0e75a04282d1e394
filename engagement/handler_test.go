package engagement

import (
	"bytes"
	"image/gif"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func serve(t *testing.T, rd *Redirector, o HandlerOptions) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("GET /r/{token}", rd.ClickHandler(o))
	mux.Handle("GET /o/{token}", rd.OpenHandler(o))
	mux.Handle("POST /r/{token}", rd.ClickHandler(o))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// noFollow is a client that shows redirects instead of following them.
func noFollow() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func do(t *testing.T, method, url, ua string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", ua)
	res, err := noFollow().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func TestClickHandler(t *testing.T) {
	var got []Event
	f := newIssueFixture(t, false, false, queueFunc(func(e Event) bool { got = append(got, e); return true }))
	srv := serve(t, f.rd, HandlerOptions{})
	s := f.rw.signer
	link := srv.URL + "/r/" + s.LinkToken(42, 1)

	res, _ := do(t, "GET", link, uaFirefox)
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != f.out.Links[0].URL {
		t.Fatalf("GET: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res.Header.Get("Cache-Control") != "private, no-store" {
		t.Errorf("Cache-Control %q", res.Header.Get("Cache-Control"))
	}
	if len(got) != 1 || got[0].IP.String() != "127.0.0.1" || got[0].Method != "GET" || got[0].UserAgent != uaFirefox {
		t.Errorf("queued %+v", got)
	}
	if res, _ := do(t, "HEAD", link, "Proofpoint"); res.StatusCode != http.StatusFound || len(got) != 2 || got[1].Method != "HEAD" {
		t.Errorf("HEAD: %d, queued %d", res.StatusCode, len(got))
	}
	for name, c := range map[string]struct {
		method, url string
		code        int
	}{
		"altered":          {"GET", link[:len(link)-1] + "x", http.StatusBadRequest},
		"unsigned":         {"GET", srv.URL + "/r/https%3A%2F%2Fevil.example%2F", http.StatusBadRequest},
		"beyond the table": {"GET", srv.URL + "/r/" + s.LinkToken(42, 99), http.StatusNotFound},
		"POST":             {"POST", link, http.StatusMethodNotAllowed},
	} {
		res, body := do(t, c.method, c.url, uaFirefox)
		if res.StatusCode != c.code || res.Header.Get("Location") != "" {
			t.Errorf("%s: %d to %q, want %d and no redirect", name, res.StatusCode, res.Header.Get("Location"), c.code)
		}
		if strings.Contains(body, "engagement") {
			t.Errorf("%s: internal text in the answer: %q", name, body)
		}
	}

	// The store fails: 503, with no internal error text.
	f.store.db.Close()
	rd := NewRedirector(s, f.store, nil)
	srv2 := serve(t, rd, HandlerOptions{Error: func(w http.ResponseWriter, _ *http.Request, code int) {
		w.WriteHeader(code)
		io.WriteString(w, "our page for "+http.StatusText(code))
	}})
	res, body := do(t, "GET", srv2.URL+"/r/"+s.LinkToken(42, 1), uaFirefox)
	if res.StatusCode != http.StatusServiceUnavailable || body != "our page for Service Unavailable" {
		t.Errorf("store down: %d %q", res.StatusCode, body)
	}
}

// The redirect answers even when nothing can be recorded: a full queue
// drops the click and counts the drop.
func TestClickHandlerQueueFull(t *testing.T) {
	rec := NewRecorder(SinkFunc(nil), RecorderOptions{Queue: 1}) // never run: the queue fills
	f := newIssueFixture(t, false, false, rec)
	srv := serve(t, f.rd, HandlerOptions{})
	for range 3 {
		if res, _ := do(t, "GET", srv.URL+"/r/"+f.rw.signer.LinkToken(42, 1), uaFirefox); res.StatusCode != http.StatusFound {
			t.Fatalf("%d", res.StatusCode)
		}
	}
	if st := rec.Stats(); st.Queued != 1 || st.Dropped != 2 {
		t.Errorf("stats %+v", st)
	}
}

func TestOpenHandler(t *testing.T) {
	var got []Event
	f := newIssueFixture(t, false, false, queueFunc(func(e Event) bool { got = append(got, e); return true }))
	srv := serve(t, f.rd, HandlerOptions{ClientIP: func(*http.Request) string { return "203.0.113.5" }})
	res, body := do(t, "GET", srv.URL+"/o/"+f.rw.signer.LinkToken(42, OpenLink), uaIPhone)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/gif" {
		t.Fatalf("%d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	img, err := gif.Decode(bytes.NewReader([]byte(body)))
	if err != nil || img.Bounds().Dx() != 1 || img.Bounds().Dy() != 1 {
		t.Fatalf("not a 1x1 GIF: %v", err)
	}
	if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
		t.Error("the pixel is not transparent")
	}
	if len(got) != 1 || got[0].Kind != Open || got[0].IP.String() != "203.0.113.5" {
		t.Errorf("queued %+v", got)
	}
	if res, _ := do(t, "GET", srv.URL+"/o/"+f.rw.signer.LinkToken(42, 1), uaIPhone); res.StatusCode != http.StatusBadRequest {
		t.Errorf("a link token as an image: %d", res.StatusCode)
	}
}
