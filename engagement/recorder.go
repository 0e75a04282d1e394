package engagement

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"
)

// RecorderOptions configure a Recorder; zero fields take the defaults given.
type RecorderOptions struct {
	// Queue is how many events wait for the recorder before Record drops
	// them (65,536).
	Queue int
	// FlushEvery is the longest time figures wait in memory (5 s); a kill
	// -9 loses at most this much.
	FlushEvery time.Duration
	// FlushRows writes as soon as this many rows are waiting (2,048).
	FlushRows int
	// Window is how long a reader is remembered for unique counts: a
	// reader's clicks count once per link within at least Window and at most
	// twice Window (24 h).
	Window time.Duration
	// MaxReaders bounds the memory of readers: at most twice this many
	// hashes of 8 bytes (1,048,576).
	MaxReaders int
	// MaxPendingReaders bounds the per-subscriber rows kept while the sink
	// fails (100,000).
	MaxPendingReaders int
	// Rules classify events (DefaultRules).
	Rules Rules
	// WriteTimeout bounds one write to the sink (10 s).
	WriteTimeout time.Duration
	Logger       *slog.Logger
}

func (o RecorderOptions) withDefaults() RecorderOptions {
	if o.Queue <= 0 {
		o.Queue = 1 << 16
	}
	if o.FlushEvery <= 0 {
		o.FlushEvery = 5 * time.Second
	}
	if o.FlushRows <= 0 {
		o.FlushRows = 2048
	}
	if o.Window <= 0 {
		o.Window = 24 * time.Hour
	}
	if o.MaxReaders <= 0 {
		o.MaxReaders = 1 << 20
	}
	if o.MaxPendingReaders <= 0 {
		o.MaxPendingReaders = 100_000
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Recorder takes events from the redirect without ever blocking it,
// classifies them, counts them and writes the counts to a Sink in batches.
// Record may be called from any goroutine; Run does the work in one.
type Recorder struct {
	sink    Sink
	opt     RecorderOptions
	ch      chan Event
	stopped atomic.Bool
	stats   recorderStats
	tally   *tally
}

// NewRecorder returns a Recorder writing to sink; start it with Run.
func NewRecorder(sink Sink, opt RecorderOptions) *Recorder {
	opt = opt.withDefaults()
	r := &Recorder{sink: sink, opt: opt, ch: make(chan Event, opt.Queue)}
	r.tally = newTally(opt.Rules, opt.Window, opt.MaxReaders, opt.MaxPendingReaders, &r.stats)
	return r
}

// Record queues an event, or drops it (and counts the drop) when the queue
// is full or the recorder has stopped. It never blocks.
func (r *Recorder) Record(e Event) bool {
	if r.stopped.Load() {
		r.stats.dropped.Add(1)
		return false
	}
	select {
	case r.ch <- e:
		r.stats.queued.Add(1)
		return true
	default:
		r.stats.dropped.Add(1)
		return false
	}
}

// Stats returns the running totals.
func (r *Recorder) Stats() Snapshot {
	return r.stats.snapshot()
}

// tick is how often held events are counted and the flush time checked.
const tick = 250 * time.Millisecond

// Run records until ctx ends, then counts everything queued or held,
// writes it, and returns. The error is that of the last write, when it
// failed (its figures are lost).
func (r *Recorder) Run(ctx context.Context) error {
	t := time.NewTicker(min(tick, r.opt.FlushEvery))
	defer t.Stop()
	lastFlush := time.Now()
	retryAfter := time.Time{} // after a failed write, no size-triggered write before this
	for {
		select {
		case e := <-r.ch:
			r.tally.add(&e)
			r.tally.advance(e.At)
			if r.tally.pending() >= r.opt.FlushRows && time.Now().After(retryAfter) {
				if r.flush(ctx) != nil {
					retryAfter = time.Now().Add(r.opt.FlushEvery)
				}
				lastFlush = time.Now()
			}
		case now := <-t.C:
			r.tally.advance(now)
			if now.Sub(lastFlush) >= r.opt.FlushEvery && r.tally.pending() > 0 {
				if r.flush(ctx) != nil {
					retryAfter = now.Add(r.opt.FlushEvery)
				}
				lastFlush = now
			}
		case <-ctx.Done():
			return r.stop(ctx)
		}
	}
}

// stop refuses new events, counts what is queued and held, and writes it.
func (r *Recorder) stop(ctx context.Context) error {
	r.stopped.Store(true)
	for {
		select {
		case e := <-r.ch:
			r.tally.add(&e)
			r.tally.advance(e.At)
			continue
		default:
		}
		break
	}
	r.tally.advance(time.Time{})
	if r.tally.pending() == 0 {
		return nil
	}
	return r.flush(context.WithoutCancel(ctx))
}

// flush writes the waiting figures; on failure they stay for the next.
func (r *Recorder) flush(ctx context.Context) error {
	b := r.tally.batch()
	wctx, cancel := context.WithTimeout(ctx, r.opt.WriteTimeout)
	defer cancel()
	err := r.sink.Write(wctx, b)
	if err != nil {
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			err = ctx.Err()
		}
		r.stats.flushFails.Add(1)
		r.tally.restore(b)
		r.opt.Logger.Error("engagement: writing figures failed; kept for the next write",
			"counts", len(b.Counts), "reader_events", len(b.Readers), "err", err)
		return err
	}
	r.stats.flushes.Add(1)
	r.stats.rowsWritten.Add(uint64(len(b.Counts) + len(b.Readers)))
	return nil
}
