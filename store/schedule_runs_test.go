package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"masthead/newsletter"
	"masthead/store"
	"masthead/store/storetest"
)

// The leader lease: one holder at a time, renewals by the holder, takeover
// once it runs out, release lets another in at once.
func TestLeases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Date(2024, 7, 9, 6, 0, 0, 0, time.UTC)
		st.SetClock(func() time.Time { return now })
		step := func(owner string, want bool) {
			t.Helper()
			got, err := st.AcquireLease(ctx, "scheduler", owner, 30*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("at %s %s acquire = %v; want %v", now.Format(time.TimeOnly), owner, got, want)
			}
		}
		step("a", true)
		step("b", false)
		now = now.Add(20 * time.Second)
		step("a", true) // renew: now until 06:00:50
		now = now.Add(20 * time.Second)
		step("b", false)
		now = now.Add(11 * time.Second)
		step("b", true) // a's lease ran out
		step("a", false)
		if owner, _, err := st.LeaseHolder(ctx, "scheduler"); err != nil || owner != "b" {
			t.Errorf("holder %q, %v", owner, err)
		}
		if err := st.ReleaseLease(ctx, "scheduler", "a"); err != nil { // not a's: no effect
			t.Fatal(err)
		}
		step("a", false)
		if err := st.ReleaseLease(ctx, "scheduler", "b"); err != nil {
			t.Fatal(err)
		}
		step("a", true)

		// Racing processes: exactly one wins a free lease.
		now = now.Add(time.Hour)
		var wg sync.WaitGroup
		wins := make(chan string, 8)
		for _, owner := range []string{"p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := st.AcquireLease(ctx, "race", owner, time.Minute)
				if err != nil {
					t.Error(err)
				}
				if ok {
					wins <- owner
				}
			}()
		}
		wg.Wait()
		close(wins)
		if n := len(wins); n != 1 {
			t.Errorf("%d owners won one lease", n)
		}
	})
}

// Schedule runs: one per (publication, date); a finished run is never claimed
// again; a pending claim is taken over only after it runs out.
func TestScheduleRuns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Date(2024, 7, 9, 6, 0, 0, 0, time.UTC)
		st.SetClock(func() time.Time { return now })
		p := bkPublication(t, st, "runs")
		d := newsletter.Date{Year: 2024, Month: 7, Day: 9}
		claim := func(owner string, want bool) {
			t.Helper()
			got, err := st.ClaimRun(ctx, p.ID, d, now, owner, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s claim = %v; want %v", owner, got, want)
			}
		}
		claim("a", true)
		claim("b", false)
		if err := st.FinishRun(ctx, p.ID, d, "b", "sent", ""); !errors.Is(err, store.ErrConflict) {
			t.Errorf("b finished a's run: %v", err)
		}
		now = now.Add(2 * time.Minute) // a died mid-way
		claim("b", true)
		if err := st.FinishRun(ctx, p.ID, d, "a", "sent", ""); !errors.Is(err, store.ErrConflict) {
			t.Errorf("a finished after b took over: %v", err)
		}
		if err := st.FinishRun(ctx, p.ID, d, "b", "sent", "Volume 1, Number 1"); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Hour)
		claim("c", false)
		r, err := st.ScheduleRun(ctx, p.ID, d)
		if err != nil || r.Decision != "sent" || r.Owner != "b" || r.Detail != "Volume 1, Number 1" {
			t.Errorf("run %+v, %v", r, err)
		}
		// A dropped claim (an error that may pass) is claimed again.
		d2 := d.AddDays(1)
		if ok, err := st.ClaimRun(ctx, p.ID, d2, now, "a", time.Minute); err != nil || !ok {
			t.Fatal(ok, err)
		}
		if err := st.DropRun(ctx, p.ID, d2, "a"); err != nil {
			t.Fatal(err)
		}
		if ok, err := st.ClaimRun(ctx, p.ID, d2, now, "b", time.Minute); err != nil || !ok {
			t.Errorf("a dropped run was not claimable: %v %v", ok, err)
		}
		if runs, err := st.ScheduleRuns(ctx, p.ID, 0); err != nil || len(runs) != 2 || runs[0].Date != d2 {
			t.Errorf("runs %v, %v", runs, err)
		}
	})
}
