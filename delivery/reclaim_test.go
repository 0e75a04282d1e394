package delivery_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"masthead/internal/smtptest"
	"masthead/newsletter"
)

// A run already under way takes at once the rows of a process on this host
// that claimed them and died meanwhile (its pid is gone), rather than after
// their lease: here an hour.
func TestRunningSendReclaimsADeadOwnersRows(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 0)
	f.addSubscribers(t, 0, 40, nil)
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip("no process to spawn:", err)
	}
	host, _ := os.Hostname()
	deadOwner := fmt.Sprintf("%s/%d/0badc0de", host, dead.Process.Pid)

	srv := startServer(t, smtptest.Options{Latency: 5 * time.Millisecond})
	cfg := f.fastConfig(1)
	cfg.ClaimBatch = 10
	cfg.Lease = time.Hour
	cfg.ReclaimDead = true
	e := f.engine(t, smtpTo(t, srv, 5*time.Second), cfg)
	if _, err := e.Start(ctx, f.issue.ID); err != nil {
		t.Fatal(err)
	}
	// Once the run is sending, the "other process" claims rows and dies.
	claimed := make(chan int, 1)
	go func() {
		for srv.Count() < 3 {
			time.Sleep(time.Millisecond)
		}
		rows, err := f.st.Claim(ctx, f.issue.ID, deadOwner, e.Transport(), 15, time.Hour)
		if err != nil {
			t.Error(err)
		}
		claimed <- len(rows)
	}()
	start := time.Now()
	sum, err := e.Run(ctx, f.issue.ID)
	if err != nil || sum.Status != newsletter.Sent || sum.Counts.Sent != 40 {
		t.Fatalf("run: %v, %s %+v", err, sum.Status, sum.Counts)
	}
	if n := <-claimed; n == 0 {
		t.Fatal("the dead process claimed nothing")
	}
	if perRcpt, dup := copies(srv.Messages()); len(perRcpt) != 40 || dup != 0 {
		t.Errorf("%d recipients, %d duplicates", len(perRcpt), dup)
	}
	t.Logf("40 sent in %v, rows of the dead owner (lease 1h) included", time.Since(start).Round(time.Millisecond))
}
