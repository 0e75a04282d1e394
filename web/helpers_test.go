package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/assembly"
	"masthead/delivery"
	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
	"masthead/subscribers/confirm"
	"masthead/workspace"
)

// env is one web server over a fresh SQLite store.
type env struct {
	t      testing.TB
	st     *store.Store
	srv    *Server
	queue  *confirm.Queue // the confirmation queue, over the outbox
	work   *workspace.Service
	signer *subscribers.Signer
	pub    *newsletter.Publication
	clock  *clock
	logs   *syncBuffer
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func openStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "masthead.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func savePub(t testing.TB, st *store.Store, slug, name string) *newsletter.Publication {
	t.Helper()
	p := &newsletter.Publication{Slug: slug, Name: name, Tagline: "All the news that fits",
		From: name + " <news@planet.example>", Address: "355 Main Street, Metropolis",
		VolumeStart: newsletter.Date{Year: 2007, Month: 2, Day: 7}}
	p.Normalize()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := st.SavePublication(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return p
}

// newEnv makes a server with one publication over a fresh SQLite store;
// change deps in tweak.
func newEnv(t testing.TB, tweak ...func(*Deps)) *env {
	t.Helper()
	return newEnvOn(t, openStore(t), tweak...)
}

// newEnvOn is newEnv over the store st.
func newEnvOn(t testing.TB, st *store.Store, tweak ...func(*Deps)) *env {
	t.Helper()
	e := &env{t: t, st: st, signer: subscribers.NewSigner([]byte("0123456789abcdef0123456789abcdef")),
		clock: &clock{t: time.Date(2009, 7, 9, 12, 0, 0, 0, time.UTC)}, logs: &syncBuffer{}}
	e.st.SetClock(e.clock.now)
	e.pub = savePub(t, e.st, "planet", "The Daily Planet")
	const base = "https://planet.example"
	log := slog.New(slog.NewTextHandler(e.logs, nil))
	asm := assembly.New(e.st, base)
	var err error
	e.queue, err = confirm.New(confirm.Config{Store: e.st, Mailer: delivery.NewMailer(delivery.NewOutbox(e.st)),
		Assembler: asm, Signer: e.signer, BaseURL: base, Log: log, Now: e.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	e.work, err = workspace.New(workspace.Config{Store: e.st, Assembler: asm, Confirmations: e.queue, BaseURL: base,
		Log: log, Now: e.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	d := Deps{
		Work: e.work, Log: log, BaseURL: base, Signer: e.signer, Now: e.clock.now, WebhookSecret: "hook-secret",
	}
	for _, f := range tweak {
		f(&d)
	}
	srv, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	return e
}

// do serves one request and returns the response and its body. Then it
// sends the confirmation emails the request queued, as serve's queue
// (confirm.Queue.Run, woken by the form) does moments later.
func (e *env) do(r *http.Request) (*http.Response, string) {
	e.t.Helper()
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, r)
	res := w.Result()
	body, _ := io.ReadAll(res.Body)
	if r.Method == http.MethodPost && e.queue != nil {
		if _, err := e.queue.SendAll(context.Background()); err != nil {
			e.t.Fatalf("confirmation emails: %v", err)
		}
	}
	return res, string(body)
}

func (e *env) get(path string) (*http.Response, string) {
	e.t.Helper()
	return e.do(httptest.NewRequest("GET", path, nil))
}

// postForm posts a form as a same-origin browser would.
func (e *env) postForm(path, body string) (*http.Response, string) {
	e.t.Helper()
	return e.do(httptestForm(path, body))
}

// httptestForm is a form POST as a same-origin browser sends it.
func httptestForm(path, body string) *http.Request {
	r := httptest.NewRequest("POST", path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	return r
}

// isPage checks that a response is an HTML page with the security headers.
func isPage(t testing.TB, res *http.Response, status int) {
	t.Helper()
	if res.StatusCode != status {
		t.Fatalf("status %d, want %d", res.StatusCode, status)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") ||
		!strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Referrer-Policy") == "" {
		t.Errorf("security headers missing: %v", res.Header)
	}
}
