package scheduler_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"masthead/assembly"
	"masthead/delivery"
	"masthead/internal/smtptest"
	"masthead/ledger"
	"masthead/newsletter"
	"masthead/scheduler"
	"masthead/store"
	"masthead/subscribers"
	"masthead/workspace"
)

// clock is a fake clock shared by the stores and schedulers of a test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is one test's database and clock.
type env struct {
	t     testing.TB
	path  string
	clock *clock
	st    *store.Store
}

func newEnv(t testing.TB, start time.Time) *env {
	t.Helper()
	return newEnvDSN(t, filepath.Join(t.TempDir(), "masthead.db"), start)
}

// newEnvDSN is newEnv on the database at dsn (SQLite path or postgres:// URL).
func newEnvDSN(t testing.TB, dsn string, start time.Time) *env {
	t.Helper()
	e := &env{t: t, path: dsn, clock: newClock(start)}
	e.st = e.open()
	return e
}

// open opens another handle on the test's database, as another process would.
func (e *env) open() *store.Store {
	e.t.Helper()
	st, err := store.Open(context.Background(), e.path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	st.SetClock(e.clock.Now)
	e.t.Cleanup(func() { st.Close() })
	return st
}

// logger writes to the test log.
func logger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(b []byte) (int, error) {
	w.t.Log(string(b[:len(b)-1]))
	return len(b), nil
}

// scheduler makes a scheduler on st with the env's clock.
func (e *env) scheduler(st *store.Store, mod func(*scheduler.Config)) *scheduler.Scheduler {
	cfg := scheduler.Config{Store: st, Assembler: assembly.New(st, "http://news.example.org"), Starter: starter(st),
		Log: logger(e.t), Now: e.clock.Now}
	if mod != nil {
		mod(&cfg)
	}
	return scheduler.New(cfg)
}

// editor is the operations layer an editor schedules, holds and skips through.
func (e *env) editor() *workspace.Service {
	w, err := workspace.New(workspace.Config{Store: e.st, Assembler: assembly.New(e.st, "http://news.example.org"), Now: e.clock.Now})
	if err != nil {
		e.t.Fatal(err)
	}
	return w
}

// starter starts sends straight on the store, as the delivery engine does
// (without sending: no workers run in these tests).
func starter(st *store.Store) scheduler.Starter {
	return scheduler.StarterFunc(func(ctx context.Context, id int64, from []newsletter.IssueStatus) (ledger.StartResult, error) {
		return st.StartSend(ctx, id, from, "")
	})
}

// publication creates a publication in zone with the daily schedule spec.
func (e *env) publication(slug, zone, spec string, mod func(*newsletter.Publication)) *newsletter.Publication {
	e.t.Helper()
	p := &newsletter.Publication{Slug: slug, Name: "The Test Gazette", From: "Gazette <news@gazette.example>",
		Address: "1 Main St", TimeZone: zone, Schedule: spec, VolumeStart: newsletter.Date{Year: 2020, Month: 1, Day: 1}}
	if mod != nil {
		mod(p)
	}
	p.Normalize()
	if err := p.Validate(); err != nil {
		e.t.Fatal(err)
	}
	if err := e.st.SavePublication(context.Background(), p); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// articles adds n ready articles to p for date d.
func (e *env) articles(p *newsletter.Publication, d newsletter.Date, n int) {
	e.t.Helper()
	var list []*newsletter.Article
	for i := range n {
		list = append(list, &newsletter.Article{PublicationID: p.ID, Date: d, Title: fmt.Sprintf("Story %d of %s", i+1, d),
			Body: "Something happened.", Status: newsletter.Ready, Position: i})
	}
	if err := e.st.SaveArticles(context.Background(), list...); err != nil {
		e.t.Fatal(err)
	}
}

// subscribers adds n active subscribers to p.
func (e *env) subscribers(p *newsletter.Publication, n int) {
	e.t.Helper()
	for i := range n {
		if _, err := e.st.AddSubscriber(context.Background(), fmt.Sprintf("reader%d+%s@example.org", i, p.Slug), "",
			p.ID, subscribers.Active, subscribers.ViaEditor); err != nil {
			e.t.Fatal(err)
		}
	}
}

// tick runs one tick of sch and fails on error.
func (e *env) tick(sch *scheduler.Scheduler) {
	e.t.Helper()
	if err := sch.Tick(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

// issue returns p's issue of d, or nil.
func (e *env) issue(p *newsletter.Publication, d newsletter.Date) *newsletter.Issue {
	e.t.Helper()
	iss, err := e.st.IssueByDate(context.Background(), p.ID, d)
	if err != nil {
		return nil
	}
	return iss
}

// ledger returns how many delivery rows each subscriber has for iss.
func (e *env) ledger(iss *newsletter.Issue) map[int64]int {
	e.t.Helper()
	rows, err := e.st.Deliveries(context.Background(), store.DeliveryFilter{IssueID: iss.ID})
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[int64]int{}
	for _, r := range rows {
		out[r.SubscriberID]++
	}
	return out
}

func (e *env) run(p *newsletter.Publication, d newsletter.Date) *store.ScheduleRun {
	e.t.Helper()
	r, err := e.st.ScheduleRun(context.Background(), p.ID, d)
	if err != nil {
		return nil
	}
	return r
}

func date(t *testing.T, s string) newsletter.Date {
	t.Helper()
	d, err := newsletter.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func utc(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// deliver runs one delivery engine per store (one per process) on the issue at
// once, into an in-process SMTP server, and returns the copies per recipient.
func deliver(t *testing.T, issueID int64, stores ...*store.Store) map[string]int {
	t.Helper()
	srv, err := smtptest.Start(smtptest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg, err := delivery.ParseSMTPURL("smtp://" + srv.Addr + "?tls=none")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, st := range stores {
		eng, err := delivery.New(st, delivery.NewSMTP(cfg, nil), delivery.Config{Connections: 2, Poll: 50 * time.Millisecond,
			BaseURL: "http://news.example.org", Signer: subscribers.NewSigner([]byte("0123456789abcdef0123456789abcdef"))}, nil)
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			if _, err := eng.Run(context.Background(), issueID); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	copies := map[string]int{}
	for _, m := range srv.Messages() {
		for _, to := range m.To {
			copies[to]++
		}
	}
	return copies
}
