package cli

import (
	"context"
	"log/slog"
	"time"
)

// runEngagement runs the click recorder until ctx ends (it then writes what
// it holds) and, every hour, deletes the per-subscriber rows past each
// publication's retention.
func (pt *serveParts) runEngagement(ctx context.Context, log *slog.Logger) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := pt.recorder.Run(ctx); err != nil && ctx.Err() == nil {
			log.Error("click recorder stopped", "err", err)
		}
	}()
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		if n, err := pt.ageOut(ctx, time.Now()); err != nil && ctx.Err() == nil {
			log.Warn("per-subscriber figures: age out failed", "err", err)
		} else if n > 0 {
			log.Info("per-subscriber figures past retention deleted (their counts stay)", "rows", n)
		}
		select {
		case <-ctx.Done():
			<-done
			return
		case <-tick.C:
		}
	}
}
