package ratelimit

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"masthead/store"
	"masthead/store/storetest"
)

// Three processes (three Stores on one database, each with its own Shared)
// taking slots of one limit at once never get the same slot, and between them
// the slots are spaced one interval apart: the limit holds in total.
func TestSlotsAreSharedAcrossProcesses(t *testing.T) {
	storetest.EachDSN(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		now := time.Now()
		clock := func() time.Time { return now }
		var limiters []*Shared
		for range 3 {
			st := storetest.OpenDSN(t, dsn)
			st.SetClock(clock)
			l, err := New(st, "global", 1000, 1)
			if err != nil {
				t.Fatal(err)
			}
			l.now = clock
			limiters = append(limiters, l)
		}
		var mu sync.Mutex
		var slots []time.Time
		var wg sync.WaitGroup
		for i := range 6 {
			l := limiters[i%3]
			wg.Go(func() {
				for range 40 {
					s, err := l.take(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					slots = append(slots, s)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		slices.SortFunc(slots, func(a, b time.Time) int { return a.Compare(b) })
		if len(slots) != 240 {
			t.Fatalf("%d slots", len(slots))
		}
		for i := 1; i < len(slots); i++ {
			if gap := slots[i].Sub(slots[i-1]); gap < time.Millisecond {
				t.Fatalf("slots %d and %d are %v apart, want at least 1ms (1000/s)", i-1, i, gap)
			}
		}
		if first := slots[0]; first.Before(now.Truncate(time.Microsecond)) {
			t.Errorf("first slot %v is before now %v with burst 1", first, now)
		}
	})
}

// A process that fell behind its reservation drops the slots that have gone
// by instead of sending them late on top of other processes' slots.
func TestStaleSlotsAreDropped(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	now := time.Now()
	clock := func() time.Time { return now }
	st.SetClock(clock)
	l, err := New(st, "global", 100, 1) // 10ms apart, 5 per reservation
	if err != nil {
		t.Fatal(err)
	}
	l.now = clock
	first, err := l.take(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Second)
	next, err := l.take(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if next.Before(now.Add(-l.grace)) {
		t.Errorf("after a second's pause got slot %v, %v before now (first was %v)", next, now.Sub(next), first)
	}
}

var _ Reserver = (*store.Store)(nil)
