package delivery_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"masthead/delivery"
	"masthead/internal/smtptest"
	"masthead/newsletter"
)

// TestDropsKeepThePace sends to 2,000 subscribers through a server that drops
// the connection mid-DATA for 10% of messages, and through a clean one, with
// the production breaker (1 s doubling): every subscriber gets the issue
// exactly once, and a dropped connection is reconnected without pausing the
// other connections. The two times are logged for the notes (not asserted):
//
//	go test -run TestDropsKeepThePace -v ./delivery/
func TestDropsKeepThePace(t *testing.T) {
	var took [2]time.Duration
	for i, dropRate := range []float64{0, 0.10} {
		ctx := context.Background()
		f := newFixture(t, 0)
		f.addSubscribers(t, 0, 2000, nil)
		var mu sync.Mutex
		rng := rand.New(rand.NewPCG(7, uint64(i)))
		srv := startServer(t, smtptest.Options{Discard: true, Inject: func(stage smtptest.Stage, _, _ string) *smtptest.Fault {
			if stage != smtptest.StageData {
				return nil
			}
			mu.Lock()
			p := rng.Float64()
			mu.Unlock()
			if p < dropRate {
				return &smtptest.Fault{Drop: true}
			}
			return nil
		}})
		cfg := f.fastConfig(4)
		cfg.Breaker = delivery.Backoff{Base: time.Second, Max: 2 * time.Minute}
		var downs int
		cfg.OnServerState = func(s delivery.ServerState) {
			if s.Down {
				mu.Lock()
				downs++
				mu.Unlock()
			}
		}
		e := f.engine(t, smtpTo(t, srv, 5*time.Second), cfg)
		e.Start(ctx, f.issue.ID)
		sum, err := e.Run(ctx, f.issue.ID)
		if err != nil || sum.Status != newsletter.Sent || sum.Counts.Sent != 2000 {
			t.Fatalf("drop rate %.0f%%: %v, %s %+v", dropRate*100, err, sum.Status, sum.Counts)
		}
		perRcpt, dup := copies(srv.Messages())
		if len(perRcpt) != 2000 || dup != 0 {
			t.Fatalf("drop rate %.0f%%: %d recipients, %d duplicates; want 2000 once", dropRate*100, len(perRcpt), dup)
		}
		took[i] = sum.Elapsed
		t.Logf("drop rate %.0f%%: 2000 sent in %v (%.0f msg/s), %d retried, %d connections, breaker opened %d times",
			dropRate*100, sum.Elapsed.Round(time.Millisecond), 2000/sum.Elapsed.Seconds(), sum.Retried, srv.Connections(), downs)
	}
	t.Logf("10%% dropped mid-DATA took %.2fx the clean run", took[1].Seconds()/took[0].Seconds())
}
