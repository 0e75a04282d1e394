package scheduler

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"masthead/ledger"
	"masthead/newsletter"
	"masthead/store"
)

// Runner delivers one sending issue until it is settled, paused or cancelled,
// or ctx is done; on ctx it lets the messages in flight finish and records
// them before returning. The delivery engine is one (through RunnerFunc).
type Runner interface {
	RunIssue(ctx context.Context, issueID int64) error
}

// RunnerFunc adapts a function to Runner.
type RunnerFunc func(ctx context.Context, issueID int64) error

// RunIssue calls f.
func (f RunnerFunc) RunIssue(ctx context.Context, issueID int64) error { return f(ctx, issueID) }

// StarterFunc adapts a function to Starter.
type StarterFunc func(ctx context.Context, issueID int64, from []newsletter.IssueStatus) (ledger.StartResult, error)

// StartFrom calls f.
func (f StarterFunc) StartFrom(ctx context.Context, issueID int64, from []newsletter.IssueStatus) (ledger.StartResult, error) {
	return f(ctx, issueID, from)
}

// Workers keep a delivery run going for every issue that is sending: those the
// scheduler started, those an editor started elsewhere, and those a previous
// process left mid-send (the ledger's leases make taking them over safe).
type Workers struct {
	Store  WorkerStore
	Runner Runner
	Log    *slog.Logger
	Poll   time.Duration // how often to look for sending issues; default 1s
	// Transport is where this process's messages go (delivery.TransportOf):
	// issues whose send was started with another transport are left to the
	// processes that have it. Empty: every sending issue is taken.
	Transport string

	once    sync.Once
	wake    chan struct{}
	mu      sync.Mutex
	running map[int64]bool
	failed  map[int64]time.Time // issue -> no new run before then (its last run failed)
	left    map[int64]bool      // issues left to processes of another transport (logged once)
	wg      sync.WaitGroup
}

func (w *Workers) init() {
	w.once.Do(func() {
		w.wake = make(chan struct{}, 1)
		w.running = map[int64]bool{}
		w.failed = map[int64]time.Time{}
		w.left = map[int64]bool{}
		if w.Log == nil {
			w.Log = slog.New(slog.DiscardHandler)
		}
		if w.Poll <= 0 {
			w.Poll = time.Second
		}
	})
}

// Wake makes Run look for sending issues now rather than at the next poll.
func (w *Workers) Wake() {
	w.init()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run starts a delivery run for each sending issue until ctx is done, then
// waits for the runs to finish their messages in flight and record them.
func (w *Workers) Run(ctx context.Context) error {
	w.init()
	t := time.NewTicker(w.Poll)
	defer t.Stop()
	for {
		w.startRuns(ctx)
		select {
		case <-ctx.Done():
			w.mu.Lock()
			n := len(w.running)
			w.mu.Unlock()
			if n > 0 {
				w.Log.Info("waiting for sends in flight to finish and be recorded", "issues", n)
			}
			w.wg.Wait()
			return nil
		case <-t.C:
		case <-w.wake:
		}
	}
}

// Running reports how many issues this process is delivering now.
func (w *Workers) Running() int {
	w.init()
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.running)
}

func (w *Workers) startRuns(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	list, err := w.Store.Issues(ctx, store.IssueFilter{Statuses: []newsletter.IssueStatus{newsletter.Sending}})
	if err != nil {
		if ctx.Err() == nil {
			w.Log.Error("listing sending issues failed", "err", err)
		}
		return
	}
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, iss := range list {
		if w.running[iss.ID] || now.Before(w.failed[iss.ID]) || !w.mine(ctx, iss.ID) {
			continue
		}
		w.running[iss.ID] = true
		w.wg.Add(1)
		go w.run(ctx, iss)
	}
}

// mine reports whether this process may send the issue: its send was started
// with this process's transport, or with none recorded. The first time it is
// not, the log says so once. w.mu is held.
func (w *Workers) mine(ctx context.Context, issueID int64) bool {
	if w.Transport == "" {
		return true
	}
	have, err := w.Store.SendTransport(ctx, issueID)
	if err != nil {
		if ctx.Err() == nil {
			w.Log.Error("reading an issue's transport failed", "issue", issueID, "err", err)
		}
		return false
	}
	if have == "" || have == w.Transport {
		delete(w.left, issueID) // started again here after a pause: log a later leave again
		return true
	}
	w.leave(issueID, have)
	return false
}

// leave logs, once per issue, that this process leaves it to others. w.mu is held.
func (w *Workers) leave(issueID int64, have string) {
	if w.left[issueID] {
		return
	}
	w.left[issueID] = true
	w.Log.Info("issue is sending via another transport: left to the processes sending via it",
		"issue", issueID, "issue_transport", have, "this_process", w.Transport)
}

func (w *Workers) run(ctx context.Context, iss *newsletter.Issue) {
	defer w.wg.Done()
	log := w.Log.With("issue", iss.ID, "date", iss.Date.String())
	log.Info("delivering", "subject", iss.Subject)
	err := w.Runner.RunIssue(ctx, iss.ID)
	w.mu.Lock()
	delete(w.running, iss.ID)
	var other *ledger.TransportError
	switch {
	case errors.As(err, &other):
		// Started again elsewhere with another transport (after a pause).
		w.leave(iss.ID, other.Have)
		err = nil
	case err != nil && ctx.Err() == nil:
		w.failed[iss.ID] = time.Now().Add(30 * time.Second)
	}
	w.mu.Unlock()
	if err != nil && ctx.Err() == nil {
		log.Error("delivery run failed; trying again in 30s", "err", err)
	}
}
