// Package metrics is masthead's Prometheus instrumentation: one registry with
// the delivery counters (messages sent, failed and retried per publication,
// SMTP reply classes, send rate), the queue depth and subscriber changes read
// from the database at scrape time, and HTTP request latency. Other packages
// report through a *Metrics (its methods are safe on a nil *Metrics, which
// records nothing), or are wrapped by it: WrapSender around the delivery
// engine's sender, Instrument around the web server.
package metrics

import (
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds masthead's collectors in their own registry (no package
// globals: two servers in one test process do not share counts).
type Metrics struct {
	reg *prometheus.Registry
	log *slog.Logger

	sent, failed, retried *prometheus.CounterVec // by publication
	replies               *prometheus.CounterVec // by class: 2xx, 4xx, 5xx, network
	httpDuration          *prometheus.HistogramVec

	rate *rateWindow

	engagement *engagementCounters
}

// Options configure New.
type Options struct {
	// DB, when set, is read at each scrape for the queue depth and the
	// subscriber change counts (see DB).
	DB  DB
	Log *slog.Logger
	Now func() time.Time
}

// New makes the registry with every collector registered.
func New(o Options) *Metrics {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	m := &Metrics{reg: prometheus.NewRegistry(), log: o.Log, rate: newRateWindow(time.Minute, o.Now)}
	pub := []string{"publication"}
	m.sent = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "masthead_messages_sent_total",
		Help: "Messages accepted by the receiving server."}, pub)
	m.failed = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "masthead_messages_failed_total",
		Help: "Attempts refused for good (5xx)."}, pub)
	m.retried = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "masthead_messages_retried_total",
		Help: "Attempts that failed for now (4xx or a network error) and will be retried."}, pub)
	m.replies = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "masthead_smtp_replies_total",
		Help: "SMTP attempts by reply class: 2xx, 4xx, 5xx, or network (no reply)."}, []string{"class"})
	m.httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "masthead_http_request_duration_seconds",
		Help: "HTTP request latency by route pattern.", Buckets: prometheus.DefBuckets},
		[]string{"method", "route", "code"})
	sendRate := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "masthead_send_rate",
		Help: "Messages accepted per second over the last minute."}, m.rate.perSecond)
	m.reg.MustRegister(m.sent, m.failed, m.retried, m.replies, m.httpDuration, sendRate,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.engagement = newEngagementCounters(m.reg)
	if o.DB != nil {
		m.reg.MustRegister(&dbCollector{db: o.DB, log: o.Log})
	}
	return m
}

// Registry is the registry, for tests and for adding collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus text format (GET /metrics).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(m.log.Handler(), slog.LevelWarn)})
}

// Outcome is what became of one delivery attempt.
type Outcome uint8

const (
	Sent    Outcome = iota + 1 // accepted
	Retried                    // transient failure, to be retried
	Failed                     // definitive failure
)

// Attempt records one delivery attempt of a publication's issue: its outcome
// and the SMTP reply code (0 when there was no reply: a network error).
func (m *Metrics) Attempt(publication string, o Outcome, code int) {
	if m == nil {
		return
	}
	switch o {
	case Sent:
		m.sent.WithLabelValues(publication).Inc()
		m.rate.add()
	case Retried:
		m.retried.WithLabelValues(publication).Inc()
	case Failed:
		m.failed.WithLabelValues(publication).Inc()
	}
	m.replies.WithLabelValues(ReplyClass(code)).Inc()
}

// ReplyClass names the class of an SMTP reply code (RFC 5321 4.2.1).
func ReplyClass(code int) string {
	switch {
	case code >= 200 && code < 300:
		return "2xx"
	case code >= 300 && code < 400:
		return "3xx"
	case code >= 400 && code < 500:
		return "4xx"
	case code >= 500 && code < 600:
		return "5xx"
	}
	return "network"
}

// rateWindow counts events per second over a sliding window, in one-second
// buckets.
type rateWindow struct {
	now func() time.Time
	mu  sync.Mutex
	buf []int64 // per-second counts, ring indexed by unix second
	at  []int64 // the unix second each bucket holds
}

func newRateWindow(window time.Duration, now func() time.Time) *rateWindow {
	n := int(window / time.Second)
	return &rateWindow{now: now, buf: make([]int64, n), at: make([]int64, n)}
}

func (r *rateWindow) add() {
	sec := r.now().Unix()
	r.mu.Lock()
	defer r.mu.Unlock()
	i := int(sec % int64(len(r.buf)))
	if r.at[i] != sec {
		r.at[i], r.buf[i] = sec, 0
	}
	r.buf[i]++
}

func (r *rateWindow) perSecond() float64 {
	sec := r.now().Unix()
	r.mu.Lock()
	defer r.mu.Unlock()
	var n int64
	for i, at := range r.at {
		if sec-at < int64(len(r.buf)) {
			n += r.buf[i]
		}
	}
	return float64(n) / float64(len(r.buf))
}
