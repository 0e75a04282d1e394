package delivery_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"masthead/delivery"
	"masthead/internal/smtptest"
	"masthead/internal/testenv"
	"masthead/newsletter"
)

// The engine reports a server outage once when it begins, with a reason a
// person can read, and once when messages get through again, however many
// rows and probes fail in between.
func TestServerStateOncePerChange(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 0)
	f.addSubscribers(t, 0, 20, nil)
	var said atomic.Int64
	srv := startServer(t, smtptest.Options{Inject: func(stage smtptest.Stage, _, _ string) *smtptest.Fault {
		if stage == smtptest.StageMail && said.Add(1) <= 3 {
			return &smtptest.Fault{Code: 421, Text: "4.3.2 down for maintenance"}
		}
		return nil
	}})
	var mu sync.Mutex
	var states []delivery.ServerState
	cfg := f.fastConfig(4)
	cfg.Breaker = delivery.Backoff{Base: 20 * time.Millisecond, Max: 40 * time.Millisecond}
	cfg.OnServerState = func(s delivery.ServerState) {
		mu.Lock()
		states = append(states, s)
		mu.Unlock()
	}
	e := f.engine(t, smtpTo(t, srv, 5*time.Second), cfg)
	if _, err := e.Start(ctx, f.issue.ID); err != nil {
		t.Fatal(err)
	}
	sum, err := e.Run(ctx, f.issue.ID)
	if err != nil || sum.Status != newsletter.Sent {
		t.Fatalf("run: %+v, %v", sum, err)
	}
	assertFilled(t, f, srv.Messages())
	mu.Lock()
	defer mu.Unlock()
	if said.Load() < 3 || len(states) != 2 || !states[0].Down || states[1].Down || states[0].Retry <= 0 ||
		!strings.Contains(states[0].Reason, "answered 421") || !strings.Contains(states[0].Reason, "down for maintenance") {
		t.Fatalf("%d 421s; states %+v; want one down (naming the reply) and one up", said.Load(), states)
	}
}

// A server that refuses connections is named with its address and the
// system's reason.
func TestServerStateNamesTheAddress(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := newFixture(t, 0)
	f.addSubscribers(t, 0, 3, nil)
	addr := testenv.Addr(testenv.FreePort(t))
	cfgSMTP, err := delivery.ParseSMTPURL("smtp://" + addr + "?tls=none")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan delivery.ServerState, 10)
	cfg := f.fastConfig(2)
	cfg.OnServerState = func(s delivery.ServerState) { got <- s; cancel() }
	e := f.engine(t, delivery.NewSMTP(cfgSMTP, nil), cfg)
	if _, err := e.Start(ctx, f.issue.ID); err != nil {
		t.Fatal(err)
	}
	sum, _ := e.Run(ctx, f.issue.ID)
	s := <-got
	if want := "cannot connect to " + addr + ": connection refused"; !s.Down || s.Reason != want {
		t.Fatalf("state %+v; want down with reason %q", s, want)
	}
	if sum.Counts.Queued != 3 || sum.Status != newsletter.Sending {
		t.Errorf("after the stop: %s, %+v; want 3 rows queued", sum.Status, sum.Counts)
	}
}
