package delivery_test

import (
	"context"
	"fmt"
	"masthead/store"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"masthead/internal/smtptest"
	"masthead/ledger"
	"masthead/newsletter"
)

// TestSendSurvivesFaults sends to 1,000 subscribers through a server that
// answers 451 at random on RCPT and DATA, drops connections, says 421 once
// mid-stream, and stalls once for 10 s (longer than the client's 1 s
// timeout). Every subscriber gets the issue exactly once; the ten whose
// address the server refuses with 550 end failed and bounced.
func TestSendSurvivesFaults(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 0)
	f.addSubscribers(t, 0, 1000, nil)
	refused := map[string]bool{}
	for i := 0; i < 1000; i += 100 {
		refused[fmt.Sprintf("<r%05d@example.net>", i+7)] = true
	}

	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(1, 2))
	var rcpts, said421, stalled atomic.Int64
	inject := func(stage smtptest.Stage, from, rcpt string) *smtptest.Fault {
		mu.Lock()
		p := rng.Float64()
		mu.Unlock()
		switch stage {
		case smtptest.StageRcpt:
			if refused["<"+rcpt+">"] || refused[rcpt] {
				return &smtptest.Fault{Code: 550, Text: "5.1.1 no such user"}
			}
			n := rcpts.Add(1)
			switch {
			case n == 300 && said421.Add(1) == 1:
				return &smtptest.Fault{Code: 421, Text: "4.3.2 shutting down"}
			case n == 500 && stalled.Add(1) == 1:
				return &smtptest.Fault{Stall: 10 * time.Second}
			case p < 0.05:
				return &smtptest.Fault{Code: 451, Text: "4.3.0 try again"}
			case p < 0.06:
				return &smtptest.Fault{Drop: true}
			}
		case smtptest.StageData:
			switch {
			case p < 0.03:
				return &smtptest.Fault{Code: 451, Text: "4.3.0 queue full"}
			case p < 0.04:
				return &smtptest.Fault{Drop: true}
			}
		}
		return nil
	}
	srv := startServer(t, smtptest.Options{Inject: inject})
	e := f.engine(t, smtpTo(t, srv, time.Second), f.fastConfig(4))
	if _, err := e.Start(ctx, f.issue.ID); err != nil {
		t.Fatal(err)
	}
	sum, err := e.Run(ctx, f.issue.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Status != newsletter.Sent {
		t.Fatalf("issue ended %s: %+v", sum.Status, sum.Counts)
	}
	if said421.Load() != 1 || stalled.Load() != 1 {
		t.Fatalf("faults not all injected: 421 %d, stall %d", said421.Load(), stalled.Load())
	}
	perRcpt, dup := copies(srv.Messages())
	if dup != 0 {
		t.Errorf("%d duplicate messages", dup)
	}
	assertFilled(t, f, srv.Messages())
	if len(perRcpt) != 990 {
		t.Errorf("%d recipients got the issue, want 990", len(perRcpt))
	}
	for rc, n := range perRcpt {
		if n != 1 || refused[rc] {
			t.Errorf("%s got %d different Message-IDs", rc, n)
		}
	}
	c := sum.Counts
	if c.Sent != 990 || c.Failed != 10 || c.Total != 1000 {
		t.Errorf("counts %+v", c)
	}
	if sum.Retried == 0 {
		t.Error("no retries recorded")
	}
	failed, err := f.st.Deliveries(ctx, store.DeliveryFilter{IssueID: f.issue.ID, Status: ledger.DeliveryFailed})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range failed {
		if d.LastCode != 550 || d.Attempts != 1 {
			t.Errorf("failed row %s: code %d, attempts %d", d.Email, d.LastCode, d.Attempts)
		}
		if st := subscriberStatus(t, f, d.SubscriberID); st != "bounced" {
			t.Errorf("%s is %s, want bounced", d.Email, st)
		}
	}
	t.Logf("server saw %d connections; %d retries; %v", srv.Connections(), sum.Retried, sum.Elapsed)
}

func subscriberStatus(t testing.TB, f *fixture, id int64) string {
	t.Helper()
	db := openRaw(t, f)
	var st string
	var suppressed int
	if err := db.QueryRow(`SELECT s.status, (SELECT COUNT(*) FROM suppressions x WHERE x.email = s.email)
		FROM subscribers s WHERE id = ?`, id).Scan(&st, &suppressed); err != nil {
		t.Fatal(err)
	}
	if st == "bounced" && suppressed != 1 {
		return "bounced but not suppressed"
	}
	return st
}

// TestOutageTripsTheBreaker: for half a second the server answers every
// MAIL with 421 and closes the connection. The send pauses as a whole
// instead of every row burning attempts, then finishes with every
// subscriber served once.
func TestOutageTripsTheBreaker(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 0)
	f.addSubscribers(t, 0, 300, nil)
	var outageStart atomic.Int64
	inject := func(stage smtptest.Stage, _, _ string) *smtptest.Fault {
		start := outageStart.Load()
		if stage == smtptest.StageMail && start != 0 && time.Since(time.Unix(0, start)) < 500*time.Millisecond {
			return &smtptest.Fault{Code: 421, Text: "4.3.2 going down"}
		}
		return nil
	}
	srv := startServer(t, smtptest.Options{Inject: inject})
	go func() {
		for deadline := time.Now().Add(time.Minute); srv.Count() < 50; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Errorf("50 messages did not arrive within a minute (%d did)", srv.Count())
				return
			}
		}
		outageStart.Store(time.Now().UnixNano())
	}()
	e := f.engine(t, smtpTo(t, srv, 5*time.Second), f.fastConfig(4))
	e.Start(ctx, f.issue.ID)
	sum, err := e.Run(ctx, f.issue.ID)
	if err != nil || sum.Status != newsletter.Sent || sum.Counts.Sent != 300 {
		t.Fatalf("run: %v, %+v", err, sum)
	}
	if perRcpt, dup := copies(srv.Messages()); len(perRcpt) != 300 || dup != 0 {
		t.Fatalf("%d recipients, %d duplicates", len(perRcpt), dup)
	}
	assertFilled(t, f, srv.Messages())
	// Each breaker trip costs at most one attempt per connection.
	rows, _ := f.st.Deliveries(ctx, store.DeliveryFilter{IssueID: f.issue.ID})
	extra := 0
	for _, d := range rows {
		extra += d.Attempts - 1
	}
	t.Logf("%d extra attempts over a 500 ms outage", extra)
	if extra == 0 || extra > 40 {
		t.Errorf("%d extra attempts; want a few (4 connections, a handful of breaker trips)", extra)
	}
}

