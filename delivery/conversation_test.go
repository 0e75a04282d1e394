package delivery_test

import (
	"context"
	"fmt"
	"masthead/store"
	"sync/atomic"
	"testing"
	"time"

	"masthead/internal/smtptest"
	"masthead/ledger"
	"masthead/newsletter"
)

// TestFaultsInEveryConversation sends to 200 subscribers in each
// conversation (pipelined or not, BDAT or DATA) through a server that
// refuses five recipients at RCPT (550, inside the pipelined batch), says 451
// after some messages' bytes, drops connections and says 421 once: every
// other subscriber gets the issue exactly once, the five fail and bounce.
func TestFaultsInEveryConversation(t *testing.T) {
	for _, conv := range conversations {
		t.Run(conv.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, 0)
			f.addSubscribers(t, 0, 200, nil)
			refused := map[string]bool{}
			for i := 3; i < 200; i += 40 {
				refused[fmt.Sprintf("r%05d@example.net", i)] = true
			}
			var n, rcpts, said421 atomic.Int64
			srv := startServer(t, smtptest.Options{Hide: conv.hide, Inject: func(stage smtptest.Stage, _, rcpt string) *smtptest.Fault {
				k := n.Add(1)
				if stage == smtptest.StageRcpt && rcpts.Add(1) == 120 && said421.Add(1) == 1 {
					return &smtptest.Fault{Code: 421, Text: "4.3.2 shutting down"}
				}
				switch {
				case stage == smtptest.StageRcpt && refused[rcpt]:
					return &smtptest.Fault{Code: 550, Text: "5.1.1 no such user"}
				case stage == smtptest.StageData && k%29 == 0:
					return &smtptest.Fault{Code: 451, Text: "4.3.0 queue full"}
				case stage == smtptest.StageMail && k%53 == 0:
					return &smtptest.Fault{Drop: true}
				}
				return nil
			}})
			e := f.engine(t, smtpTo(t, srv, 2*time.Second), f.fastConfig(3))
			if _, err := e.Start(ctx, f.issue.ID); err != nil {
				t.Fatal(err)
			}
			sum, err := e.Run(ctx, f.issue.ID)
			if err != nil || sum.Status != newsletter.Sent {
				t.Fatalf("run: %v, %s %+v", err, sum.Status, sum.Counts)
			}
			perRcpt, dup := copies(srv.Messages())
			if dup != 0 || len(perRcpt) != 195 || said421.Load() != 1 {
				t.Fatalf("%d recipients, %d duplicates, %d 421s; want 195, 0, 1", len(perRcpt), dup, said421.Load())
			}
			for rc, k := range perRcpt {
				if k != 1 || refused[rc] {
					t.Errorf("%s got %d different Message-IDs", rc, k)
				}
			}
			if c := sum.Counts; c.Sent != 195 || c.Failed != 5 || sum.Retried == 0 {
				t.Errorf("counts %+v, %d retried", c, sum.Retried)
			}
			failed, _ := f.st.Deliveries(ctx, store.DeliveryFilter{IssueID: f.issue.ID, Status: ledger.DeliveryFailed})
			for _, d := range failed {
				if !refused[d.Email] || d.LastCode != 550 || d.LastReply != "550 5.1.1 no such user (RCPT TO)" {
					t.Errorf("failed row %s: %d %q", d.Email, d.LastCode, d.LastReply)
				}
			}
		})
	}
}
