package delivery_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"masthead/delivery"
	"masthead/internal/smtptest"
	"masthead/newsletter"
	"masthead/store"
)

// TestRateLimits sends 100 messages with a global limit of 40/s and a limit of
// 8/s to one domain; measured at the server, the send keeps to both.
func TestRateLimits(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 0)
	f.addSubscribers(t, 0, 100, func(i int) string {
		if i%10 == 0 {
			return "slow.example"
		}
		return "example.net"
	})
	srv := startServer(t, smtptest.Options{})
	cfg := f.fastConfig(4)
	cfg.Rate, cfg.DomainRates = 40, map[string]float64{"Slow.Example": 8}
	e := f.engine(t, smtpTo(t, srv, 5*time.Second), cfg)
	e.Start(ctx, f.issue.ID)
	sum, err := e.Run(ctx, f.issue.ID)
	if err != nil || sum.Status != newsletter.Sent {
		t.Fatalf("run: %v, %+v", err, sum)
	}
	var all, slow []time.Time
	for _, m := range srv.Messages() {
		all = append(all, m.Received)
		if strings.HasSuffix(m.To[0], "@slow.example") {
			slow = append(slow, m.Received)
		}
	}
	if len(all) != 100 || len(slow) != 10 {
		t.Fatalf("%d messages, %d to slow.example", len(all), len(slow))
	}
	// A token bucket lets rate×window + burst through in any window; arrival
	// times at the server carry scheduling jitter (large under -race on a busy
	// machine), for which 100 ms more of the rate is allowed.
	if n, limit := maxInWindow(all, time.Second), 44+1; n > limit {
		t.Errorf("%d messages within one second, more than %d (40/s)", n, limit)
	}
	if n, limit := maxInWindow(slow, time.Second), 8+1+1; n > limit {
		t.Errorf("%d messages to slow.example within one second, more than %d (8/s)", n, limit)
	}
	if r := float64(len(all)-1) / all[len(all)-1].Sub(all[0]).Seconds(); r > 40*1.02 {
		t.Errorf("average rate %.1f/s, limit 40/s", r)
	}
}

// maxInWindow is the most times within any window of length w.
func maxInWindow(ts []time.Time, w time.Duration) int {
	best := 0
	for i, j := 0, 0; j < len(ts); j++ {
		for ts[j].Sub(ts[i]) >= w {
			i++
		}
		best = max(best, j-i+1)
	}
	return best
}

// TestPauseResumeCancel pauses a send midway, checks that it stops and that
// the ledger accounts for every message the server got, resumes it, then
// cancels it; nobody gets the issue twice.
func TestPauseResumeCancel(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 0)
	f.addSubscribers(t, 0, 400, nil)
	srv := startServer(t, smtptest.Options{Latency: 2 * time.Millisecond})
	e := f.engine(t, smtpTo(t, srv, 5*time.Second), f.fastConfig(2))
	if _, err := e.Start(ctx, f.issue.ID); err != nil {
		t.Fatal(err)
	}

	// Pause once some have gone out; Run returns with the issue paused.
	runUntil := func(n int, act func() error) delivery.Summary {
		t.Helper()
		done := make(chan delivery.Summary)
		go func() {
			sum, err := e.Run(ctx, f.issue.ID)
			if err != nil {
				t.Error(err)
			}
			done <- sum
		}()
		for srv.Count() < n {
			time.Sleep(time.Millisecond)
		}
		if err := act(); err != nil {
			t.Fatal(err)
		}
		return <-done
	}
	sum := runUntil(100, func() error { return e.Pause(ctx, f.issue.ID) })
	if sum.Status != newsletter.Paused {
		t.Fatalf("after pause: %s", sum.Status)
	}
	c := sum.Counts
	if c.Sending != 0 || c.Sent != srv.Count() || c.Sent+c.Queued != 400 {
		t.Fatalf("after pause: counts %+v, server %d", c, srv.Count())
	}
	got := srv.Count()
	time.Sleep(100 * time.Millisecond)
	if srv.Count() != got {
		t.Fatal("messages went out while paused")
	}
	// Run on a paused issue does nothing.
	if sum, _ := e.Run(ctx, f.issue.ID); sum.Sent != 0 || srv.Count() != got {
		t.Fatal("Run sent a paused issue")
	}

	if err := e.Resume(ctx, f.issue.ID); err != nil {
		t.Fatal(err)
	}
	sum = runUntil(got+100, func() error { return e.Cancel(ctx, f.issue.ID) })
	if sum.Status != newsletter.Cancelled {
		t.Fatalf("after cancel: %s", sum.Status)
	}
	c = sum.Counts
	if c.Pending() != 0 || c.Sent != srv.Count() || c.Sent+c.Cancelled != 400 || c.Cancelled == 0 {
		t.Fatalf("after cancel: counts %+v, server %d", c, srv.Count())
	}
	if _, dup := copies(srv.Messages()); dup != 0 {
		t.Fatalf("%d duplicates", dup)
	}
	if err := e.Resume(ctx, f.issue.ID); err == nil {
		t.Fatal("a cancelled issue resumed")
	}
}

