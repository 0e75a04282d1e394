package admin

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"masthead/api"
	"masthead/assembly"
	"masthead/auth"
	"masthead/delivery"
	"masthead/feeds"
	"masthead/feeds/poller"
	"masthead/internal/smtptest"
	"masthead/metrics"
	"masthead/newsletter"
	"masthead/scheduler"
	"masthead/store"
	"masthead/subscribers"
	"masthead/web"
	"masthead/web/httpauth"
	"masthead/workspace"
)

// env is masthead's whole web side as serve builds it — web server with the
// admin, the API and /metrics (behind the API's guard) mounted, the delivery engine sending to the
// in-process SMTP server through the metrics wrapper, and the delivery
// workers — over a real SQLite database.
type env struct {
	st       *store.Store
	pub      *newsletter.Publication
	smtp     *smtptest.Server
	metrics  *metrics.Metrics
	admin    *Admin
	auth     *auth.Service
	sessions *httpauth.Sessions
	srv      *httptest.Server
	url      string
}

const password = "a-long-password"

func newEnv(t *testing.T, smtpOpts smtptest.Options) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var log *slog.Logger
	if os.Getenv("MASTHEAD_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	} else {
		log = slog.New(slog.DiscardHandler)
	}
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "admin.db"), log)
	if err != nil {
		t.Fatal(err)
	}
	p := &newsletter.Publication{Slug: "planet", Name: "The Daily Planet", Tagline: "All the news that fits",
		From: "The Daily Planet <news@planet.example>", Address: "Metropolis", TimeZone: "UTC", Schedule: "0 6 * * *",
		VolumeStart: newsletter.Date{Year: 2007, Month: 2, Day: 7}, Sections: []string{"Front Page", "News"}}
	p.Normalize()
	if err := st.SavePublication(ctx, p); err != nil {
		t.Fatal(err)
	}
	mail, err := smtptest.Start(smtpOpts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	m := metrics.New(metrics.Options{DB: st, Log: log})
	cfg, err := delivery.ParseSMTPURL("smtp://" + mail.Addr + "?tls=none")
	if err != nil {
		t.Fatal(err)
	}
	signer := subscribers.NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	pubOf := metrics.IssuePublicationOf(st)
	// The workers are woken by the engine's starts, as serve wires them.
	workers := &scheduler.Workers{Store: st, Log: log, Poll: 50 * time.Millisecond}
	engine, err := delivery.New(st, m.WrapSender(delivery.NewSMTP(cfg, log), pubOf), delivery.Config{
		Connections: 1, BaseURL: base, Signer: signer, Poll: 20 * time.Millisecond, Started: workers.Wake,
		Transport: "smtp://" + mail.Addr, Links: workspace.NewLinks(st, []byte("0123456789abcdef0123456789abcdef"), base)}, log)
	if err != nil {
		t.Fatal(err)
	}
	workers.Transport = engine.Transport()
	workers.Runner = scheduler.RunnerFunc(func(ctx context.Context, id int64) error { _, err := engine.Run(ctx, id); return err })
	var wg sync.WaitGroup
	wg.Go(func() { workers.Run(ctx) })

	asm := assembly.New(st, base)
	authSvc := auth.New(st, auth.Options{Log: log})
	// The feeds of the tests are on 127.0.0.1.
	feedPoller := poller.New(poller.Config{Store: st, Fetch: feeds.Options{AllowPrivate: true, Timeout: 10 * time.Second}, Log: log})
	t.Cleanup(feedPoller.Close)
	work, err := workspace.New(workspace.Config{Store: st, Sends: engine, Assembler: asm, Accounts: authSvc,
		Feeds: feedPoller, BaseURL: base, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	sessions := httpauth.New(authSvc, httpauth.Options{})
	adm, err := New(Deps{Work: work, Auth: sessions, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	apiH := api.New(api.Deps{Work: work, Auth: sessions, Log: log})
	site, err := web.New(web.Deps{Work: work, Log: log, BaseURL: base, Signer: signer,
		Admin: adm, API: apiH, Metrics: apiH.Guard(auth.Editor, m.Handler())})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = m.Instrument(site)
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		cancel()
		wg.Wait()
		mail.Close()
		st.Close()
	})
	return &env{st: st, pub: p, smtp: mail, metrics: m, admin: adm, auth: authSvc, sessions: sessions, srv: srv, url: base}
}

// user makes an account.
func (e *env) user(t *testing.T, email string, role auth.Role) *auth.User {
	t.Helper()
	u, err := e.auth.CreateUser(context.Background(), email, password, role)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// session signs u in and returns its cookie and CSRF token.
func (e *env) session(t *testing.T, u *auth.User) (*http.Cookie, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	se, err := e.sessions.StartSession(context.Background(), rec, u)
	if err != nil {
		t.Fatal(err)
	}
	return rec.Result().Cookies()[0], se.CSRF
}

// subscribers adds n active subscribers reader01@example.org ...
func (e *env) subscribers(t *testing.T, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		if _, err := e.st.AddSubscriber(context.Background(), fmt.Sprintf("reader%02d@example.org", i), fmt.Sprintf("Reader %d", i),
			e.pub.ID, subscribers.Active, subscribers.ViaEditor); err != nil {
			t.Fatal(err)
		}
	}
}

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
