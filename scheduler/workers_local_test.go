package scheduler_test

import (
	"context"
	"testing"
	"time"

	"masthead/assembly"
	"masthead/delivery"
	"masthead/newsletter"
	"masthead/scheduler"
	"masthead/store"
	"masthead/subscribers"
)

// A send at each reader's 06:00 outlives the process that began it: the
// workers of a first process send Los Angeles's copy at its hour and are
// stopped (a restart) with London's copy waiting for the next morning;
// those of a second process, started once London's hour has come, take the
// issue up again and finish it, each reader having one copy.
func TestWorkersResumeALocalTimeSendAfterARestart(t *testing.T) {
	ctx := context.Background()
	la, _ := time.LoadLocation("America/Los_Angeles")
	release := time.Date(2026, 10, 24, 5, 0, 0, 0, la)
	e := newEnv(t, release)
	p := e.publication("planet", "America/Los_Angeles", "", func(p *newsletter.Publication) {
		p.Deliver, p.LocalTime = newsletter.DeliverLocal, "06:00"
	})
	e.subscribers(p, 2)
	london, err := e.st.SubscriberByEmail(ctx, "reader1+planet@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.SetSubscriberTimeZone(ctx, london.ID, "Europe/London", subscribers.ViaEditor); err != nil {
		t.Fatal(err)
	}
	d := newsletter.Date{Year: 2026, Month: 10, Day: 24}
	e.articles(p, d, 1)
	iss, err := assembly.New(e.st, "http://news.example.org").Assemble(ctx, p, d)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.StartSend(ctx, iss.ID, newsletter.Statuses(newsletter.IssueStatus.EditorCanStart), "outbox"); err != nil {
		t.Fatal(err)
	}

	// process runs one process's workers on its own database handle until
	// the returned stop.
	process := func() (stop func()) {
		st := e.open()
		eng, err := delivery.New(st, delivery.NewOutbox(st), delivery.Config{Connections: 1, Poll: 10 * time.Millisecond, Now: e.clock.Now,
			BaseURL: "http://news.example.org", Signer: subscribers.NewSigner([]byte("0123456789abcdef0123456789abcdef"))}, nil)
		if err != nil {
			t.Fatal(err)
		}
		w := &scheduler.Workers{Store: st, Poll: 10 * time.Millisecond, Transport: eng.Transport(), Log: logger(t),
			Runner: scheduler.RunnerFunc(func(ctx context.Context, id int64) error { _, err := eng.Run(ctx, id); return err })}
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { w.Run(runCtx); close(done) }()
		return func() { cancel(); <-done }
	}
	outbox := func() map[string]int {
		t.Helper()
		list, err := e.st.Outbox(ctx, store.OutboxFilter{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, m := range list {
			got[m.Recipient]++
		}
		return got
	}
	until := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not after 20s; outbox %v", what, outbox())
			}
		}
	}

	stop := process()
	e.clock.Set(time.Date(2026, 10, 24, 6, 0, 0, 0, la))
	until("Los Angeles's copy at its 06:00", func() bool { return outbox()["reader0+planet@example.org"] == 1 })
	stop()
	if st, err := e.st.IssueStatus(ctx, iss.ID); err != nil || st != newsletter.Sending {
		t.Fatalf("after the first process: %s, %v; want sending, London's copy waiting", st, err)
	}

	// Sunday 06:00 in London, 24 hours after the release: another process.
	e.clock.Set(time.Date(2026, 10, 25, 6, 0, 0, 0, time.UTC))
	stop = process()
	defer stop()
	until("the send finished by the second process", func() bool {
		st, err := e.st.IssueStatus(ctx, iss.ID)
		return err == nil && st == newsletter.Sent
	})
	if got := outbox(); len(got) != 2 || got["reader0+planet@example.org"] != 1 || got["reader1+planet@example.org"] != 1 {
		t.Errorf("copies per reader: %v; want one each", got)
	}
}
