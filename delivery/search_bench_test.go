package delivery_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"masthead/internal/smtptest"
	"masthead/newsletter"
	"masthead/store"
)

// BenchmarkSendUnderSearches sends to 20,000 subscribers over 4 connections
// (a server answering after 3 ms) on SQLite, alone and then while 8 clients
// do what the admin's ledger and subscriber pages do, as fast as they are
// answered: a ledger search by part of an address with the issue's state,
// and a subscriber search with the list's counts. It reports the send's
// messages per second in each phase and the searches per second.
//
//	go test -run '^$' -bench BenchmarkSendUnderSearches -benchtime 1x ./delivery/
func BenchmarkSendUnderSearches(b *testing.B) {
	const n, clients = 20000, 8
	for b.Loop() {
		for _, load := range []bool{false, true} {
			ctx := context.Background()
			f := newFixture(b, 0)
			f.addSubscribers(b, 0, n, func(i int) string { return fmt.Sprintf("d%d.example", i%500) })
			srv := startServer(b, smtptest.Options{Discard: true, Latency: 3 * time.Millisecond})
			e := f.engine(b, smtpTo(b, srv, 5*time.Second), f.fastConfig(4))
			if _, err := e.Start(ctx, f.issue.ID); err != nil {
				b.Fatal(err)
			}
			runCtx, stop := context.WithTimeout(ctx, 8*time.Second)
			var searches atomic.Int64
			var wg sync.WaitGroup
			if load {
				for c := range clients {
					wg.Go(func() {
						rng := rand.New(rand.NewPCG(uint64(c), 1))
						for runCtx.Err() == nil {
							q := fmt.Sprintf("r%03d", rng.IntN(200))
							var err error
							if c%2 == 0 { // the ledger page
								if _, err = f.st.IssueStatus(runCtx, f.issue.ID); err == nil {
									_, err = f.st.Deliveries(runCtx, store.DeliveryFilter{IssueID: f.issue.ID, Search: q, Limit: 201})
								}
							} else { // the subscribers page
								if _, err = f.st.SearchSubscribers(runCtx, store.SubscriberFilter{Text: q, Limit: 100}); err == nil {
									_, err = f.st.SubscriberCounts(runCtx, f.pub.ID)
								}
							}
							if err == nil {
								searches.Add(1)
							}
						}
					})
				}
			}
			start := time.Now()
			sum, err := e.Run(runCtx, f.issue.ID)
			secs := time.Since(start).Seconds()
			stop()
			wg.Wait()
			if err != nil && runCtx.Err() == nil {
				b.Fatal(err)
			}
			name := map[bool]string{false: "alone", true: "searched"}[load]
			b.ReportMetric(float64(sum.Sent)/secs, "msg/s-"+name)
			if load {
				b.ReportMetric(float64(searches.Load())/secs, "searches/s")
			}
			if sum.Status != newsletter.Sent && sum.Sent == 0 {
				b.Fatalf("%s: nothing sent", name)
			}
		}
	}
}
