package scheduler_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/newsletter"
	"masthead/scheduler"
	"masthead/store"
	"masthead/store/storetest"
	"masthead/workspace"
)

// An issue goes out at its publication's local time, whatever the zone and
// across daylight-saving changes: a second before the fire nothing happens, at
// the fire the date's issue is assembled and its send started.
func TestDailyFireInZones(t *testing.T) {
	cases := []struct {
		name, zone, spec, date, fire string
	}{
		{"New York spring forward", "America/New_York", "0 6 * * *", "2024-03-10", "2024-03-10T10:00:00Z"},    // EDT, UTC-4
		{"New York day before", "America/New_York", "0 6 * * *", "2024-03-09", "2024-03-09T11:00:00Z"},        // EST, UTC-5
		{"New York fall back", "America/New_York", "0 6 * * *", "2024-11-03", "2024-11-03T11:00:00Z"},         // EST again
		{"Kolkata half hour", "Asia/Kolkata", "15 7 * * *", "2024-03-10", "2024-03-10T01:45:00Z"},             // UTC+5:30
		{"Auckland date ahead of UTC", "Pacific/Auckland", "0 6 * * *", "2024-04-07", "2024-04-06T18:00:00Z"}, // NZST after DST ends
		{"02:30 skipped by spring forward goes at 03:00", "America/New_York", "30 2 * * *", "2024-03-10", "2024-03-10T07:00:00Z"},
		{"01:30 repeated by fall back goes once", "America/New_York", "30 1 * * *", "2024-11-03", "2024-11-03T05:30:00Z"},
		{"CRON_TZ in the spec wins", "UTC", "CRON_TZ=Asia/Tokyo 0 7 * * *", "2024-07-09", "2024-07-08T22:00:00Z"},
		{"seconds field", "Europe/Paris", "30 0 6 * * *", "2024-07-09", "2024-07-09T04:00:30Z"}, // CEST, UTC+2
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fire, d := utc(t, c.fire), date(t, c.date)
			e := newEnv(t, fire.Add(-2*time.Hour))
			p := e.publication("gazette", c.zone, c.spec, nil)
			e.articles(p, d, 2)
			e.subscribers(p, 3)
			sch := e.scheduler(e.st, nil)

			e.clock.Set(fire.Add(-time.Second))
			e.tick(sch)
			if iss := e.issue(p, d); iss != nil {
				t.Fatalf("a second before the fire, the issue of %s exists (%s)", d, iss.Status)
			}
			e.clock.Set(fire)
			e.tick(sch)
			iss := e.issue(p, d)
			if iss == nil {
				t.Fatalf("at %s no issue of %s was assembled", c.fire, d)
			}
			if iss.Status != newsletter.Sending || len(iss.Articles) != 2 {
				t.Errorf("issue is %s with %d articles; want sending with 2", iss.Status, len(iss.Articles))
			}
			if l := e.ledger(iss); len(l) != 3 {
				t.Errorf("ledger has %d subscribers; want 3", len(l))
			}
			if r := e.run(p, d); r == nil || r.Decision != scheduler.DecisionSent || !r.FireAt.Equal(fire) {
				t.Errorf("schedule run %+v; want sent at %s", r, fire)
			}
			// Later ticks of the same day do nothing more.
			e.clock.Add(time.Hour)
			e.tick(sch)
			if l := e.ledger(iss); len(l) != 3 {
				t.Errorf("after another tick the ledger has %d subscribers", len(l))
			}
		})
	}
}

// Two schedulers on the same database (two processes) firing at the same
// moment make one issue, and each subscriber is in its ledger once.
func TestTwoSchedulersOneIssue(t *testing.T) {
	for _, lease := range []bool{false, true} {
		name := "database rules only"
		if lease {
			name = "with leader lease"
		}
		t.Run(name, func(t *testing.T) {
			storetest.EachDSN(t, func(t *testing.T, dsn string) { testTwoSchedulers(t, dsn, lease) })
		})
	}
}

