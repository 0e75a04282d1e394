package cli

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"masthead/delivery"
)

// serverWatch tells the user of 'issue send' when the mail server cannot be
// reached and when it can again, one line per change (the engine's breaker
// reports them), and remembers the outage for the progress and the summary.
type serverWatch struct {
	out  io.Writer
	mu   sync.Mutex
	down *delivery.ServerState // nil while the server is taken for up
}

func (w *serverWatch) report(s delivery.ServerState) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if s.Down {
		w.down = &s
		fmt.Fprintf(w.out, "%s; retrying in %s (Ctrl-C to stop; nothing is lost)\n", s.Reason, max(s.Retry.Round(time.Second), time.Second))
		return
	}
	if w.down != nil {
		fmt.Fprintln(w.out, "the mail server answers again: sending")
	}
	w.down = nil
}

func (w *serverWatch) state() *delivery.ServerState {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.down
}

func (w *serverWatch) isDown() bool { return w.state() != nil }

// localSoon is how near the next local-time group may be for 'issue send'
// to wait for it rather than stop and leave it to 'masthead serve'.
const localSoon = time.Minute

// sendWatch is why watchProgress stopped a run; neither while it did not.
type sendWatch struct {
	// gaveUp: no row of the issue settled (sent, failed, skipped,
	// cancelled) for the --give-up limit: the server has been unreachable,
	// or every row left waits for a retry, that long.
	gaveUp atomic.Bool
	// waiting: every row left waits for its reader's local time (none due,
	// in flight or retrying) and the next group is not due within localSoon.
	waiting atomic.Bool
}

// watchProgress calls stop when the run can do nothing more for now, and
// says why in the returned watch. next is when the issue's next group
// waiting for its readers' local time is due (zero when none). Rows that
// wait for their hour are not a lack of progress: a send whose only rows
// left are due within localSoon goes on without counting toward limit.
func (a *app) watchProgress(ctx context.Context, issueID int64, limit time.Duration, next func(context.Context) (time.Time, error), stop func()) *sendWatch {
	w := &sendWatch{}
	every := min(time.Second, max(limit/10, 10*time.Millisecond))
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		settled, since := -1, time.Now()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			c, err := a.read().Counts(ctx, issueID)
			if err != nil {
				continue
			}
			if c.Waiting > 0 && c.Waiting == c.Pending() {
				at, err := next(ctx)
				if err != nil || at.IsZero() { // zero: the rows fell due meanwhile
					continue
				}
				if time.Until(at) > localSoon {
					w.waiting.Store(true)
					stop()
					return
				}
				since = time.Now() // only waiting, for a moment: not stuck
				continue
			}
			if n := c.Total - c.Pending(); n != settled {
				settled, since = n, time.Now()
				continue
			}
			if time.Since(since) >= limit {
				w.gaveUp.Store(true)
				stop()
				return
			}
		}
	}()
	return w
}
