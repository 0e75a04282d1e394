package delivery

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"masthead/ledger"
	"masthead/newsletter"
)

// Summary is what one Run did and where the issue stands after it.
type Summary struct {
	Status  newsletter.IssueStatus
	Counts  ledger.DeliveryCounts
	Sent    int // outcomes this run recorded, by kind
	Failed  int
	Retried int
	Elapsed time.Duration
	// Paused is why this run paused the send by itself (the server refuses
	// our mail, see Pause); "" otherwise.
	Paused string
}

// run is one Run's state. One goroutine, the ledger loop (loop.go), does all
// of the run's database work: it claims rows, hands them one at a time to
// Connections workers over an unbuffered channel, takes their outcomes back
// over another and records them in batches, renews leases and watches the
// issue's status. With a single writer per process, SQLite never makes the
// run's own transactions wait for each other.
type run struct {
	e        *Engine
	issueID  int64
	comp     *Composer
	jobs     chan *ledger.Delivery
	outcomes chan attempt
	releases chan *ledger.Delivery // rows a worker gives back unattempted
	breaker  *breaker
	limits   *limits
	repeats  *repeats // owned by the ledger loop

	work   context.Context // sends and records: outlives a stop, so in-flight work completes
	halt   context.Context // cancelled on stop: no new work
	stopFn context.CancelFunc

	errMu  sync.Mutex
	err    error  // what stopped the run, if it was an error
	paused string // why the run paused the send (pauseFor)

	pauseOnce sync.Once

	sent, failed, retried atomic.Int64
}

// Run delivers a sending issue until every row is settled (the issue becomes
// sent), the issue is paused or cancelled, or ctx is done. On any stop it
// finishes and records the messages in flight and gives back the rows it had
// claimed but not started. An issue that is not sending returns at once. Run
// may be called again (by this or another process) to continue.
func (e *Engine) Run(ctx context.Context, issueID int64) (Summary, error) {
	start := e.cfg.Now()
	sum := Summary{}
	st, err := e.ledger.IssueStatus(ctx, issueID)
	if err != nil {
		return sum, err
	}
	if st == newsletter.Sending {
		// An issue started with another transport is not ours to send (the
		// claims say so too; this saves opening connections).
		have, err := e.ledger.SendTransport(ctx, issueID)
		if err != nil {
			return sum, err
		}
		if have != "" && e.cfg.Transport != "" && have != e.cfg.Transport {
			return sum, &ledger.TransportError{IssueID: issueID, Have: have, Want: e.cfg.Transport}
		}
		if err := e.run(ctx, issueID, &sum); err != nil {
			return sum, err
		}
	}
	work := context.WithoutCancel(ctx)
	if sum.Status, err = e.ledger.IssueStatus(work, issueID); err != nil {
		return sum, err
	}
	sum.Counts, err = e.ledger.Counts(work, issueID)
	sum.Elapsed = e.cfg.Now().Sub(start)
	return sum, err
}

func (e *Engine) run(ctx context.Context, issueID int64, sum *Summary) error {
	comp, err := e.Composer(ctx, issueID)
	if err != nil {
		return err
	}
	if e.cfg.ReclaimDead {
		e.reclaimDead(ctx, issueID)
	}
	r := &run{
		e: e, issueID: issueID, comp: comp,
		jobs:     make(chan *ledger.Delivery),
		outcomes: make(chan attempt),
		releases: make(chan *ledger.Delivery),
		breaker:  newBreaker(e.cfg.Breaker, e.cfg.Now, e.cfg.Connections),
		limits:   newLimits(e.cfg.Rate, e.cfg.Burst, e.cfg.DomainRates, e.cfg.SharedLimit),
		repeats:  &repeats{window: e.cfg.RepeatWindow, domains: e.cfg.RepeatDomains, recipients: e.cfg.RepeatRecipients},
		work:     context.WithoutCancel(ctx),
	}
	r.halt, r.stopFn = context.WithCancel(ctx)
	defer r.stopFn()

	var workers sync.WaitGroup
	for i := 0; i < e.cfg.Connections; i++ {
		workers.Go(func() { r.worker(i) })
	}
	go func() {
		workers.Wait()
		close(r.outcomes) // the loop's signal that every worker is done
	}()
	r.loop()

	sum.Sent, sum.Failed, sum.Retried = int(r.sent.Load()), int(r.failed.Load()), int(r.retried.Load())
	r.errMu.Lock()
	defer r.errMu.Unlock()
	sum.Paused = r.paused
	return r.err
}

// stop ends the run; err, if not nil, is what Run returns.
func (r *run) stop(err error) {
	if err != nil {
		r.errMu.Lock()
		if r.err == nil {
			r.err = err
		}
		r.errMu.Unlock()
	}
	r.stopFn()
}
