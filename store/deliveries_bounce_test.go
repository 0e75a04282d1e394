package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"masthead/ledger"
	"masthead/newsletter"
	"masthead/subscribers"
)

// issueOn adds an assembled issue of pubID for another date than f.issueID's.
func (f *sendFixture) issueOn(t testing.TB, pubID int64, d newsletter.Date) int64 {
	t.Helper()
	iss, err := f.s.AssembleIssue(context.Background(), pubID, d,
		func(*newsletter.Issue, newsletter.Numberer) (*newsletter.Issue, error) {
			return &newsletter.Issue{Volume: 3, Number: 154, Status: newsletter.Assembled, Subject: "Tomorrow",
				HTML: "<p>Hello</p>", Text: "Hello"}, nil
		})
	if err != nil {
		t.Fatal(err)
	}
	return iss.ID
}

// claimAll claims every due row of an issue, by subscriber.
func (f *sendFixture) claimAll(t testing.TB, issueID int64) map[int64]*ledger.Delivery {
	t.Helper()
	got, err := f.s.Claim(context.Background(), issueID, "w", "", 100, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]*ledger.Delivery{}
	for _, d := range got {
		out[d.SubscriberID] = d
	}
	return out
}

func (f *sendFixture) scalar(t testing.TB, q string, args ...any) string {
	t.Helper()
	var v string
	if err := f.s.db.QueryRow(f.s.q(q), args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

// A bounce the delivery engine records follows the same rules as a bounce
// report: a hard one suppresses the address as 'bounced' and skips the
// subscriber's other queued deliveries; soft ones in a row up to the limit
// do the same; a message accepted in between starts the count again, even
// within one batch.
func testBouncesShareOnePath(t *testing.T, dsn string) {
	ctx := context.Background()
	f := newSendFixtureAt(t, dsn, 3)
	next := f.issueOn(t, f.pubID, newsletter.Date{Year: 2009, Month: 7, Day: 10})
	for _, id := range []int64{f.issueID, next} {
		if _, err := f.s.StartSend(ctx, id, editorStart, ""); err != nil {
			t.Fatal(err)
		}
	}
	today := f.claimAll(t, f.issueID)
	hard, soft, mixed := f.subs[0], f.subs[1], f.subs[2]
	now := time.Now()
	status := func(id int64) (string, string) {
		t.Helper()
		return f.scalar(t, `SELECT status FROM subscribers WHERE id = ?`, id),
			f.scalar(t, `SELECT soft_bounces FROM subscribers WHERE id = ?`, id)
	}
	queuedNext := func(id int64) string {
		t.Helper()
		return f.scalar(t, `SELECT status FROM deliveries WHERE issue_id = ? AND subscriber_id = ?`, next, id)
	}

	// Hard: bounced, suppressed with the subscribers package's reason, one
	// event, and tomorrow's queued row skipped at once.
	if err := f.s.Record(ctx, []ledger.Outcome{{DeliveryID: today[hard].ID, Owner: "w", Kind: ledger.OutcomeFailed, At: now,
		Code: 550, Reply: "550 5.1.1 no such user", Bounce: ledger.HardBounce}}, ledger.BouncePolicy{}); err != nil {
		t.Fatal(err)
	}
	if st, _ := status(hard); st != "bounced" {
		t.Errorf("hard bounce: subscriber %s", st)
	}
	if r := f.scalar(t, `SELECT reason FROM suppressions WHERE email = 'reader0@example.net'`); r != string(subscribers.Bounced) {
		t.Errorf("hard bounce: suppression reason %q, want %q", r, subscribers.Bounced)
	}
	if n := f.scalar(t, `SELECT COUNT(*) FROM subscriber_events WHERE subscriber_id = ? AND kind = 'bounced' AND via = 'bounce'`, hard); n != "1" {
		t.Errorf("hard bounce: %s events", n)
	}
	if st := queuedNext(hard); st != string(ledger.DeliverySkipped) {
		t.Errorf("hard bounce: the subscriber's next delivery is %s, want skipped", st)
	}

	// Soft: two, then a message accepted resets the count; the limit in a
	// row then bounces.
	for range 2 {
		if _, err := f.s.ApplyBounceReport(ctx, ledger.BounceReport{ReportID: fmt.Sprint("soft-", time.Now().UnixNano()), Email: "reader1@example.net", Kind: ledger.ReportSoft, Detail: "452 mailbox full"}, ledger.BouncePolicy{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.s.Record(ctx, []ledger.Outcome{{DeliveryID: today[soft].ID, Owner: "w", Kind: ledger.OutcomeSent, At: now, Code: 250}}, ledger.BouncePolicy{}); err != nil {
		t.Fatal(err)
	}
	if st, n := status(soft); st != "active" || n != "0" {
		t.Errorf("after a sent message: %s with %s soft bounces, want active with 0", st, n)
	}
	for i := 1; i <= ledger.DefaultSoftBounceLimit; i++ {
		if _, err := f.s.ApplyBounceReport(ctx, ledger.BounceReport{ReportID: fmt.Sprint("soft-", time.Now().UnixNano()), Email: "reader1@example.net", Kind: ledger.ReportSoft, Detail: "452 mailbox full"}, ledger.BouncePolicy{}); err != nil {
			t.Fatal(err)
		}
		if st, _ := status(soft); (st == "bounced") != (i == ledger.DefaultSoftBounceLimit) {
			t.Fatalf("after %d soft bounces in a row (limit %d) the subscriber is %s", i, ledger.DefaultSoftBounceLimit, st)
		}
	}
	if r := f.scalar(t, `SELECT reason FROM suppressions WHERE email = 'reader1@example.net'`); r != string(subscribers.Bounced) {
		t.Errorf("soft bounces: suppression reason %q", r)
	}
	if st := queuedNext(soft); st != string(ledger.DeliverySkipped) {
		t.Errorf("soft bounces: the subscriber's next delivery is %s, want skipped", st)
	}

	// One batch: accepted today, then tomorrow's copy gives up as a soft
	// bounce. The count is 1 (reset, then one), not the old count plus one.
	f.exec(t, `UPDATE subscribers SET soft_bounces = ? WHERE id = ?`, ledger.DefaultSoftBounceLimit-1, mixed)
	tomorrow := f.claimAll(t, next)
	if err := f.s.Record(ctx, []ledger.Outcome{
		{DeliveryID: today[mixed].ID, Owner: "w", Kind: ledger.OutcomeSent, At: now, Code: 250},
		{DeliveryID: tomorrow[mixed].ID, Owner: "w", Kind: ledger.OutcomeFailed, At: now, Code: 452, Reply: "452 full", Bounce: ledger.SoftBounce},
	}, ledger.BouncePolicy{}); err != nil {
		t.Fatal(err)
	}
	if st, n := status(mixed); st != "active" || n != "1" {
		t.Errorf("sent then soft bounce in one batch: %s with %s soft bounces, want active with 1", st, n)
	}
}

// Suppressions written with the old reason words read as the subscriber
// statuses they stand for once the database is migrated.
func testOldBounceReasonMigrated(t *testing.T, dsn string) {
	ctx := context.Background()
	f := newSendFixtureAt(t, dsn, 0)
	f.exec(t, `INSERT INTO suppressions (email, reason, detail, created_at) VALUES ('old@example.org', 'bounce', '550', 1)`)
	f.exec(t, `INSERT INTO suppressions (email, reason, detail, created_at) VALUES ('fbl@example.org', 'complaint', '', 1)`)
	var stmts []string
	for _, m := range migrations {
		if strings.Contains(strings.Join(m, "\n"), "WHERE reason = 'bounce'") {
			stmts = m
		}
	}
	if stmts == nil {
		t.Fatal("no migration rewrites the reason 'bounce'")
	}
	for _, q := range stmts {
		f.exec(t, f.s.dialect.ddl(q))
	}
	for email, want := range map[string]subscribers.Status{"old@example.org": subscribers.Bounced, "fbl@example.org": subscribers.Complained} {
		sup, err := f.s.Suppression(ctx, email)
		if err != nil || sup.Reason != want {
			t.Errorf("%s: suppression %+v, %v; want reason %s", email, sup, err, want)
		}
	}
}
