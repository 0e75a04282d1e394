package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"masthead/assembly"
	"masthead/delivery"
	"masthead/engagement"
	"masthead/store"
	"masthead/subscribers"
	"masthead/subscribers/confirm"
	"masthead/web"
	"masthead/workspace"
)

// WebEndpoint is one endpoint's figures in one phase of the web measurement.
type WebEndpoint struct {
	Phase     string        `json:"phase"` // "idle", or "sending": while the issue is being sent
	Endpoint  string        `json:"endpoint"`
	Requests  int           `json:"requests"`
	Errors    int           `json:"errors"` // transport errors and unexpected statuses
	PerSecond float64       `json:"per_second"`
	P50       time.Duration `json:"p50_ns"`
	P99       time.Duration `json:"p99_ns"`
	// LoggedErrors counts the server's error log records in the phase (the
	// subscribe form answers the same whatever happens, so its failures only
	// show there). Reported on the phase's first endpoint.
	LoggedErrors int `json:"logged_errors,omitempty"`
}

// measureWeb serves the web edition of the fixture on loopback and loads it
// with t.WebClients clients for t.WebDuration, first idle, then while the
// issue is sent over t.Connections connections.
func measureWeb(ctx context.Context, t *task, log *slog.Logger) (*Measurement, error) {
	st, err := store.Open(ctx, t.DB, log)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	cfg, err := smtpConfig(t.SMTP)
	if err != nil {
		return nil, err
	}
	signer := subscribers.NewSigner([]byte(benchSecret))
	counter := &errorCounter{}
	// The form's confirmations are queued, not sent: the queue is not run.
	asm := assembly.New(st, baseURL)
	queue, err := confirm.New(confirm.Config{Store: st, Mailer: delivery.NewMailer(delivery.NewSMTP(cfg, log)),
		Assembler: asm, Signer: signer, BaseURL: baseURL})
	if err != nil {
		return nil, err
	}
	work, err := workspace.New(workspace.Config{Store: st, Assembler: asm, Confirmations: queue, BaseURL: baseURL,
		Log: slog.New(counter)})
	if err != nil {
		return nil, err
	}
	// The counted links, as serve wires them: the redirect, the link
	// tables behind a cache, the recorder writing batches to the database.
	links := workspace.NewLinks(st, []byte(benchSecret), baseURL)
	if err := st.SaveIssueLinks(ctx, t.Fixture.IssueID, benchLinks()); err != nil {
		return nil, err
	}
	recorder := engagement.NewRecorder(engagement.SinkFunc(st.WriteEngagement), engagement.RecorderOptions{Logger: slog.New(counter)})
	recCtx, stopRecorder := context.WithCancel(ctx)
	recDone := make(chan struct{})
	go func() { recorder.Run(recCtx); close(recDone) }()
	defer func() {
		stopRecorder()
		<-recDone
		log.Info("redirect: what the recorder did", "stats", fmt.Sprintf("%+v", recorder.Stats()))
	}()
	redirects := engagement.NewRedirector(links.Signer(), engagement.NewCache(st, 256, 30*time.Second), recorder)
	srv, err := web.New(web.Deps{Work: work, Log: slog.New(counter), BaseURL: baseURL, Signer: signer,
		FormLimits: web.FormLimits{PerIP: 1 << 30, PerAddress: 1 << 30, Window: time.Hour}, Redirects: redirects})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := srv.HTTPServer(ln.Addr().String())
	go hs.Serve(ln)
	defer hs.Close()

	m := &Measurement{Kind: t.Kind, Connections: t.Connections, Latency: t.Latency}
	resetPeak()
	lg := &loadGen{base: "http://" + ln.Addr().String(), fx: t.Fixture, signer: signer, clients: t.WebClients,
		links: links.Signer(), redirectOnly: t.Kind == WhatRedirect}
	m.Web = append(m.Web, lg.run(ctx, "idle", t.WebDuration, counter)...)

	e, err := engine(t, st, t.Connections, log)
	if err != nil {
		return nil, err
	}
	if _, err := e.Start(ctx, t.Fixture.IssueID); err != nil {
		return nil, fmt.Errorf("start send: %w", err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan delivery.Summary, 1)
	go func() {
		sum, err := e.Run(runCtx, t.Fixture.IssueID)
		if err != nil {
			log.Error("send during web load", "err", err)
		}
		done <- sum
	}()
	m.Web = append(m.Web, lg.run(ctx, "sending", t.WebDuration, counter)...)
	cancel()
	sum := <-done
	m.Sending = sum.Sent
	m.PeakRSS = peakRSS()
	return m, ctx.Err()
}

// loadGen is a closed-loop HTTP load generator: each client sends its next
// request when the last one is answered, going round the endpoints.
type loadGen struct {
	base    string
	fx      Fixture
	signer  *subscribers.Signer
	clients int
	seq     atomic.Int64 // makes subscribe addresses unique
	// links signs the counted links; redirectOnly loads GET /r/{token} alone.
	links        *engagement.Signer
	redirectOnly bool
}

// benchLinks is the link table the measurement gives the fixture's issue.
func benchLinks() []engagement.Link {
	out := make([]engagement.Link, benchLinkCount)
	for i := range out {
		out[i] = engagement.Link{Index: i + 1, URL: fmt.Sprintf("https://news.example/story/%d", i+1), Text: fmt.Sprintf("Story %d", i+1)}
	}
	return out
}

const benchLinkCount = 20

// endpoint is one kind of request and the status it should get.
type endpoint struct {
	name string
	want int
	req  func(rng *rand.Rand) (*http.Request, error)
}

func (lg *loadGen) endpoints() []endpoint {
	form := func(u string, v url.Values) (*http.Request, error) {
		r, err := http.NewRequest(http.MethodPost, u, strings.NewReader(v.Encode()))
		if err == nil {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		return r, err
	}
	redirect := endpoint{"GET /r/{token} (counted link)", http.StatusFound, func(rng *rand.Rand) (*http.Request, error) {
		r, err := http.NewRequest(http.MethodGet, lg.base+"/r/"+lg.links.LinkToken(lg.fx.IssueID, 1+rng.IntN(benchLinkCount)), nil)
		if err == nil {
			r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")
		}
		return r, err
	}}
	if lg.redirectOnly {
		return []endpoint{redirect}
	}
	return []endpoint{
		{"GET /issues/{slug}/ (archive)", http.StatusOK, func(*rand.Rand) (*http.Request, error) {
			return http.NewRequest(http.MethodGet, lg.base+"/issues/"+lg.fx.Slug+"/", nil)
		}},
		{"POST /subscribe", http.StatusSeeOther, func(*rand.Rand) (*http.Request, error) {
			n := lg.seq.Add(1)
			return form(lg.base+"/subscribe", url.Values{"email": {fmt.Sprintf("load.%d@example.com", n)},
				"name": {fmt.Sprintf("Load %d", n)}})
		}},
		{"POST /unsubscribe/{token} (one-click)", http.StatusOK, func(rng *rand.Rand) (*http.Request, error) {
			tok := lg.signer.Sign(subscribers.Token{Purpose: subscribers.PurposeUnsubscribe,
				SubscriberID: 1 + rng.Int64N(int64(lg.fx.Subscribers)), PublicationID: lg.fx.PublicationID})
			return form(lg.base+"/unsubscribe/"+tok, url.Values{"List-Unsubscribe": {"One-Click"}})
		}},
	}
}

// run loads every endpoint for d and returns their figures.
func (lg *loadGen) run(ctx context.Context, phase string, d time.Duration, counter *errorCounter) []WebEndpoint {
	eps := lg.endpoints()
	client := &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: lg.clients, DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
		Timeout: 30 * time.Second,
	}
	defer client.CloseIdleConnections()
	type tally struct {
		times  []time.Duration
		errors int
	}
	var mu sync.Mutex
	total := make([]tally, len(eps))
	logged0 := counter.n.Load()
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for c := range lg.clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(c), uint64(start.UnixNano())))
			mine := make([]tally, len(eps))
			for i := c; time.Now().Before(deadline) && ctx.Err() == nil; i++ {
				k := i % len(eps)
				t0 := time.Now()
				ok := lg.do(client, eps[k], rng)
				mine[k].times = append(mine[k].times, time.Since(t0))
				if !ok {
					mine[k].errors++
				}
			}
			mu.Lock()
			for k := range mine {
				total[k].times = append(total[k].times, mine[k].times...)
				total[k].errors += mine[k].errors
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	out := make([]WebEndpoint, len(eps))
	for k, ep := range eps {
		lat := summarise(total[k].times)
		out[k] = WebEndpoint{Phase: phase, Endpoint: ep.name, Requests: len(total[k].times), Errors: total[k].errors,
			PerSecond: float64(len(total[k].times)) / elapsed, P50: lat.P50, P99: lat.P99}
	}
	out[0].LoggedErrors = int(counter.n.Load() - logged0)
	return out
}

// do makes one request and reports whether it got the expected status.
func (lg *loadGen) do(c *http.Client, ep endpoint, rng *rand.Rand) bool {
	req, err := ep.req(rng)
	if err != nil {
		return false
	}
	resp, err := c.Do(req)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == ep.want
}

// errorCounter is a slog handler that counts error records and drops the rest.
type errorCounter struct{ n atomic.Int64 }

func (h *errorCounter) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelError }
func (h *errorCounter) Handle(context.Context, slog.Record) error {
	h.n.Add(1)
	return nil
}
func (h *errorCounter) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *errorCounter) WithGroup(string) slog.Handler      { return h }
