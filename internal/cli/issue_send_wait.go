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

// watchProgress calls giveUp when no row of the issue has settled (sent,
// failed, skipped, cancelled) for limit: the server has been unreachable, or
// every row left waits for a retry, that long. The returned func reports
// whether it did.
func (a *app) watchProgress(ctx context.Context, issueID int64, limit time.Duration, giveUp func()) (gaveUp func() bool) {
	var did atomic.Bool
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
			if n := c.Total - c.Pending(); n != settled {
				settled, since = n, time.Now()
				continue
			}
			if time.Since(since) >= limit {
				did.Store(true)
				giveUp()
				return
			}
		}
	}()
	return did.Load
}