// TestTestSendLeavesLedger sends a test message of an issue that has not
// started: the server gets it, the issue and its (empty) ledger do not change.
func TestTestSendLeavesLedger(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 0)
	f.addSubscribers(t, 0, 3, nil)
	srv := startServer(t, smtptest.Options{})
	e := f.engine(t, smtpTo(t, srv, 5*time.Second), f.fastConfig(1))
	if err := e.TestSend(ctx, f.issue.ID, "editor@planet.example"); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || msgs[0].To[0] != "editor@planet.example" || !strings.HasPrefix(msgs[0].MessageID, "<test.") {
		t.Fatalf("messages %+v", msgs)
	}
	if st, _ := f.st.IssueStatus(ctx, f.issue.ID); st != newsletter.Assembled {
		t.Fatalf("issue is %s", st)
	}
	if c, _ := f.st.Counts(ctx, f.issue.ID); c.Total != 0 {
		t.Fatalf("ledger %+v", c)
	}
	// A refused address is an error.
	srv.SetInjector(func(stage smtptest.Stage, _, _ string) *smtptest.Fault {
		if stage == smtptest.StageRcpt {
			return &smtptest.Fault{Code: 550}
		}
		return nil
	})
	if err := e.TestSend(ctx, f.issue.ID, "nobody@planet.example"); err == nil {
		t.Fatal("test send to a refused address succeeded")
	}
}

// TestOutboxKeepsTheBytes sends through the outbox: one message per
// subscriber, each the very bytes an SMTP server gets for that subscriber
// (apart from Date).
func TestOutboxKeepsTheBytes(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 1)
	f.addSubscribers(t, 0, 20, nil)
	fixed := time.Date(2009, 7, 9, 6, 0, 0, 0, time.UTC)
	cfg := f.fastConfig(2)
	cfg.Now = func() time.Time { return fixed }
	cfg.Poll = 20 * time.Millisecond
	e := f.engine(t, delivery.NewOutbox(f.st), cfg)
	e.Start(ctx, f.issue.ID)
	sum, err := e.Run(ctx, f.issue.ID)
	if err != nil || sum.Status != newsletter.Sent || sum.Counts.Sent != 20 {
		t.Fatalf("run: %v, %+v", err, sum)
	}
	list, err := f.st.Outbox(ctx, store.OutboxFilter{IssueID: f.issue.ID})
	if err != nil || len(list) != 20 {
		t.Fatalf("outbox: %d, %v", len(list), err)
	}
	rows, _ := f.st.Deliveries(ctx, store.DeliveryFilter{IssueID: f.issue.ID})
	byID := map[int64]*store.Delivery{}
	for _, d := range rows {
		byID[d.ID] = d
	}
	// The same subscriber's message through SMTP.
	srv := startServer(t, smtptest.Options{})
	conn, _ := smtpTo(t, srv, 5*time.Second).Open(ctx)
	defer conn.Close()
	comp, err := e.Composer(ctx, f.issue.ID)
	if err != nil {
		t.Fatal(err)
	}
	m, err := f.st.OutboxByID(ctx, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	d := byID[m.DeliveryID]
	if d == nil || m.MessageID != d.MessageID || m.Recipient != d.Email {
		t.Fatalf("outbox message %+v does not match its delivery %+v", m, d)
	}
	msg, err := comp.Compose(delivery.Recipient{SubscriberID: d.SubscriberID, Email: d.Email, Name: d.Name, MessageID: d.MessageID}, &delivery.Buffers{})
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.Send(ctx, &delivery.Message{Mail: msg}); err != nil {
		t.Fatal(err)
	}
	if got := srv.Messages()[0].Data; !bytes.Equal(got, m.Raw) {
		t.Fatalf("outbox bytes differ from SMTP bytes:\n%s\n----\n%s", m.Raw, got)
	}
}