// TestGiveUpFailsSoftly: a recipient whose server keeps answering 451 is
// retried until the give-up time, then failed as a soft bounce; the issue
// still finishes.
func TestGiveUpFailsSoftly(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 0)
	f.addSubscribers(t, 0, 5, nil)
	srv := startServer(t, smtptest.Options{Inject: func(stage smtptest.Stage, _, rcpt string) *smtptest.Fault {
		if stage == smtptest.StageRcpt && strings.HasPrefix(rcpt, "r00003@") {
			return &smtptest.Fault{Code: 451, Text: "4.2.0 mailbox busy"}
		}
		return nil
	}})
	cfg := f.fastConfig(2)
	cfg.GiveUpAfter = 300 * time.Millisecond
	e := f.engine(t, smtpTo(t, srv, 5*time.Second), cfg)
	e.Start(ctx, f.issue.ID)
	sum, err := e.Run(ctx, f.issue.ID)
	if err != nil || sum.Status != newsletter.Sent || sum.Counts.Sent != 4 || sum.Counts.Failed != 1 {
		t.Fatalf("run: %v, %+v", err, sum)
	}
	assertFilled(t, f, srv.Messages())
	failed, _ := f.st.Deliveries(ctx, store.DeliveryFilter{IssueID: f.issue.ID, Status: ledger.DeliveryFailed})
	d := failed[0]
	if d.Attempts < 3 || d.LastCode != 451 || !strings.HasPrefix(d.LastReply, "gave up after 300ms: 451 4.2.0 mailbox busy") {
		t.Errorf("failed row: %d attempts, %d %q", d.Attempts, d.LastCode, d.LastReply)
	}
	var status string
	var soft int
	openRaw(t, f).QueryRow(`SELECT status, soft_bounces FROM subscribers WHERE id = ?`, d.SubscriberID).Scan(&status, &soft)
	if status != "active" || soft != 1 {
		t.Errorf("subscriber %s with %d soft bounces, want active with 1", status, soft)
	}
}

// TestGiveUpsFollowTheBouncePolicy: the soft bounces of give-ups count
// toward the installation's bounce policy (serve's --soft-bounce-limit), the
// same limit as the reports of the bounce mailbox and the webhook: with a
// limit of 2, the second issue given up on bounces the subscriber and skips
// their next delivery.
func TestGiveUpsFollowTheBouncePolicy(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 0)
	f.addSubscribers(t, 0, 3, nil)
	srv := startServer(t, smtptest.Options{Inject: func(stage smtptest.Stage, _, rcpt string) *smtptest.Fault {
		if stage == smtptest.StageRcpt && strings.HasPrefix(rcpt, "r00001@") {
			return &smtptest.Fault{Code: 451, Text: "4.2.2 mailbox full"}
		}
		return nil
	}})
	cfg := f.fastConfig(2)
	cfg.GiveUpAfter = 200 * time.Millisecond
	cfg.Bounces = ledger.BouncePolicy{SoftLimit: 2}
	e := f.engine(t, smtpTo(t, srv, 5*time.Second), cfg)
	subscriber := func() (status string, soft int) {
		t.Helper()
		openRaw(t, f).QueryRow(`SELECT status, soft_bounces FROM subscribers WHERE email = 'r00001@example.net'`).Scan(&status, &soft)
		return status, soft
	}
	issues := []*newsletter.Issue{f.issue,
		f.assemble(t, newsletter.Date{Year: 2009, Month: 7, Day: 10}, 0),
		f.assemble(t, newsletter.Date{Year: 2009, Month: 7, Day: 11}, 0)}
	for i, want := range []struct {
		status string
		soft   int
	}{{"active", 1}, {"bounced", 2}} {
		if _, err := e.Start(ctx, issues[i].ID); err != nil {
			t.Fatal(err)
		}
		sum, err := e.Run(ctx, issues[i].ID)
		if err != nil || sum.Status != newsletter.Sent || sum.Counts.Sent != 2 || sum.Counts.Failed != 1 {
			t.Fatalf("issue %d: %v, %+v", i+1, err, sum)
		}
		if status, soft := subscriber(); status != want.status || soft != want.soft {
			t.Fatalf("after issue %d given up on: %s with %d soft bounces, want %s with %d (limit 2)",
				i+1, status, soft, want.status, want.soft)
		}
	}
	// Bounced: the third issue is not sent to them.
	if _, err := e.Start(ctx, issues[2].ID); err != nil {
		t.Fatal(err)
	}
	if sum, err := e.Run(ctx, issues[2].ID); err != nil || sum.Counts.Total != 2 || sum.Counts.Sent != 2 {
		t.Fatalf("issue 3: %v, %+v; want only the two others", err, sum)
	}
}
