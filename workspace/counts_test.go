package workspace

import (
	"context"
	"testing"
	"time"

	"masthead/store"
)

// A slow count is reused for five times as long as it took; a quick one is
// never reused.
func TestCountsCacheReusesOnlySlowCounts(t *testing.T) {
	clock := time.Date(2026, 7, 9, 6, 0, 0, 0, time.UTC)
	cost := map[int64]time.Duration{1: 400 * time.Millisecond, 2: time.Millisecond}
	calls := map[int64]int{}
	cc := &countsCache{clock: func() time.Time { return clock },
		count: func(_ context.Context, id int64) (store.DeliveryCounts, error) {
			calls[id]++
			clock = clock.Add(cost[id])
			return store.DeliveryCounts{Sent: calls[id]}, nil
		}}
	ctx := context.Background()
	get := func(id int64) int {
		t.Helper()
		c, err := cc.get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return c.Sent
	}

	if get(1) != 1 {
		t.Fatal("first count of the slow issue")
	}
	clock = clock.Add(time.Second) // within 5 × 400 ms of the count
	if n := get(1); n != 1 || calls[1] != 1 {
		t.Errorf("one second after a 400 ms count: count %d, %d queries; want the cached one", n, calls[1])
	}
	clock = clock.Add(time.Second + time.Millisecond) // past 2 s
	if n := get(1); n != 2 || calls[1] != 2 {
		t.Errorf("2 s after a 400 ms count: count %d, %d queries; want a fresh one", n, calls[1])
	}

	for i := 1; i <= 3; i++ {
		if n := get(2); n != i {
			t.Errorf("quick issue, call %d: count %d; want a fresh count every time", i, n)
		}
	}
	if len(cc.m) != 1 {
		t.Errorf("cache holds %d issues; want only the slow one", len(cc.m))
	}
}
