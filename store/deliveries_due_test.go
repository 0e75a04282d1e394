package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"masthead/ledger"
	"masthead/newsletter"
)

// TestDueNowOnEveryBackend runs testDueNow on both databases.
func TestDueNowOnEveryBackend(t *testing.T) { eachBackend(t, testDueNow) }

// testDueNow: a local-time send started hours before anyone's 06:00. DueNow
// makes every waiting first attempt due at once, leaves a retry's back-off
// alone, works on a paused send and refuses an issue that is not sending.
func testDueNow(t *testing.T, dsn string) {
	ctx := context.Background()
	f := newSendFixtureAt(t, dsn, 0)
	f.exec(t, `UPDATE publications SET deliver = 'local', local_time = '06:00', timezone = 'America/Los_Angeles' WHERE id = ?`, f.pubID)
	zones := []string{"Europe/London", "Pacific/Kiritimati", "America/Los_Angeles", ""}
	ids := f.subscribers(t, f.pubID, 0, len(zones), "active", "active")
	for i, z := range zones {
		f.exec(t, `UPDATE subscribers SET timezone = ? WHERE id = ?`, z, ids[i])
	}
	now := time.Date(2026, 10, 24, 7, 0, 0, 0, time.UTC) // 00:00 in Los Angeles
	f.s.SetClock(func() time.Time { return now })

	if _, err := f.s.DueNow(ctx, f.issueID); !errors.Is(err, ErrConflict) {
		t.Fatalf("due now before the send: %v, want ErrConflict", err)
	}
	if _, err := f.s.StartSend(ctx, f.issueID, editorStart, ""); err != nil {
		t.Fatal(err)
	}
	// The Los Angeles reader's copy was tried once and waits for its retry.
	retryAt := now.Add(2 * time.Hour)
	f.exec(t, `UPDATE deliveries SET attempts = 1, next_attempt_at = ? WHERE issue_id = ? AND subscriber_id = ?`, ms(retryAt), f.issueID, ids[2])
	if c, _ := f.s.Counts(ctx, f.issueID); c.Waiting != 3 || c.Retrying != 1 {
		t.Fatalf("counts before: %+v", c)
	}
	if got, err := f.s.Claim(ctx, f.issueID, "w", "", 100, time.Minute); err != nil || len(got) != 0 {
		t.Fatalf("claim before anyone's hour: %d rows, %v", len(got), err)
	}

	if err := f.s.PauseSend(ctx, f.issueID); err != nil {
		t.Fatal(err)
	}
	n, err := f.s.DueNow(ctx, f.issueID)
	if err != nil || n != 3 {
		t.Fatalf("due now on the paused send: %d, %v; want 3", n, err)
	}
	c, _ := f.s.Counts(ctx, f.issueID)
	if c.Waiting != 0 || c.Queued != 4 || c.Retrying != 1 {
		t.Fatalf("counts after: %+v", c)
	}
	if w, err := f.s.LocalWait(ctx, f.issueID); err != nil || !w.Next.IsZero() {
		t.Fatalf("a wait is left: %+v, %v", w, err)
	}
	if n, err := f.s.DueNow(ctx, f.issueID); err != nil || n != 0 {
		t.Fatalf("due now again: %d, %v; want 0", n, err)
	}
	if err := f.s.ResumeSend(ctx, f.issueID); err != nil {
		t.Fatal(err)
	}
	got := f.claimAll(t, f.issueID)
	if len(got) != 3 || got[ids[2]] != nil {
		t.Fatalf("claimed %d rows (Los Angeles retry: %v), want the three that waited", len(got), got[ids[2]] != nil)
	}
	rows, err := f.s.Deliveries(ctx, DeliveryFilter{IssueID: f.issueID})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range rows {
		if d.SubscriberID == ids[2] && !d.NextAttemptAt.Equal(retryAt) {
			t.Errorf("the retry's back-off moved: %s, want %s", d.NextAttemptAt, retryAt)
		}
	}

	if err := f.s.CancelSend(ctx, f.issueID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.DueNow(ctx, f.issueID); !errors.Is(err, ErrConflict) {
		t.Fatalf("due now on a cancelled send: %v, want ErrConflict", err)
	}
}

func TestDueNowTakesEarlierCopiesAlong(t *testing.T) { eachBackend(t, testDueNowEarlier) }

// testDueNowEarlier: the next issue released while the reader's copy of the
// previous one still waits for 06:00. Delivering the next one's copies now
// makes the previous one's due too, so the reader gets both now, in order.
func testDueNowEarlier(t *testing.T, dsn string) {
	ctx := context.Background()
	f := newSendFixtureAt(t, dsn, 0)
	f.exec(t, `UPDATE publications SET deliver = 'local', local_time = '06:00', timezone = 'UTC' WHERE id = ?`, f.pubID)
	ids := f.subscribers(t, f.pubID, 0, 2, "active", "active")
	f.exec(t, `UPDATE subscribers SET timezone = 'Asia/Tokyo' WHERE id = ?`, ids[1])
	now := time.Date(2026, 10, 24, 12, 0, 0, 0, time.UTC) // 21:00 in Tokyo: both hours to come
	f.s.SetClock(func() time.Time { return now })
	if _, err := f.s.StartSend(ctx, f.issueID, editorStart, ""); err != nil {
		t.Fatal(err)
	}
	next, err := f.s.AssembleIssue(ctx, f.pubID, newsletter.Date{Year: 2009, Month: 7, Day: 10},
		func(*newsletter.Issue, newsletter.Numberer) (*newsletter.Issue, error) {
			return &newsletter.Issue{Volume: 3, Number: 154, Status: newsletter.Assembled, Subject: "Next", HTML: "<p>x</p>", Text: "x"}, nil
		})
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	if _, err := f.s.StartSend(ctx, next.ID, editorStart, ""); err != nil {
		t.Fatal(err)
	}
	if n, err := f.s.DueNow(ctx, next.ID); err != nil || n != 2 {
		t.Fatalf("DueNow of the next issue: %d, %v; want 2", n, err)
	}
	if c, _ := f.s.Counts(ctx, f.issueID); c.Waiting != 0 {
		t.Fatalf("the previous issue's copies still wait: %+v", c)
	}
	if got, _ := f.s.Claim(ctx, next.ID, "w", "", 10, time.Minute); len(got) != 0 {
		t.Fatalf("the next issue claimed before the previous: %d rows", len(got))
	}
	first, err := f.s.Claim(ctx, f.issueID, "w", "", 10, time.Minute)
	if err != nil || len(first) != 2 {
		t.Fatalf("the previous issue's claim: %d, %v", len(first), err)
	}
	var out []ledger.Outcome
	for _, d := range first {
		out = append(out, ledger.Outcome{DeliveryID: d.ID, Owner: "w", Kind: ledger.OutcomeSent, At: now, Code: 250})
	}
	if err := f.s.Record(ctx, out, ledger.BouncePolicy{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.s.Claim(ctx, next.ID, "w", "", 10, time.Minute); len(got) != 2 {
		t.Fatalf("the next issue after the previous was sent: %d rows, want 2", len(got))
	}
}

// nextIssue assembles the publication's issue of 2009-07-day.
func nextIssue(t *testing.T, f *sendFixture, day int) int64 {
	t.Helper()
	iss, err := f.s.AssembleIssue(context.Background(), f.pubID, newsletter.Date{Year: 2009, Month: 7, Day: day},
		func(*newsletter.Issue, newsletter.Numberer) (*newsletter.Issue, error) {
			return &newsletter.Issue{Volume: 3, Number: 144 + day, Status: newsletter.Assembled, Subject: "Issue", HTML: "<p>x</p>", Text: "x"}, nil
		})
	if err != nil {
		t.Fatal(err)
	}
	return iss.ID
}

func TestDueNowFollowsTheChain(t *testing.T) { eachBackend(t, testDueNowChain) }

// testDueNowChain: three issues waiting for one reader's 06:00, each behind
// the one before. Delivering the last one's copies now makes all three due,
// and they go in order.
func testDueNowChain(t *testing.T, dsn string) {
	ctx := context.Background()
	f := newSendFixtureAt(t, dsn, 0)
	f.exec(t, `UPDATE publications SET deliver = 'local', local_time = '06:00', timezone = 'UTC' WHERE id = ?`, f.pubID)
	f.subscribers(t, f.pubID, 0, 1, "active", "active")
	other := f.subscribers(t, f.pubID, 1, 1, "active", "active") // a reader left out of the last issue
	now := time.Date(2026, 10, 24, 12, 0, 0, 0, time.UTC)
	f.s.SetClock(func() time.Time { return now })
	issues := []int64{f.issueID, nextIssue(t, f, 10)}
	for _, id := range issues {
		now = now.Add(time.Hour)
		if _, err := f.s.StartSend(ctx, id, editorStart, ""); err != nil {
			t.Fatal(err)
		}
	}
	f.exec(t, `UPDATE subscriptions SET status = 'unsubscribed' WHERE subscriber_id = ?`, other[0])
	last := nextIssue(t, f, 11)
	issues = append(issues, last)
	now = now.Add(time.Hour)
	if _, err := f.s.StartSend(ctx, last, editorStart, ""); err != nil {
		t.Fatal(err)
	}
	if n, err := f.s.DueNow(ctx, last); err != nil || n != 1 {
		t.Fatalf("DueNow of the last issue: %d, %v", n, err)
	}
	for i, id := range issues[:2] {
		if c, _ := f.s.Counts(ctx, id); c.Waiting != 1 { // the other reader's copy still waits
			t.Errorf("issue %d: %+v, want only the other reader's copy waiting", i+1, c)
		}
	}
	for i, id := range issues {
		for j, later := range issues[i+1:] {
			if got, _ := f.s.Claim(ctx, later, "w", "", 10, time.Minute); len(got) != 0 {
				t.Fatalf("issue %d claimed before issue %d was sent", i+j+2, i+1)
			}
		}
		got, err := f.s.Claim(ctx, id, "w", "", 10, time.Minute)
		if err != nil || len(got) != 1 {
			t.Fatalf("issue %d: claimed %d, %v; want the reader's copy", i+1, len(got), err)
		}
		if err := f.s.Record(ctx, []ledger.Outcome{{DeliveryID: got[0].ID, Owner: "w", Kind: ledger.OutcomeSent, At: now, Code: 250}},
			ledger.BouncePolicy{}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAtOnceAfterLocalKeepsOrder(t *testing.T) { eachBackend(t, testAtOnceAfterLocal) }

// testAtOnceAfterLocal: the publication is switched back to at-once while a
// reader's copy of the last local issue waits for 06:00. The next issue's
// copy waits behind it; a reader with nothing waiting gets it at once.
func testAtOnceAfterLocal(t *testing.T, dsn string) {
	ctx := context.Background()
	f := newSendFixtureAt(t, dsn, 0)
	f.exec(t, `UPDATE publications SET deliver = 'local', local_time = '06:00', timezone = 'UTC' WHERE id = ?`, f.pubID)
	f.subscribers(t, f.pubID, 0, 1, "active", "active")
	now := time.Date(2026, 10, 24, 12, 0, 0, 0, time.UTC)
	f.s.SetClock(func() time.Time { return now })
	if _, err := f.s.StartSend(ctx, f.issueID, editorStart, ""); err != nil {
		t.Fatal(err)
	}
	f.subscribers(t, f.pubID, 1, 1, "active", "active") // joins after that send started
	f.exec(t, `UPDATE publications SET deliver = 'at-once' WHERE id = ?`, f.pubID)
	next := nextIssue(t, f, 10)
	now = now.Add(time.Hour)
	if _, err := f.s.StartSend(ctx, next, editorStart, ""); err != nil {
		t.Fatal(err)
	}
	got, err := f.s.Claim(ctx, next, "w", "", 10, time.Minute)
	if err != nil || len(got) != 1 || got[0].Email != "reader1@example.net" {
		t.Fatalf("the next issue at once: %d rows, %v; want only the new reader's", len(got), err)
	}
}
