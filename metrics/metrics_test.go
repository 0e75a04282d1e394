package metrics_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"masthead/assembly"
	"masthead/delivery"
	"masthead/internal/smtptest"
	"masthead/metrics"
	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
)

// scrape reads /metrics and returns the value of each sample line "name{labels}".
func scrape(t *testing.T, h http.Handler) map[string]float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("/metrics: %d %s", rec.Code, rec.Body)
	}
	out := map[string]float64{}
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

// planet is a store with a publication "planet", an assembled issue and n
// active subscribers reader0@example.org ...
func planet(t *testing.T, n int) (*store.Store, *newsletter.Issue) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "m.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := &newsletter.Publication{Slug: "planet", Name: "The Daily Planet", From: "news@planet.example",
		VolumeStart: newsletter.Date{Year: 2007, Month: 2, Day: 7}}
	p.Normalize()
	if err := st.SavePublication(ctx, p); err != nil {
		t.Fatal(err)
	}
	d := newsletter.Date{Year: 2009, Month: 7, Day: 9}
	if err := st.SaveArticles(ctx, &newsletter.Article{PublicationID: p.ID, Date: d, Title: "Heat Wave", Body: "Hot.", Status: newsletter.Ready}); err != nil {
		t.Fatal(err)
	}
	iss, err := assembly.New(st, "https://planet.example").Assemble(ctx, p, d)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := st.AddSubscriber(ctx, fmt.Sprintf("reader%d@example.org", i), "", p.ID, subscribers.Active, subscribers.ViaEditor); err != nil {
			t.Fatal(err)
		}
	}
	return st, iss
}

