package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"masthead/ledger"
	"masthead/newsletter"
)

// testLocalDeliverySnapshot: a publication in Los Angeles that delivers at
// 06:00 on each reader's clock. Each row is due at its reader's 06:00 after
// the release; claims take only due rows; a reader's row of the next issue
// waits for their row of this one, even when both fall due together.
func testLocalDeliverySnapshot(t *testing.T, dsn string) {
	ctx := context.Background()
	f := newSendFixtureAt(t, dsn, 0)
	f.exec(t, `UPDATE publications SET deliver = 'local', local_time = '06:00', timezone = 'America/Los_Angeles' WHERE id = ?`, f.pubID)
	zones := []string{"Pacific/Kiritimati", "Asia/Jerusalem", "Europe/London", "America/Los_Angeles", "Pacific/Pago_Pago", "", "Not/AZone"}
	ids := f.subscribers(t, f.pubID, 0, len(zones), "active", "active")
	for i, z := range zones {
		f.exec(t, `UPDATE subscribers SET timezone = ? WHERE id = ?`, z, ids[i])
	}
	la, _ := time.LoadLocation("America/Los_Angeles")
	now := time.Date(2026, 10, 24, 5, 0, 0, 0, la) // Saturday, the day before Europe's clocks go back
	f.s.SetClock(func() time.Time { return now })

	res, err := f.s.StartSend(ctx, f.issueID, editorStart, "")
	if err != nil || res.Queued != len(zones) {
		t.Fatalf("start: %+v, %v", res, err)
	}
	want := map[int64]time.Time{
		ids[0]: time.Date(2026, 10, 24, 16, 0, 0, 0, time.UTC), // Kiritimati 06:00 on the 25th (UTC+14)
		ids[1]: time.Date(2026, 10, 25, 4, 0, 0, 0, time.UTC),  // Jerusalem 06:00 IST, after its clocks went back
		ids[2]: time.Date(2026, 10, 25, 6, 0, 0, 0, time.UTC),  // London 06:00 GMT
		ids[3]: time.Date(2026, 10, 24, 13, 0, 0, 0, time.UTC), // Los Angeles 06:00 PDT
		ids[4]: time.Date(2026, 10, 24, 17, 0, 0, 0, time.UTC), // Pago Pago 06:00 (UTC-11)
		ids[5]: time.Date(2026, 10, 24, 13, 0, 0, 0, time.UTC), // no zone: the publication's
		ids[6]: time.Date(2026, 10, 24, 13, 0, 0, 0, time.UTC), // an unknown zone: the publication's
	}
	rows, err := f.s.Deliveries(ctx, DeliveryFilter{IssueID: f.issueID})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range rows {
		if !d.NextAttemptAt.Equal(want[d.SubscriberID]) {
			t.Errorf("subscriber %d (%q): due %s, want %s", d.SubscriberID, zones[d.SubscriberID-ids[0]], d.NextAttemptAt.UTC(), want[d.SubscriberID].UTC())
		}
	}
	c, err := f.s.Counts(ctx, f.issueID)
	if err != nil || c.Waiting != len(zones) || c.Queued != len(zones) {
		t.Fatalf("counts before any hour: %+v, %v", c, err)
	}
	w, err := f.s.LocalWait(ctx, f.issueID)
	if err != nil || !w.Next.Equal(want[ids[3]]) || (w.Zone != "America/Los_Angeles" && w.Zone != "" && w.Zone != "Not/AZone") {
		t.Fatalf("next wait: %+v, %v", w, err)
	}
	if got, err := f.s.Claim(ctx, f.issueID, "w1", "", 100, time.Minute); err != nil || len(got) != 0 {
		t.Fatalf("claim before anyone's hour: %d rows, %v", len(got), err)
	}

	// 06:00 in Los Angeles: its three readers, nobody else.
	now = want[ids[3]]
	got, err := f.s.Claim(ctx, f.issueID, "w1", "", 100, time.Minute)
	if err != nil || len(got) != 3 {
		t.Fatalf("claim at 06:00 Los Angeles: %d rows, %v", len(got), err)
	}
	var out []ledger.Outcome
	for _, d := range got {
		out = append(out, ledger.Outcome{DeliveryID: d.ID, Owner: "w1", Kind: ledger.OutcomeSent, At: now, Code: 250})
	}
	if err := f.s.Record(ctx, out, ledger.BouncePolicy{}); err != nil {
		t.Fatal(err)
	}
	// The Jerusalem reader leaves before their hour: skipped when it comes.
	f.exec(t, `UPDATE subscriptions SET status = 'unsubscribed' WHERE subscriber_id = ?`, ids[1])

	// The next issue is released late, so that London's copies of both fall
	// due at the same 06:00: the second waits for the first.
	next, err := f.s.AssembleIssue(ctx, f.pubID, newsletter.Date{Year: 2009, Month: 7, Day: 10},
		func(*newsletter.Issue, newsletter.Numberer) (*newsletter.Issue, error) {
			return &newsletter.Issue{Volume: 3, Number: 154, Status: newsletter.Assembled, Subject: "Tomorrow", HTML: "<p>x</p>", Text: "x"}, nil
		})
	if err != nil {
		t.Fatal(err)
	}
	now = time.Date(2026, 10, 24, 20, 0, 0, 0, time.UTC)
	if res, err := f.s.StartSend(ctx, next.ID, editorStart, ""); err != nil || res.Queued != 6 {
		t.Fatalf("start of the next issue: %+v, %v", res, err)
	}
	now = want[ids[2]] // 06:00 in London; Kiritimati and Pago Pago long due too
	claimAll := func(issueID int64) map[int64]*ledger.Delivery {
		t.Helper()
		got, err := f.s.Claim(ctx, issueID, "w1", "", 100, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		m := map[int64]*ledger.Delivery{}
		for _, d := range got {
			m[d.SubscriberID] = d
		}
		return m
	}
	second := claimAll(next.ID)
	if second[ids[2]] != nil || second[ids[0]] != nil || second[ids[4]] != nil {
		t.Fatalf("the next issue was claimed for a reader whose copy of the first is still queued: %v", second)
	}
	first := claimAll(f.issueID)
	if first[ids[0]] == nil || first[ids[2]] == nil || first[ids[4]] == nil || first[ids[1]] != nil || len(first) != 3 {
		t.Fatalf("the first issue's claim at 06:00 London: %v", first)
	}
	out = out[:0]
	for _, d := range first {
		out = append(out, ledger.Outcome{DeliveryID: d.ID, Owner: "w1", Kind: ledger.OutcomeSent, At: now, Code: 250})
	}
	if err := f.s.Record(ctx, out, ledger.BouncePolicy{}); err != nil {
		t.Fatal(err)
	}
	if c, _ := f.s.Counts(ctx, f.issueID); c.Sent != 6 || c.Skipped != 1 || c.Pending() != 0 {
		t.Fatalf("the first issue after 06:00 London: %+v", c)
	}
	// Now the second issue's London copy may go (it is due: released at
	// 21:00 London, its 06:00 is this one).
	if second = claimAll(next.ID); second[ids[2]] == nil {
		t.Fatalf("the next issue's London copy is still held after the first was sent: %v", second)
	}
}

// testLocalClaimsSeveralWorkers: three stores (processes) and six claimers
// share two issues of a local-time publication whose rows fall due over a
// day and a half of a stepped clock, the first released late so that many
// readers' copies of both fall due together. Every row is claimed once,
// none before it is due, and no reader's copy of the second issue is
// claimed before their copy of the first was recorded.
func testLocalClaimsSeveralWorkers(t *testing.T, dsn string) {
	ctx := context.Background()
	f := newSendFixtureAt(t, dsn, 0)
	f.exec(t, `UPDATE publications SET deliver = 'local', local_time = '06:00', timezone = 'America/Los_Angeles' WHERE id = ?`, f.pubID)
	zones := []string{"Pacific/Kiritimati", "Asia/Jerusalem", "Europe/London", "America/Los_Angeles", "Pacific/Pago_Pago", ""}
	ids := f.subscribers(t, f.pubID, 0, 120, "active", "active")
	for i, id := range ids {
		f.exec(t, `UPDATE subscribers SET timezone = ? WHERE id = ?`, zones[i%len(zones)], id)
	}
	var mu sync.Mutex
	now := time.Date(2026, 10, 24, 21, 0, 0, 0, time.UTC) // 14:00 in Los Angeles: released late
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	stores := []*Store{f.s}
	for range 2 {
		s, err := Open(ctx, dsn, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores = append(stores, s)
	}
	for _, s := range stores {
		s.SetClock(clock)
	}
	first := f.issueID
	if _, err := f.s.StartSend(ctx, first, editorStart, ""); err != nil {
		t.Fatal(err)
	}
	due := map[int64]time.Time{} // delivery id → due
	rowsOf := func(issueID int64) []*ledger.Delivery {
		rows, err := f.s.Deliveries(ctx, DeliveryFilter{IssueID: issueID})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range rows {
			due[d.ID] = d.NextAttemptAt
		}
		return rows
	}
	rowsOf(first)

	var (
		second   int64
		issueOf  = map[int64]int64{} // delivery id → issue
		subOf    = map[int64]int64{}
		claimed  = map[int64]string{}
		recorded = map[[2]int64]bool{} // (issue, subscriber) about to be recorded sent
	)
	work := func(w int) {
		st := stores[w%len(stores)]
		owner := "w" + string(rune('a'+w))
		for {
			mu.Lock()
			issues := []int64{first}
			if second != 0 {
				issues = append(issues, second)
				if w%2 == 1 { // half the claimers try the later issue first
					issues = []int64{second, first}
				}
			}
			mu.Unlock()
			any := false
			for _, issueID := range issues {
				got, err := st.Claim(ctx, issueID, owner, "", 5, time.Minute)
				if errors.Is(err, ledger.ErrNotSending) {
					continue
				}
				if err != nil {
					t.Error(err)
					return
				}
				var outs []ledger.Outcome
				mu.Lock()
				for _, d := range got {
					any = true
					if prev, ok := claimed[d.ID]; ok {
						t.Errorf("row %d claimed by %s and %s", d.ID, prev, owner)
					}
					claimed[d.ID] = owner
					if now.Before(due[d.ID]) {
						t.Errorf("row %d claimed at %s, due %s", d.ID, now, due[d.ID])
					}
					if issueID == second && !recorded[[2]int64{first, d.SubscriberID}] && hasRow(issueOf, subOf, first, d.SubscriberID) {
						t.Errorf("subscriber %d: the second issue claimed before the first was recorded", d.SubscriberID)
					}
					recorded[[2]int64{issueID, d.SubscriberID}] = true
					outs = append(outs, ledger.Outcome{DeliveryID: d.ID, Owner: owner, Kind: ledger.OutcomeSent, At: now, Code: 250})
				}
				mu.Unlock()
				if len(outs) > 0 {
					if err := st.Record(ctx, outs, ledger.BouncePolicy{}); err != nil {
						t.Error(err)
						return
					}
				}
			}
			if !any {
				return
			}
		}
	}
	for _, d := range rowsOf(first) {
		issueOf[d.ID], subOf[d.ID] = first, d.SubscriberID
	}
	end := now.Add(50 * time.Hour)
	for step := 0; clock().Before(end); step++ {
		if step == 10 { // 02:00 UTC on the 25th (19:00 in Los Angeles): the next issue, due with the first everywhere
			next, err := f.s.AssembleIssue(ctx, f.pubID, newsletter.Date{Year: 2009, Month: 7, Day: 10},
				func(*newsletter.Issue, newsletter.Numberer) (*newsletter.Issue, error) {
					return &newsletter.Issue{Volume: 3, Number: 154, Status: newsletter.Assembled, Subject: "Next", HTML: "<p>x</p>", Text: "x"}, nil
				})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.s.StartSend(ctx, next.ID, editorStart, ""); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			second = next.ID
			for _, d := range rowsOf(next.ID) {
				issueOf[d.ID], subOf[d.ID] = next.ID, d.SubscriberID
			}
			mu.Unlock()
		}
		var wg sync.WaitGroup
		for w := range 6 {
			wg.Go(func() { work(w) })
		}
		wg.Wait()
		mu.Lock()
		now = now.Add(30 * time.Minute)
		mu.Unlock()
	}
	if len(claimed) != 2*len(ids) {
		t.Errorf("claimed %d rows, want %d", len(claimed), 2*len(ids))
	}
	for _, issueID := range []int64{first, second} {
		// As the engine does once a claim comes back empty: two claimers'
		// last records, committed together, may each have seen the other's
		// rows still in flight.
		if _, err := f.s.FinishIfDone(ctx, issueID); err != nil {
			t.Fatal(err)
		}
		if st, err := f.s.IssueStatus(ctx, issueID); err != nil || st != newsletter.Sent {
			t.Errorf("issue %d: %s, %v", issueID, st, err)
		}
	}
}

func hasRow(issueOf, subOf map[int64]int64, issueID, subscriberID int64) bool {
	for id, i := range issueOf {
		if i == issueID && subOf[id] == subscriberID {
			return true
		}
	}
	return false
}

// testLocalDeliveryExtraGoesAtOnce: an extra edition is breaking news: a
// publication that delivers at each reader's hour sends it to everyone at
// once, and a reader's copy of the daily issue still waiting does not hold it.
func testLocalDeliveryExtraGoesAtOnce(t *testing.T, dsn string) {
	ctx := context.Background()
	f := newSendFixtureAt(t, dsn, 0)
	f.exec(t, `UPDATE publications SET deliver = 'local', local_time = '06:00', timezone = 'America/Los_Angeles' WHERE id = ?`, f.pubID)
	ids := f.subscribers(t, f.pubID, 0, 2, "active", "active")
	f.exec(t, `UPDATE subscribers SET timezone = 'Europe/London' WHERE id = ?`, ids[0])
	now := time.Date(2026, 10, 24, 21, 0, 0, 0, time.UTC) // 14:00 in Los Angeles, 22:00 in London
	f.s.SetClock(func() time.Time { return now })
	if _, err := f.s.StartSend(ctx, f.issueID, editorStart, ""); err != nil {
		t.Fatal(err)
	}
	extra, err := f.s.CreateExtra(ctx, f.pubID, newsletter.Date{Year: 2009, Month: 7, Day: 9},
		func(_ *newsletter.Issue, e int, _ newsletter.Numberer) (*newsletter.Issue, error) {
			return &newsletter.Issue{Volume: 3, Number: 153, Edition: e, EditionTitle: "Extra", Status: newsletter.Assembled,
				Subject: "Bridge closed", HTML: "<p>x</p>", Text: "x"}, nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.StartSend(ctx, extra.ID, editorStart, ""); err != nil {
		t.Fatal(err)
	}
	if c, _ := f.s.Counts(ctx, extra.ID); c.Waiting != 0 || c.Queued != 2 {
		t.Fatalf("the extra's rows: %+v, want 2 due at once", c)
	}
	got, err := f.s.Claim(ctx, extra.ID, "w1", "", 10, time.Minute)
	if err != nil || len(got) != 2 {
		t.Fatalf("claim of the extra at once: %d rows, %v", len(got), err)
	}
	if c, _ := f.s.Counts(ctx, f.issueID); c.Waiting != 2 {
		t.Fatalf("the daily issue's rows: %+v, want both still waiting for 06:00", c)
	}
}
