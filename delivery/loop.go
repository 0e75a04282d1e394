package delivery

import (
	"errors"
	"fmt"
	"time"

	"masthead/ledger"
	"masthead/newsletter"
)

// loop is the run's ledger goroutine (see run). It returns when every worker
// has finished and the last outcomes are recorded.
func (r *run) loop() {
	cfg := &r.e.cfg
	var (
		held      []*ledger.Delivery // claimed, not yet handed to a worker
		batch     = make([]ledger.Outcome, 0, cfg.RecordBatch)
		idle      <-chan time.Time // set while nothing is due: when to look again
		stopping  bool
		dbErrors  int
		recordT   = time.NewTicker(cfg.RecordEvery)
		statusT   = time.NewTicker(cfg.Poll)
		renewT    = time.NewTicker(cfg.Lease / 3)
		jobsShut  bool
		inFlight  int // rows handed to workers and not yet back (or held by repeats)
		lowWater  = cfg.Connections
		claimSize = cfg.ClaimBatch
		reclaimed time.Time // when dead owners' leases were last looked for
	)
	defer recordT.Stop()
	defer statusT.Stop()
	defer renewT.Stop()
	flush := func() {
		if len(batch) > 0 {
			r.flush(batch)
			batch = batch[:0]
		}
	}
	// settle counts n rows back from the workers (recorded or released).
	settle := func(n int) {
		if inFlight -= n; n > 0 && inFlight == 0 && len(held) == 0 {
			idle = nil // the last row came back: look again now, not after Poll
		}
	}
	record := func(os ...ledger.Outcome) {
		for _, o := range os {
			batch = append(batch, o)
			if len(batch) >= cfg.RecordBatch {
				flush()
			}
		}
		settle(len(os))
	}
	for {
		if !stopping && r.halt.Err() != nil {
			stopping = true
		}
		// Claim more before the workers run dry.
		if !stopping && idle == nil && len(held) < lowWater {
			rows, err := r.e.ledger.Claim(r.work, r.issueID, r.e.owner, cfg.Transport, claimSize, cfg.Lease)
			switch {
			case errors.Is(err, ledger.ErrNotSending):
				stopping = true
			case errors.Is(err, ledger.ErrOtherTransport):
				r.stop(err) // restarted elsewhere with another transport after a pause
				stopping = true
			case err != nil:
				r.e.log.Error("claim failed", "issue", r.issueID, "err", err)
				if dbErrors++; dbErrors >= 10 {
					r.stop(fmt.Errorf("claim rows of issue %d: %w", r.issueID, err))
					stopping = true
				}
				idle = time.After(cfg.Poll)
			case len(rows) == 0 && len(held) == 0:
				dbErrors = 0
				flush() // so that the outcomes in hand count toward "done"
				if done, err := r.e.ledger.FinishIfDone(r.work, r.issueID); err == nil && done {
					stopping = true
				} else if cfg.ReclaimDead && time.Since(reclaimed) >= cfg.Poll {
					// Rows may be held by a process of this host that died
					// since the run began: take them now, not after the lease.
					reclaimed = time.Now()
					r.e.reclaimDead(r.work, r.issueID)
				}
				idle = time.After(cfg.Poll) // retries not yet due, or rows in flight
			default:
				dbErrors = 0
				held = append(held, rows...)
				if len(rows) < claimSize {
					idle = time.After(cfg.Poll) // the queue is drained for now
				}
			}
		}
		if stopping && !jobsShut {
			r.stopFn() // workers waiting on the breaker or a rate limit give their rows back
			r.release(held...)
			held = nil
			close(r.jobs)
			jobsShut = true
		}
		var jobs chan<- *ledger.Delivery
		var next *ledger.Delivery
		if len(held) > 0 && !jobsShut {
			jobs, next = r.jobs, held[0]
		}
		select {
		case jobs <- next:
			held = held[1:]
			inFlight++
		case a, ok := <-r.outcomes:
			if !ok {
				held := r.repeats.drain()
				if r.pausedFor() {
					held = requeued(held, r.e.cfg.Now())
				}
				batch = append(batch, held...)
				flush()
				return
			}
			switch {
			case a.accepted:
				record(r.repeats.accepted(a.started)...)
				record(a.o)
			case a.refusal != nil && r.pausedFor():
				record(requeued([]ledger.Outcome{a.o}, r.e.cfg.Now())...)
			case a.refusal != nil:
				a.refusal.o = a.o
				if why, trip := r.repeats.hold(*a.refusal); trip {
					r.pauseFor(PauseRepeated, why)
					record(requeued(r.repeats.drain(), r.e.cfg.Now())...)
				}
			default:
				record(a.o)
			}
		case d := <-r.releases:
			r.release(d)
			settle(1)
		case <-recordT.C:
			record(r.repeats.due(r.e.cfg.Now())...)
			flush()
		case <-renewT.C:
			if err := r.e.ledger.RenewLeases(r.work, r.issueID, r.e.owner, cfg.Lease); err != nil {
				r.e.log.Warn("lease renewal failed", "issue", r.issueID, "err", err)
			}
		case <-statusT.C:
			if st, err := r.e.ledger.IssueStatus(r.work, r.issueID); err == nil && st != newsletter.Sending && !stopping {
				if st != newsletter.Sent {
					r.e.log.Info("send stopped", "issue", r.issueID, "status", st)
				}
				stopping = true
			}
		case <-idle:
			idle = nil
		case <-r.halt.Done():
			stopping = true
		}
	}
}

// release gives rows back to the ledger, due at once.
func (r *run) release(rows ...*ledger.Delivery) {
	if len(rows) == 0 {
		return
	}
	ids := make([]int64, len(rows))
	for i, d := range rows {
		ids[i] = d.ID
	}
	if err := r.e.ledger.Release(r.work, r.e.owner, ids); err != nil {
		// Harmless: the rows come back when their leases expire.
		r.e.log.Warn("release failed", "issue", r.issueID, "rows", len(ids), "err", err)
	}
}

// flush writes one batch of outcomes, retrying while the database is busy.
// Workers wait meanwhile (the outcomes channel is unbuffered), which keeps
// the window of accepted-but-unrecorded messages bounded. Outcomes it cannot
// write leave their rows leased: they are sent again after the lease expires.
func (r *run) flush(batch []ledger.Outcome) {
	var err error
	for try := 0; try < 8; try++ {
		if err = r.e.ledger.Record(r.work, batch, r.e.cfg.Bounces); err == nil {
			for _, o := range batch {
				switch o.Kind {
				case ledger.OutcomeSent:
					r.sent.Add(1)
				case ledger.OutcomeFailed:
					r.failed.Add(1)
				case ledger.OutcomeRetry:
					r.retried.Add(1)
				}
			}
			return
		}
		r.e.log.Warn("recording outcomes failed, retrying", "issue", r.issueID, "outcomes", len(batch), "err", err)
		time.Sleep(time.Duration(50<<try) * time.Millisecond)
	}
	r.e.log.Error("outcomes lost", "issue", r.issueID, "outcomes", len(batch), "err", err)
	r.stop(fmt.Errorf("record outcomes of issue %d: %w", r.issueID, err))
}