func testTwoSchedulers(t *testing.T, dsn string, lease bool) {
	fire, d := utc(t, "2024-07-09T06:00:00Z"), date(t, "2024-07-09")
	e := newEnvDSN(t, dsn, fire.Add(-time.Hour))
	p := e.publication("gazette", "UTC", "0 6 * * *", func(p *newsletter.Publication) { p.Numbering = newsletter.Sequential })
	e.articles(p, d, 3)
	e.subscribers(p, 25)
	e.clock.Set(fire)
	var schs []*scheduler.Scheduler
	var stores []*store.Store
	for range 2 {
		st := e.open()
		stores = append(stores, st)
		schs = append(schs, e.scheduler(st, func(c *scheduler.Config) { c.NoLease = !lease }))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for _, sch := range schs {
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- sch.Tick(context.Background())
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	list, err := e.st.Issues(context.Background(), store.IssueFilter{PublicationID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Number != 1 || list[0].Status != newsletter.Sending {
		t.Fatalf("got %d issues (first: %+v); want one, Number 1, sending", len(list), list)
	}
	l := e.ledger(list[0])
	if len(l) != 25 {
		t.Errorf("ledger has %d subscribers; want 25", len(l))
	}
	for sub, n := range l {
		if n != 1 {
			t.Errorf("subscriber %d has %d rows", sub, n)
		}
	}
	r := e.run(p, d)
	if r == nil || r.Decision != scheduler.DecisionSent || (r.Owner != schs[0].Owner() && r.Owner != schs[1].Owner()) {
		t.Errorf("schedule run %+v", r)
	}
	// Both processes deliver it at once: each subscriber gets one copy.
	copies := deliver(t, list[0].ID, stores...)
	if len(copies) != 25 {
		t.Errorf("%d of 25 subscribers got the issue", len(copies))
	}
	for rcpt, n := range copies {
		if n != 1 {
			t.Errorf("%s got %d copies", rcpt, n)
		}
	}
}

// A run missed while masthead was down is caught up once when the restart is
// within the catch-up window; beyond it the issue is marked missed and not sent.
func TestMissedRuns(t *testing.T) {
	d := date(t, "2024-07-09")
	fire := utc(t, "2024-07-09T06:00:00Z")

	t.Run("within the window: caught up once", func(t *testing.T) {
		e := newEnv(t, fire.Add(-48*time.Hour))
		p := e.publication("gazette", "UTC", "0 6 * * *", nil)
		e.articles(p, d, 2)
		e.subscribers(p, 4)
		e.clock.Set(fire.Add(2*time.Hour + 59*time.Minute)) // down from before 06:00 until 08:59
		e.tick(e.scheduler(e.st, nil))
		iss := e.issue(p, d)
		if iss == nil || iss.Status != newsletter.Sending || len(e.ledger(iss)) != 4 {
			t.Fatalf("the missed run was not caught up: %+v", iss)
		}
		// Restarted again (a new scheduler, nothing in memory), it is not sent twice.
		for range 2 {
			e.clock.Add(time.Minute)
			e.tick(e.scheduler(e.open(), nil))
		}
		for sub, n := range e.ledger(iss) {
			if n != 1 {
				t.Errorf("subscriber %d has %d rows after restarts", sub, n)
			}
		}
		if r := e.run(p, d); r == nil || r.Decision != scheduler.DecisionSent {
			t.Errorf("run %+v", r)
		}
	})

	t.Run("beyond the window: marked missed", func(t *testing.T) {
		e := newEnv(t, fire.Add(-48*time.Hour))
		p := e.publication("gazette", "UTC", "0 6 * * *", nil)
		e.articles(p, d, 2)
		e.subscribers(p, 4)
		e.clock.Set(fire.Add(3*time.Hour + time.Minute))
		e.tick(e.scheduler(e.st, func(c *scheduler.Config) { c.CatchUp = 3 * time.Hour }))
		e.clock.Add(time.Minute)
		e.tick(e.scheduler(e.open(), func(c *scheduler.Config) { c.CatchUp = 3 * time.Hour }))
		iss := e.issue(p, d)
		if iss == nil || iss.Status != newsletter.Missed {
			t.Fatalf("issue %+v; want missed", iss)
		}
		if l := e.ledger(iss); len(l) != 0 {
			t.Errorf("a missed issue has %d ledger rows", len(l))
		}
		if r := e.run(p, d); r == nil || r.Decision != scheduler.DecisionMissed || !strings.Contains(r.Detail, "catch-up window") {
			t.Errorf("run %+v", r)
		}
	})

	t.Run("a one-off beyond the window is marked missed", func(t *testing.T) {
		e := newEnv(t, fire.Add(-48*time.Hour))
		p := e.publication("gazette", "UTC", "", nil)
		e.articles(p, d, 1)
		e.subscribers(p, 2)
		e.clock.Set(fire.Add(-time.Hour))
		if _, err := e.editor().Schedule(context.Background(), p, d, fire); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(fire.Add(4 * time.Hour))
		e.tick(e.scheduler(e.st, nil))
		if iss := e.issue(p, d); iss.Status != newsletter.Missed || len(e.ledger(iss)) != 0 {
			t.Errorf("issue is %s with %d rows; want missed and unsent", iss.Status, len(e.ledger(iss)))
		}
	})
}

// An editor's one-off time wins over the daily schedule and fires once;
// held and skipped issues are not sent by the daily schedule; a released one is.
func TestEditorActions(t *testing.T) {
	ctx := context.Background()
	d1, d2, d3 := date(t, "2024-07-09"), date(t, "2024-07-10"), date(t, "2024-07-11")
	e := newEnv(t, utc(t, "2024-07-08T12:00:00Z"))
	p := e.publication("gazette", "Europe/Paris", "0 6 * * *", nil)
	for _, d := range []newsletter.Date{d1, d2, d3} {
		e.articles(p, d, 1)
	}
	e.subscribers(p, 2)
	ed := e.editor()

	at, err := workspace.ParseAt(p, d1, "09:30")
	if err != nil || !at.Equal(utc(t, "2024-07-09T07:30:00Z")) {
		t.Fatalf("ParseAt 09:30 in Paris = %s, %v", at, err)
	}
	if _, err := ed.Schedule(ctx, p, d1, at); err != nil {
		t.Fatal(err)
	}
	if _, err := ed.Hold(ctx, p, d2); err != nil {
		t.Fatal(err)
	}
	if _, err := ed.Skip(ctx, p, d3); err != nil {
		t.Fatal(err)
	}
	if _, err := ed.Schedule(ctx, p, d1, utc(t, "2024-07-08T11:00:00Z")); err == nil {
		t.Error("a time in the past was accepted")
	}
	sch := e.scheduler(e.st, nil)
	step := func(ts string) {
		e.clock.Set(utc(t, ts))
		e.tick(sch)
	}
	step("2024-07-09T04:00:00Z") // 06:00 in Paris: the daily fire leaves the scheduled issue alone
	if iss := e.issue(p, d1); iss.Status != newsletter.Scheduled {
		t.Fatalf("at the daily time the scheduled issue is %s", iss.Status)
	}
	step("2024-07-09T07:29:59Z")
	if iss := e.issue(p, d1); iss.Status != newsletter.Scheduled {
		t.Fatalf("before its time the scheduled issue is %s", iss.Status)
	}
	step("2024-07-09T07:30:00Z")
	if iss := e.issue(p, d1); iss.Status != newsletter.Sending || len(e.ledger(iss)) != 2 {
		t.Fatalf("at its time the scheduled issue is %s with %d rows", iss.Status, len(e.ledger(iss)))
	}
	step("2024-07-10T04:00:00Z")
	if iss := e.issue(p, d2); iss.Status != newsletter.Held || len(e.ledger(iss)) != 0 {
		t.Errorf("held issue is %s", iss.Status)
	}
	if r := e.run(p, d2); r == nil || r.Decision != scheduler.DecisionHeld {
		t.Errorf("run of a held date %+v", r)
	}
	step("2024-07-11T04:00:00Z")
	if iss := e.issue(p, d3); iss.Status != newsletter.Skipped || len(e.ledger(iss)) != 0 {
		t.Errorf("skipped issue is %s", iss.Status)
	}

	// Held, then released before the daily time: sent at the daily time.
	d4 := date(t, "2024-07-12")
	e.articles(p, d4, 1)
	if _, err := ed.Hold(ctx, p, d4); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ed.Release(ctx, p, d4); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ed.Release(ctx, p, d4); err == nil {
		t.Error("releasing an issue that is not held was accepted")
	}
	step("2024-07-12T04:00:00Z")
	if iss := e.issue(p, d4); iss.Status != newsletter.Sending {
		t.Errorf("released issue is %s at the daily time", iss.Status)
	}
	// Unschedule takes a one-off back: the daily schedule sends it.
	d5 := date(t, "2024-07-13")
	e.articles(p, d5, 1)
	if _, err := ed.Schedule(ctx, p, d5, utc(t, "2024-07-13T18:00:00Z")); err != nil {
		t.Fatal(err)
	}
	if iss, err := ed.Unschedule(ctx, p, d5); err != nil || iss.Status != newsletter.Assembled || !iss.SendAt.IsZero() {
		t.Fatalf("unschedule: %+v, %v", iss, err)
	}
	step("2024-07-13T04:00:00Z")
	if iss := e.issue(p, d5); iss.Status != newsletter.Sending {
		t.Errorf("unscheduled issue is %s at the daily time", iss.Status)
	}
}

// A date with no ready articles: skipped without using a number (sequential),
// or a "no issue today" notice, or held for an editor, by the publication's policy.
func TestEmptyDays(t *testing.T) {
	d1, d2 := date(t, "2024-07-09"), date(t, "2024-07-10")
	for _, policy := range []newsletter.EmptyPolicy{newsletter.EmptySkip, newsletter.EmptyNotice, newsletter.EmptyHold} {
		t.Run(string(policy), func(t *testing.T) {
			e := newEnv(t, utc(t, "2024-07-08T12:00:00Z"))
			p := e.publication("gazette", "UTC", "0 6 * * *", func(p *newsletter.Publication) {
				p.Numbering, p.EmptyPolicy = newsletter.Sequential, policy
			})
			e.subscribers(p, 2)
			e.articles(p, d2, 1)
			sch := e.scheduler(e.st, nil)
			e.clock.Set(utc(t, "2024-07-09T06:00:00Z"))
			e.tick(sch)
			iss := e.issue(p, d1)
			switch policy {
			case newsletter.EmptySkip:
				if iss != nil {
					t.Errorf("an empty day stored an issue: %+v", iss)
				}
				if r := e.run(p, d1); r == nil || r.Decision != scheduler.DecisionEmpty {
					t.Errorf("run %+v", r)
				}
			case newsletter.EmptyNotice:
				if iss == nil || iss.Status != newsletter.Sending || len(e.ledger(iss)) != 2 ||
					!strings.Contains(iss.Text, "No issue today") || !strings.Contains(iss.Subject, "no issue today") {
					t.Errorf("notice issue %+v", iss)
				}
			case newsletter.EmptyHold:
				if iss == nil || iss.Status != newsletter.Held || len(e.ledger(iss)) != 0 {
					t.Errorf("held issue %+v", iss)
				}
			}
			e.clock.Set(utc(t, "2024-07-10T06:00:00Z"))
			e.tick(sch)
			next := e.issue(p, d2)
			want := 1
			if policy != newsletter.EmptySkip {
				want = 2
			}
			if next == nil || next.Number != want || next.Status != newsletter.Sending {
				t.Errorf("next day's issue %+v; want Number %d, sending", next, want)
			}
		})
	}
}

// A changed schedule takes effect without a restart; a fire from before the
// change is not treated as missed.
func TestScheduleChangeWithoutRestart(t *testing.T) {
	d := date(t, "2024-07-09")
	e := newEnv(t, utc(t, "2024-07-08T12:00:00Z"))
	p := e.publication("gazette", "UTC", "0 6 * * *", nil)
	e.articles(p, d, 1)
	e.subscribers(p, 1)
	sch := e.scheduler(e.st, func(c *scheduler.Config) { c.Reload = 30 * time.Second })
	e.clock.Set(utc(t, "2024-07-09T04:00:00Z"))
	e.tick(sch)
	p.Schedule = "30 4 * * *"
	if err := e.st.SavePublication(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(utc(t, "2024-07-09T04:30:00Z"))
	e.tick(sch)
	if iss := e.issue(p, d); iss == nil || iss.Status != newsletter.Sending {
		t.Fatalf("the new time 04:30 did not send the issue: %+v", iss)
	}
}

// The leader lease: one scheduler fires; when it stops renewing, another
// takes over after the lease runs out.
func TestLeaderTakeover(t *testing.T) {
	d1, d2 := date(t, "2024-07-09"), date(t, "2024-07-10")
	e := newEnv(t, utc(t, "2024-07-08T12:00:00Z"))
	p := e.publication("gazette", "UTC", "0 6 * * *", nil)
	e.articles(p, d1, 1)
	e.articles(p, d2, 1)
	e.subscribers(p, 1)
	mod := func(c *scheduler.Config) { c.LeaseTTL = 30 * time.Second }
	a, b := e.scheduler(e.open(), mod), e.scheduler(e.open(), mod)
	e.clock.Set(utc(t, "2024-07-09T06:00:00Z"))
	e.tick(a)
	e.tick(b)
	if r := e.run(p, d1); r == nil || r.Owner != a.Owner() {
		t.Fatalf("run %+v; want it handled by the leader %s", r, a.Owner())
	}
	// a renews its lease, then dies; b takes over once the lease has run out.
	e.clock.Set(utc(t, "2024-07-10T05:59:50Z"))
	e.tick(a)
	e.clock.Set(utc(t, "2024-07-10T06:00:00Z"))
	e.tick(b)
	if iss := e.issue(p, d2); iss != nil {
		t.Fatalf("b fired while a's lease still held: %+v", iss)
	}
	e.clock.Set(utc(t, "2024-07-10T06:00:21Z"))
	e.tick(b)
	if r := e.run(p, d2); r == nil || r.Owner != b.Owner() || r.Decision != scheduler.DecisionSent {
		t.Fatalf("run %+v; want b to take over", r)
	}
}

// A scheduler that died after claiming a fire (before sending) is taken over
// once its claim runs out, by a scheduler that had already seen the claim.
func TestDeadClaimTakenOver(t *testing.T) {
	ctx := context.Background()
	fire, d := utc(t, "2024-07-09T06:00:00Z"), date(t, "2024-07-09")
	e := newEnv(t, fire.Add(-time.Hour))
	p := e.publication("gazette", "UTC", "0 6 * * *", nil)
	e.articles(p, d, 1)
	e.subscribers(p, 2)
	e.clock.Set(fire)
	if ok, err := e.st.ClaimRun(ctx, p.ID, d, fire, "dead", 2*time.Minute); err != nil || !ok {
		t.Fatal(ok, err)
	}
	sch := e.scheduler(e.st, func(c *scheduler.Config) { c.NoLease = true })
	e.clock.Set(fire.Add(time.Second))
	e.tick(sch)
	if iss := e.issue(p, d); iss != nil {
		t.Fatalf("the fire was taken from a live claim: %+v", iss)
	}
	e.clock.Set(fire.Add(2*time.Minute + 2*time.Second))
	e.tick(sch)
	iss := e.issue(p, d)
	if iss == nil || iss.Status != newsletter.Sending || len(e.ledger(iss)) != 2 {
		t.Fatalf("the dead scheduler's fire was not taken over: %+v", iss)
	}
	if r := e.run(p, d); r.Owner != sch.Owner() || r.Decision != scheduler.DecisionSent {
		t.Errorf("run %+v", r)
	}
}
