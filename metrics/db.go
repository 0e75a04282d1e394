package metrics

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// DB is what the scrape-time collector reads (store.Store has it). Both are
// read from the database rather than counted in this process, so they are
// right whichever process made the change and survive restarts.
type DB interface {
	// QueueDepth counts deliveries not yet settled (queued or being sent)
	// per publication slug: those due or in flight (depth), and apart those
	// whose first attempt waits for their reader's local time (waiting).
	QueueDepth(ctx context.Context) (depth, waiting map[string]int, err error)
	// SubscriberEventCounts counts subscriber changes ever made, by kind
	// (subscribed, confirmed, unsubscribed, bounced, ...).
	SubscriberEventCounts(ctx context.Context) (map[string]int, error)
	// RefusedSends counts the sends masthead paused by itself because the
	// mail server refuses our mail, per publication slug.
	RefusedSends(ctx context.Context) (map[string]int, error)
}

var (
	queueDesc = prometheus.NewDesc("masthead_queue_depth",
		"Deliveries queued or being sent, per publication, not counting those waiting for their readers' local time.",
		[]string{"publication"}, nil)
	waitingDesc = prometheus.NewDesc("masthead_queue_waiting_local",
		"Deliveries whose first attempt waits for their reader's local time (a publication delivering at each reader's hour), per publication.",
		[]string{"publication"}, nil)
	eventsDesc = prometheus.NewDesc("masthead_subscriber_events_total",
		"Subscriber changes by kind (subscribed, confirmed, unsubscribed, bounced, ...).", []string{"kind"}, nil)
	refusedDesc = prometheus.NewDesc("masthead_sends_paused_refused",
		"Sends masthead paused because the mail server refuses our mail (relay, sender, authentication), per publication; "+
			"the reason is on the issue.", []string{"publication"}, nil)
)

// dbCollector reads DB at each scrape, with a short timeout so a slow
// database cannot hold the scrape.
type dbCollector struct {
	db  DB
	log *slog.Logger
}

func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueDesc
	ch <- waitingDesc
	ch <- eventsDesc
	ch <- refusedDesc
}

func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if q, w, err := c.db.QueueDepth(ctx); err != nil {
		c.log.Warn("metrics: queue depth", "err", err)
		ch <- prometheus.NewInvalidMetric(queueDesc, err)
		ch <- prometheus.NewInvalidMetric(waitingDesc, err)
	} else {
		for pub, n := range q {
			ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, float64(n), pub)
			ch <- prometheus.MustNewConstMetric(waitingDesc, prometheus.GaugeValue, float64(w[pub]), pub)
		}
	}
	if ev, err := c.db.SubscriberEventCounts(ctx); err != nil {
		c.log.Warn("metrics: subscriber events", "err", err)
		ch <- prometheus.NewInvalidMetric(eventsDesc, err)
	} else {
		for kind, n := range ev {
			ch <- prometheus.MustNewConstMetric(eventsDesc, prometheus.CounterValue, float64(n), kind)
		}
	}
	if rs, err := c.db.RefusedSends(ctx); err != nil {
		c.log.Warn("metrics: refused sends", "err", err)
		ch <- prometheus.NewInvalidMetric(refusedDesc, err)
	} else {
		for pub, n := range rs {
			ch <- prometheus.MustNewConstMetric(refusedDesc, prometheus.GaugeValue, float64(n), pub)
		}
	}
}
