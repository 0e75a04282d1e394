package workspace

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"masthead/ledger"
)

// A slow count is reused for five times as long as it took; a quick one is
// never reused.
func TestCountsCacheReusesOnlySlowCounts(t *testing.T) {
	clock := time.Date(2026, 7, 9, 6, 0, 0, 0, time.UTC)
	cost := map[int64]time.Duration{1: 400 * time.Millisecond, 2: time.Millisecond}
	calls := map[int64]int{}
	cc := &countsCache{clock: func() time.Time { return clock },
		count: func(_ context.Context, id int64) (ledger.DeliveryCounts, error) {
			calls[id]++
			clock = clock.Add(cost[id])
			return ledger.DeliveryCounts{Sent: calls[id]}, nil
		}}
	ctx := context.Background()
	get := func(id int64) (int, time.Time) {
		t.Helper()
		c, at, err := cc.get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return c.Sent, at
	}

	n, at := get(1)
	if n != 1 || !at.Equal(clock) {
		t.Fatalf("first count of the slow issue: %d taken at %v, want 1 at %v", n, at, clock)
	}
	taken := clock
	clock = clock.Add(time.Second) // within 5 × 400 ms of the count
	if n, at := get(1); n != 1 || calls[1] != 1 || !at.Equal(taken) {
		t.Errorf("one second after a 400 ms count: count %d taken at %v, %d queries; want the cached one of %v", n, at, calls[1], taken)
	}
	clock = clock.Add(time.Second + time.Millisecond) // past 2 s
	if n, _ := get(1); n != 2 || calls[1] != 2 {
		t.Errorf("2 s after a 400 ms count: count %d, %d queries; want a fresh one", n, calls[1])
	}

	for i := 1; i <= 3; i++ {
		if n, _ := get(2); n != i {
			t.Errorf("quick issue, call %d: count %d; want a fresh count every time", i, n)
		}
	}
	if len(cc.m) != 1 {
		t.Errorf("cache holds %d issues; want only the slow one", len(cc.m))
	}
}

// Watchers who ask while a (slow) count runs share it instead of each
// counting; those who come after it use the cache.
func TestCountsCacheSharesARunningCount(t *testing.T) {
	var running, counts, elapsed atomic.Int64
	base := time.Date(2026, 7, 9, 6, 0, 0, 0, time.UTC)
	release := make(chan struct{})
	cc := &countsCache{clock: func() time.Time { return base.Add(time.Duration(elapsed.Load())) },
		count: func(context.Context, int64) (ledger.DeliveryCounts, error) {
			counts.Add(1)
			running.Add(1)
			<-release
			elapsed.Add(int64(400 * time.Millisecond)) // a slow count, by the cache's clock
			return ledger.DeliveryCounts{Sent: 7}, nil
		}}
	const watchers = 8
	var wg sync.WaitGroup
	got := make(chan int, watchers)
	for range watchers {
		wg.Go(func() {
			c, _, err := cc.get(context.Background(), 1)
			if err != nil {
				t.Error(err)
			}
			got <- c.Sent
		})
	}
	for deadline := time.Now().Add(10 * time.Second); running.Load() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no count started within 10 s")
		}
	}
	time.Sleep(20 * time.Millisecond) // most of the other watchers arrive while it runs
	close(release)
	wg.Wait()
	close(got)
	for n := range got {
		if n != 7 {
			t.Errorf("a watcher got %d", n)
		}
	}
	if counts.Load() != 1 {
		t.Errorf("%d watchers made %d counts; want one, shared or cached", watchers, counts.Load())
	}
}