func TestCountersMoveDuringASend(t *testing.T) {
	ctx := context.Background()
	const n = 6
	st, iss := planet(t, n)
	// reader0 is refused for good; reader1 is refused for now, once.
	var tempFailed atomic.Bool
	srv, err := smtptest.Start(smtptest.Options{Inject: func(stage smtptest.Stage, from, rcpt string) *smtptest.Fault {
		switch {
		case stage == smtptest.StageRcpt && rcpt == "reader0@example.org":
			return &smtptest.Fault{Code: 550, Text: "no such user"}
		case stage == smtptest.StageRcpt && rcpt == "reader1@example.org" && tempFailed.CompareAndSwap(false, true):
			return &smtptest.Fault{Code: 451, Text: "try later"}
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg, err := delivery.ParseSMTPURL("smtp://" + srv.Addr + "?tls=none")
	if err != nil {
		t.Fatal(err)
	}

	m := metrics.New(metrics.Options{DB: st})
	h := m.Handler()
	before := scrape(t, h)
	if _, ok := before["masthead_send_rate"]; !ok {
		t.Error("masthead_send_rate is missing")
	}
	if v := before[`masthead_queue_depth{publication="planet"}`]; v != 0 {
		t.Errorf("queue depth before the send: %v", v)
	}
	if v := before[`masthead_subscriber_events_total{kind="subscribed"}`]; v != n {
		t.Errorf("subscribed events: %v, want %d", v, n)
	}

	pubOf := metrics.IssuePublicationOf(st)
	eng, err := delivery.New(st, m.WrapSender(delivery.NewSMTP(cfg, nil), pubOf), delivery.Config{
		Connections: 2, BaseURL: "https://planet.example", Signer: subscribers.NewSigner([]byte("0123456789abcdef0123")),
		Retry: delivery.Backoff{Base: time.Millisecond, Max: time.Millisecond}, Poll: 5 * time.Millisecond,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Start(ctx, iss.ID); err != nil {
		t.Fatal(err)
	}
	if v := scrape(t, h)[`masthead_queue_depth{publication="planet"}`]; v != n {
		t.Errorf("queue depth once started: %v, want %d", v, n)
	}
	sum, err := eng.Run(ctx, iss.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Status != newsletter.Sent {
		t.Fatalf("send ended %s: %+v", sum.Status, sum)
	}
	after := scrape(t, h)
	for name, want := range map[string]float64{
		`masthead_messages_sent_total{publication="planet"}`:    n - 1,
		`masthead_messages_failed_total{publication="planet"}`:  1,
		`masthead_messages_retried_total{publication="planet"}`: 1,
		`masthead_smtp_replies_total{class="2xx"}`:              n - 1,
		`masthead_smtp_replies_total{class="4xx"}`:              1,
		`masthead_smtp_replies_total{class="5xx"}`:              1,
		`masthead_queue_depth{publication="planet"}`:            0,
		`masthead_subscriber_events_total{kind="bounced"}`:      1,
	} {
		if got := after[name]; got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if after["masthead_send_rate"] <= 0 {
		t.Errorf("send rate after a send: %v", after["masthead_send_rate"])
	}
}

func TestInstrumentHTTP(t *testing.T) {
	m := metrics.New(metrics.Options{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /issues/{slug}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	mux.HandleFunc("/", http.NotFound)
	h := m.Instrument(mux)
	for _, path := range []string{"/issues/planet", "/issues/other", "/random/stray/path"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	got := scrape(t, m.Handler())
	if v := got[`masthead_http_request_duration_seconds_count{code="200",method="GET",route="GET /issues/{slug}"}`]; v != 2 {
		t.Errorf("route count %v, want 2", v)
	}
	if v := got[`masthead_http_request_duration_seconds_count{code="404",method="GET",route="unmatched"}`]; v != 1 {
		t.Errorf("unmatched count %v, want 1", v)
	}
	var nilM *metrics.Metrics
	nilM.Attempt("x", metrics.Sent, 250) // a nil *Metrics records nothing and does not panic
	if regexp.MustCompile(`stray`).MatchString(fmt.Sprint(got)) {
		t.Error("a stray path became a label")
	}
}

// A send masthead paused because the relay refuses our mail shows in a gauge
// (whichever process paused it: it is read from the database), and no
// subscriber is counted as bounced.
func TestRefusedSendIsAGauge(t *testing.T) {
	ctx := context.Background()
	st, iss := planet(t, 6)
	srv, err := smtptest.Start(smtptest.Options{Inject: func(stage smtptest.Stage, _, rcpt string) *smtptest.Fault {
		if stage == smtptest.StageRcpt {
			return &smtptest.Fault{Code: 554, Text: "5.7.1 <" + rcpt + ">: Relay access denied"}
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg, err := delivery.ParseSMTPURL("smtp://" + srv.Addr + "?tls=none")
	if err != nil {
		t.Fatal(err)
	}
	h := metrics.New(metrics.Options{DB: st}).Handler()
	if v, ok := scrape(t, h)[`masthead_sends_paused_refused{publication="planet"}`]; !ok || v != 0 {
		t.Fatalf("before the send: %v (listed %v)", v, ok)
	}
	eng, err := delivery.New(st, delivery.NewSMTP(cfg, nil), delivery.Config{Connections: 2, BaseURL: "https://planet.example",
		Signer: subscribers.NewSigner([]byte("0123456789abcdef0123")), Poll: 5 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	eng.Start(ctx, iss.ID)
	if sum, err := eng.Run(ctx, iss.ID); err != nil || sum.Status != newsletter.Paused {
		t.Fatalf("run: %v, %+v", err, sum)
	}
	after := scrape(t, h)
	if v := after[`masthead_sends_paused_refused{publication="planet"}`]; v != 1 {
		t.Errorf("paused sends: %v, want 1", v)
	}
	if v := after[`masthead_subscriber_events_total{kind="bounced"}`]; v != 0 {
		t.Errorf("bounced events: %v, want 0", v)
	}
	if err := eng.Resume(ctx, iss.ID); err != nil {
		t.Fatal(err)
	}
	if v := scrape(t, h)[`masthead_sends_paused_refused{publication="planet"}`]; v != 0 {
		t.Errorf("after the resume: %v, want 0", v)
	}
}

// A send at each reader's local time whose hours have not come waits in
// masthead_queue_waiting_local, not in the queue depth an alert watches.
func TestQueueWaitingForLocalTime(t *testing.T) {
	ctx := context.Background()
	const n = 4
	st, iss := planet(t, n)
	p, err := st.Publication(ctx, iss.PublicationID)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 10, 24, 12, 0, 0, 0, time.UTC)
	st.SetClock(func() time.Time { return now })
	p.Deliver, p.LocalTime = newsletter.DeliverLocal, "06:00" // UTC: tomorrow at 06:00
	if err := st.SavePublication(ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := st.StartSend(ctx, iss.ID, newsletter.Statuses(newsletter.IssueStatus.EditorCanStart), ""); err != nil {
		t.Fatal(err)
	}
	h := metrics.New(metrics.Options{DB: st}).Handler()
	got := scrape(t, h)
	if d, w := got[`masthead_queue_depth{publication="planet"}`], got[`masthead_queue_waiting_local{publication="planet"}`]; d != 0 || w != n {
		t.Errorf("before the readers' hour: depth %v, waiting %v; want 0 and %d", d, w, n)
	}
	now = time.Date(2026, 10, 25, 6, 0, 0, 0, time.UTC)
	got = scrape(t, h)
	if d, w := got[`masthead_queue_depth{publication="planet"}`], got[`masthead_queue_waiting_local{publication="planet"}`]; d != n || w != 0 {
		t.Errorf("at the readers' hour: depth %v, waiting %v; want %d and 0", d, w, n)
	}
}
