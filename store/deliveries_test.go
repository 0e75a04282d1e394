package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"masthead/ledger"
	"masthead/newsletter"
)

// sendFixture is a publication with an assembled issue and n active subscribers.
type sendFixture struct {
	s       *Store
	pubID   int64
	issueID int64
	subs    []int64
}

func newSendFixture(t testing.TB, n int) *sendFixture {
	t.Helper()
	return newSendFixtureAt(t, filepath.Join(t.TempDir(), "m.db"), n)
}

// newSendFixtureAt is newSendFixture on the database at dsn (see eachBackend).
func newSendFixtureAt(t testing.TB, dsn string, n int) *sendFixture {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	f := &sendFixture{s: s}
	f.pubID = f.publication(t, "daily")
	f.issueID = f.issue(t, f.pubID)
	f.subs = f.subscribers(t, f.pubID, 0, n, "active", "active")
	return f
}

func (f *sendFixture) publication(t testing.TB, slug string) int64 {
	t.Helper()
	p := &newsletter.Publication{Slug: slug, Name: "The " + slug, From: "Editor <news@example.org>",
		VolumeStart: newsletter.Date{Year: 2007, Month: 2, Day: 7}, TimeZone: "UTC"}
	p.Normalize()
	if err := f.s.SavePublication(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return p.ID
}

func (f *sendFixture) issue(t testing.TB, pubID int64) int64 {
	t.Helper()
	iss, err := f.s.AssembleIssue(context.Background(), pubID, newsletter.Date{Year: 2009, Month: 7, Day: 9},
		func(*newsletter.Issue, newsletter.Numberer) (*newsletter.Issue, error) {
			return &newsletter.Issue{Volume: 3, Number: 153, Status: newsletter.Assembled, Subject: "Today",
				HTML: "<p>Hello</p>", Text: "Hello"}, nil
		})
	if err != nil {
		t.Fatal(err)
	}
	return iss.ID
}

// subscribers adds n subscribers numbered from first, with the given
// subscriber and subscription statuses, subscribed to pubID.
func (f *sendFixture) subscribers(t testing.TB, pubID int64, first, n int, status, subStatus string) []int64 {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	err := f.s.inTx(ctx, func(tx *sql.Tx) error {
		for i := first; i < first+n; i++ {
			var id int64
			if err := tx.QueryRowContext(ctx, f.s.q(`INSERT INTO subscribers (email, name, status, created_at, updated_at)
				VALUES (?, ?, ?, 1, 1) RETURNING id`), fmt.Sprintf("reader%d@example.net", i), fmt.Sprintf("Reader %d", i), status).Scan(&id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, f.s.q(`INSERT INTO subscriptions (subscriber_id, publication_id, status, created_at, updated_at)
				VALUES (?, ?, ?, 1, 1)`), id, pubID, subStatus); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func (f *sendFixture) exec(t testing.TB, q string, args ...any) {
	t.Helper()
	if _, err := f.s.db.Exec(f.s.q(q), args...); err != nil {
		t.Fatal(err)
	}
}

func testStartSendSnapshotsEligibleAudience(t *testing.T, dsn string) {
	ctx := context.Background()
	f := newSendFixtureAt(t, dsn, 5)
	other := f.publication(t, "weekly")
	f.subscribers(t, other, 100, 2, "active", "active")         // another publication
	f.subscribers(t, f.pubID, 200, 1, "pending", "pending")     // not confirmed
	f.subscribers(t, f.pubID, 300, 1, "active", "unsubscribed") // left this publication
	f.subscribers(t, f.pubID, 400, 1, "bounced", "active")      // bounced
	f.exec(t, `INSERT INTO suppressions (email, reason, created_at) VALUES ('reader4@example.net', 'complaint', 1)`)

	res, err := f.s.StartSend(ctx, f.issueID, editorStart, "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Queued != 4 || res.Resumed {
		t.Fatalf("start = %+v, want 4 queued", res)
	}
	if st, _ := f.s.IssueStatus(ctx, f.issueID); st != newsletter.Sending {
		t.Fatalf("status %s", st)
	}
	again, err := f.s.StartSend(ctx, f.issueID, editorStart, "")
	if err != nil || again.Queued != 0 {
		t.Fatalf("second start = %+v, %v", again, err)
	}
	rows, err := f.s.Deliveries(ctx, DeliveryFilter{IssueID: f.issueID})
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^<\d+\.\d+\.[0-9a-f]{12}@example\.org>$`)
	seen := map[string]bool{}
	for _, d := range rows {
		if !re.MatchString(d.MessageID) || seen[d.MessageID] {
			t.Errorf("message id %q bad or repeated", d.MessageID)
		}
		seen[d.MessageID] = true
		if d.Status != ledger.DeliveryQueued || d.Name == "" {
			t.Errorf("row %+v", d)
		}
	}
	if len(rows) != 4 {
		t.Fatalf("%d rows, want 4", len(rows))
	}
	// Pause, then start again: resumes without a new snapshot.
	f.subscribers(t, f.pubID, 500, 3, "active", "active")
	if err := f.s.PauseSend(ctx, f.issueID); err != nil {
		t.Fatal(err)
	}
	res, err = f.s.StartSend(ctx, f.issueID, editorStart, "")
	if err != nil || !res.Resumed || res.Queued != 0 {
		t.Fatalf("resume = %+v, %v", res, err)
	}
	if c, _ := f.s.Counts(ctx, f.issueID); c.Total != 4 {
		t.Fatalf("counts after resume %+v", c)
	}
}

func testClaimRecordFinish(t *testing.T, dsn string) {
	ctx := context.Background()
	f := newSendFixtureAt(t, dsn, 6)
	now := time.UnixMilli(1_700_000_000_000)
	f.s.SetClock(func() time.Time { return now })
	if _, err := f.s.Claim(ctx, f.issueID, "a", "", 10, time.Minute); !errors.Is(err, ledger.ErrNotSending) {
		t.Fatalf("claim before start: %v", err)
	}
	if _, err := f.s.StartSend(ctx, f.issueID, editorStart, ""); err != nil {
		t.Fatal(err)
	}
	got, err := f.s.Claim(ctx, f.issueID, "a", "", 4, time.Minute)
	if err != nil || len(got) != 4 {
		t.Fatalf("claim = %d, %v", len(got), err)
	}
	for i := 1; i < len(got); i++ {
		if got[i].ID <= got[i-1].ID {
			t.Fatal("claims out of order")
		}
	}
	// A second owner gets the rest, not the leased ones.
	other, err := f.s.Claim(ctx, f.issueID, "b", "", 10, time.Minute)
	if err != nil || len(other) != 2 {
		t.Fatalf("second claim = %d, %v", len(other), err)
	}
	// b dies; its rows come back once the lease expires.
	now = now.Add(2 * time.Minute)
	err = f.s.Record(ctx, []ledger.Outcome{
		{DeliveryID: got[0].ID, Owner: "a", Kind: ledger.OutcomeSent, At: now, Code: 250, Reply: "250 ok"},
		{DeliveryID: got[1].ID, Owner: "a", Kind: ledger.OutcomeRetry, At: now, Code: 451, Reply: "451 later", NextAttemptAt: now.Add(time.Hour)},
		{DeliveryID: got[2].ID, Owner: "a", Kind: ledger.OutcomeFailed, At: now, Code: 550, Reply: "550 no such user", Bounce: ledger.HardBounce},
		{DeliveryID: got[3].ID, Owner: "a", Kind: ledger.OutcomeFailed, At: now, Code: 451, Reply: "gave up", Bounce: ledger.SoftBounce},
	}, ledger.BouncePolicy{})
	if err != nil {
		t.Fatal(err)
	}
	back, err := f.s.Claim(ctx, f.issueID, "c", "", 10, time.Minute)
	if err != nil || len(back) != 2 || back[0].ID != other[0].ID {
		t.Fatalf("reclaim = %d, %v", len(back), err)
	}
	// A late record from b no longer applies to a retry (c holds the rows) ...
	if err := f.s.Record(ctx, []ledger.Outcome{{DeliveryID: back[0].ID, Owner: "b", Kind: ledger.OutcomeRetry, At: now, NextAttemptAt: now}}, ledger.BouncePolicy{}); err != nil {
		t.Fatal(err)
	}
	if d, _ := f.s.DeliveryByID(ctx, back[0].ID); d.Status != ledger.DeliverySending || d.LeaseOwner != "c" {
		t.Fatalf("late retry changed row: %+v", d)
	}
	c, _ := f.s.Counts(ctx, f.issueID)
	want := ledger.DeliveryCounts{Queued: 1, Retrying: 1, Sending: 2, Sent: 1, Failed: 2, Total: 6}
	if c != want {
		t.Fatalf("counts %+v, want %+v", c, want)
	}
	retry, _ := f.s.DeliveryByID(ctx, got[1].ID)
	if retry.Attempts != 1 || !retry.FirstAttemptAt.Equal(now) || retry.LastCode != 451 {
		t.Fatalf("retry row %+v", retry)
	}
	if err := f.s.Record(ctx, []ledger.Outcome{
		{DeliveryID: back[0].ID, Owner: "c", Kind: ledger.OutcomeSent, At: now},
		{DeliveryID: back[1].ID, Owner: "c", Kind: ledger.OutcomeSent, At: now},
	}, ledger.BouncePolicy{}); err != nil {
		t.Fatal(err)
	}
	if st, _ := f.s.IssueStatus(ctx, f.issueID); st != newsletter.Sending {
		t.Fatalf("issue %s with a retry pending", st)
	}
	// The retry is not due yet; an hour later it is.
	if d, _ := f.s.Claim(ctx, f.issueID, "a", "", 10, time.Minute); len(d) != 0 {
		t.Fatalf("claimed %d rows before due", len(d))
	}
	now = now.Add(time.Hour)
	d, _ := f.s.Claim(ctx, f.issueID, "a", "", 10, time.Minute)
	if len(d) != 1 || d[0].ID != got[1].ID {
		t.Fatalf("due retry not claimed: %v", d)
	}
	if err := f.s.Record(ctx, []ledger.Outcome{{DeliveryID: d[0].ID, Owner: "a", Kind: ledger.OutcomeSent, At: now}}, ledger.BouncePolicy{}); err != nil {
		t.Fatal(err)
	}
	if st, _ := f.s.IssueStatus(ctx, f.issueID); st != newsletter.Sent {
		t.Fatalf("issue %s, want sent", st)
	}
	// The hard bounce reached the subscriber, once, with a suppression.
	var status string
	var events, suppressed, soft int
	f.s.db.QueryRow(f.s.q(`SELECT status FROM subscribers WHERE id = ?`), got[2].SubscriberID).Scan(&status)
	f.s.db.QueryRow(f.s.q(`SELECT COUNT(*) FROM subscriber_events WHERE subscriber_id = ? AND kind = 'bounced' AND via = 'bounce'`), got[2].SubscriberID).Scan(&events)
	f.s.db.QueryRow(f.s.q(`SELECT COUNT(*) FROM suppressions WHERE email = ?`), got[2].Email).Scan(&suppressed)
	f.s.db.QueryRow(f.s.q(`SELECT soft_bounces FROM subscribers WHERE id = ?`), got[3].SubscriberID).Scan(&soft)
	if status != "bounced" || events != 1 || suppressed != 1 || soft != 1 {
		t.Fatalf("bounce: status %s, events %d, suppressed %d, soft %d", status, events, suppressed, soft)
	}
}

func testClaimSkipsLeaversAndCancelKeepsTruth(t *testing.T, dsn string) {
	ctx := context.Background()
	f := newSendFixtureAt(t, dsn, 5)
	if _, err := f.s.StartSend(ctx, f.issueID, editorStart, ""); err != nil {
		t.Fatal(err)
	}
	// After the snapshot: one unsubscribes, one is suppressed, one bounces elsewhere.
	f.exec(t, `UPDATE subscriptions SET status = 'unsubscribed' WHERE subscriber_id = ?`, f.subs[0])
	f.exec(t, `INSERT INTO suppressions (email, reason, created_at) VALUES ('reader1@example.net', 'complaint', 1)`)
	if _, err := f.s.ApplyBounceReport(ctx, ledger.BounceReport{ReportID: "r1", Email: "reader2@example.net", Kind: ledger.ReportHard, Detail: "550 gone"}, ledger.BouncePolicy{}); err != nil {
		t.Fatal(err)
	}
	got, err := f.s.Claim(ctx, f.issueID, "a", "", 10, time.Minute)
	if err != nil || len(got) != 2 || got[0].SubscriberID != f.subs[3] {
		t.Fatalf("claim = %v, %v", got, err)
	}
	if c, _ := f.s.Counts(ctx, f.issueID); c.Skipped != 3 {
		t.Fatalf("counts %+v", c)
	}
	// Cancel mid-send: the message accepted meanwhile stays sent; the retry stays cancelled.
	if err := f.s.CancelSend(ctx, f.issueID); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := f.s.Record(ctx, []ledger.Outcome{
		{DeliveryID: got[0].ID, Owner: "a", Kind: ledger.OutcomeSent, At: now},
		{DeliveryID: got[1].ID, Owner: "a", Kind: ledger.OutcomeRetry, At: now, NextAttemptAt: now},
	}, ledger.BouncePolicy{}); err != nil {
		t.Fatal(err)
	}
	c, _ := f.s.Counts(ctx, f.issueID)
	if c.Sent != 1 || c.Cancelled != 1 || c.Pending() != 0 {
		t.Fatalf("counts after cancel %+v", c)
	}
	if _, err := f.s.Claim(ctx, f.issueID, "a", "", 10, time.Minute); !errors.Is(err, ledger.ErrNotSending) {
		t.Fatalf("claim after cancel: %v", err)
	}
	if _, err := f.s.StartSend(ctx, f.issueID, editorStart, ""); !errors.Is(err, ErrConflict) {
		t.Fatalf("start after cancel: %v", err)
	}
}

func testReleaseExpireAndSearch(t *testing.T, dsn string) {
	ctx := context.Background()
	f := newSendFixtureAt(t, dsn, 12)
	f.s.StartSend(ctx, f.issueID, editorStart, "")
	got, _ := f.s.Claim(ctx, f.issueID, "h/1/x", "", 5, time.Hour)
	if err := f.s.Release(ctx, "h/1/x", []int64{got[0].ID, got[1].ID}); err != nil {
		t.Fatal(err)
	}
	owners, _ := f.s.LeaseOwners(ctx, f.issueID)
	if len(owners) != 1 || owners[0] != "h/1/x" {
		t.Fatalf("owners %v", owners)
	}
	if n, err := f.s.ExpireLeases(ctx, f.issueID, "h/1/x"); err != nil || n != 3 {
		t.Fatalf("expire = %d, %v", n, err)
	}
	again, _ := f.s.Claim(ctx, f.issueID, "h/2/y", "", 100, time.Hour)
	if len(again) != 12 {
		t.Fatalf("claimed %d after release and expiry, want 12", len(again))
	}
	list, err := f.s.Deliveries(ctx, DeliveryFilter{IssueID: f.issueID, Search: "READER1", Limit: 2})
	if err != nil || len(list) != 2 || list[0].Email != "reader1@example.net" {
		t.Fatalf("search = %v, %v", list, err)
	}
	if list, _ := f.s.Deliveries(ctx, DeliveryFilter{IssueID: f.issueID, Search: "%"}); len(list) != 0 {
		t.Fatalf("%% is literal in a search, got %d", len(list))
	}
}

func testOutbox(t *testing.T, dsn string) {
	ctx := context.Background()
	f := newSendFixtureAt(t, dsn, 0)
	m := &ledger.OutboxMessage{IssueID: f.issueID, DeliveryID: 7, Recipient: "a@example.net", Subject: "S",
		MessageID: "<x@y>", Raw: []byte("Subject: S\r\n\r\nbody\r\n")}
	if err := f.s.AddOutbox(ctx, m); err != nil || m.ID == 0 {
		t.Fatal(err)
	}
	f.s.AddOutbox(ctx, &ledger.OutboxMessage{Recipient: "test@example.net", Subject: "T", MessageID: "<t@y>", Raw: []byte("x")})
	list, err := f.s.Outbox(ctx, OutboxFilter{IssueID: f.issueID})
	if err != nil || len(list) != 1 || list[0].Size != len(m.Raw) || list[0].Raw != nil {
		t.Fatalf("list = %+v, %v", list, err)
	}
	if all, _ := f.s.Outbox(ctx, OutboxFilter{}); len(all) != 2 || all[0].Recipient != "test@example.net" {
		t.Fatalf("all = %+v", all)
	}
	for filter, want := range map[OutboxFilter]int{{Limit: 1}: 2, {IssueID: f.issueID, Limit: 1}: 1, {Recipient: "test@example.net"}: 1, {Recipient: "b@example.net"}: 0} {
		if n, err := f.s.OutboxCount(ctx, filter); err != nil || n != want {
			t.Errorf("OutboxCount(%+v) = %d, %v; want %d", filter, n, err, want)
		}
	}
	got, err := f.s.OutboxByID(ctx, m.ID)
	if err != nil || string(got.Raw) != string(m.Raw) || got.DeliveryID != 7 {
		t.Fatalf("get = %+v, %v", got, err)
	}
	if _, err := f.s.OutboxByID(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
}

// BenchmarkClaimRecord measures the ledger's cost per message: claims of 32
// rows and outcomes recorded in batches of 64, on a SQLite file.
func BenchmarkClaimRecord(b *testing.B) {
	ctx := context.Background()
	f := newSendFixture(b, b.N+64)
	if _, err := f.s.StartSend(ctx, f.issueID, editorStart, ""); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var batch []ledger.Outcome
	done := 0
	for done < b.N {
		rows, err := f.s.Claim(ctx, f.issueID, "bench", "", 32, time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		now := time.Now()
		for _, d := range rows {
			batch = append(batch, ledger.Outcome{DeliveryID: d.ID, Owner: "bench", Kind: ledger.OutcomeSent, At: now, Code: 250, Reply: "250 2.0.0 ok"})
			if len(batch) == 64 {
				if err := f.s.Record(ctx, batch, ledger.BouncePolicy{}); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
		}
		done += len(rows)
	}
	f.s.Record(ctx, batch, ledger.BouncePolicy{})
}

// A reply longer than the column keeps is cut before a rune, and bytes that
// are not UTF-8 are replaced: PostgreSQL refuses invalid UTF-8, so a reply
// cut inside a rune would fail the whole batch it is recorded in.
func testRecordCutsRepliesAtARune(t *testing.T, dsn string) {
	ctx := context.Background()
	f := newSendFixtureAt(t, dsn, 3)
	if _, err := f.s.StartSend(ctx, f.issueID, editorStart, ""); err != nil {
		t.Fatal(err)
	}
	got, err := f.s.Claim(ctx, f.issueID, "a", "", 3, time.Minute)
	if err != nil || len(got) != 3 {
		t.Fatalf("claim = %d, %v", len(got), err)
	}
	long := "550 " + strings.Repeat("é", 700) // 1,404 bytes; byte 1,000 is inside an é
	now := time.Now()
	err = f.s.Record(ctx, []ledger.Outcome{
		{DeliveryID: got[0].ID, Owner: "a", Kind: ledger.OutcomeSent, At: now, Code: 250, Reply: "250 " + strings.Repeat("ü", 600)},
		{DeliveryID: got[1].ID, Owner: "a", Kind: ledger.OutcomeFailed, At: now, Code: 550, Reply: long, Bounce: ledger.HardBounce},
		{DeliveryID: got[2].ID, Owner: "a", Kind: ledger.OutcomeRetry, At: now, Code: 451, Reply: "451 caf\xe9 full", NextAttemptAt: now},
	}, ledger.BouncePolicy{})
	if err != nil {
		t.Fatalf("record: %v", err)
	}
	for i, want := range []string{"250 " + strings.Repeat("ü", 498), "550 " + strings.Repeat("é", 498), "451 caf\uFFFD full"} {
		d, err := f.s.DeliveryByID(ctx, got[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.LastReply != want || !utf8.ValidString(d.LastReply) {
			t.Errorf("row %d kept %d bytes %q, want %d bytes", i, len(d.LastReply), d.LastReply, len(want))
		}
	}
}
