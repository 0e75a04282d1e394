package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"masthead/internal/testenv"
	"masthead/ledger"
	"masthead/newsletter"
	"masthead/store"
	"masthead/store/storetest"
)

// Three worker processes share one send to 20,000 subscribers through an SMTP
// server that takes 5 ms over each reply. One is killed with SIGKILL in the
// middle; the other two take over the rows it held once their leases run out.
// Every subscriber gets the issue, and no more than the killed worker's
// in-flight bound (connections + record batch) get it twice.
func TestWorkersShareASendOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("20,000 messages through three processes")
	}
	const (
		subscriberCount = 20000
		connections     = 8
		recordBatch     = 32 // delivery's default Config.RecordBatch
		lease           = 3 * time.Second
	)
	begin := time.Now()
	dsn := testenv.Postgres(t)
	bins := buildBinaries(t)
	bin := filepath.Join(bins, "masthead")
	t.Logf("built masthead in %v", time.Since(begin).Round(time.Millisecond))
	st := storetest.OpenDSN(t, dsn)
	iss := seedSend(t, st, dsn, subscriberCount)
	t.Logf("seeded %d subscribers and started the send after %v", subscriberCount, time.Since(begin).Round(time.Millisecond))
	srv := startSink(t, bins, 5*time.Millisecond)

	dir := t.TempDir()
	logs := make([]string, 3)
	for i := range logs {
		logs[i] = filepath.Join(dir, fmt.Sprintf("worker%d.log", i))
	}
	args := []string{"--connections", fmt.Sprint(connections), "--lease", lease.String()}
	victim := startWorker(t, bin, dsn, srv.Addr, logs[0], args...)
	others := []*exec.Cmd{startWorker(t, bin, dsn, srv.Addr, logs[1], args...), startWorker(t, bin, dsn, srv.Addr, logs[2], args...)}

	// Kill the first worker once the send is well under way.
	ctx := context.Background()
	started := time.Now()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		c, err := st.Counts(ctx, iss.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Sent >= subscriberCount/4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d messages sent after 3 minutes\n%s", c.Sent, tail(logs[0]))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := victim.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	victim.Wait()
	killed, err := st.Counts(ctx, iss.ID)
	if err != nil {
		t.Fatal(err)
	}
	killedAt := killed.Sent

	// The rows it held: sending, under its name ("host/pid/random").
	host, _ := os.Hostname()
	prefix := fmt.Sprintf("%s/%d/", host, victim.Process.Pid)
	held, err := st.Deliveries(ctx, store.DeliveryFilter{IssueID: iss.ID, Status: ledger.DeliverySending})
	if err != nil {
		t.Fatal(err)
	}
	var orphans []*ledger.Delivery
	for _, d := range held {
		if strings.HasPrefix(d.LeaseOwner, prefix) {
			orphans = append(orphans, d)
		}
	}
	if len(orphans) == 0 {
		t.Fatalf("the killed worker held no rows (%d rows sending)", len(held))
	}

	t.Logf("killed worker %d after %d messages, %v into the send", victim.Process.Pid, killedAt, time.Since(started).Round(time.Millisecond))
	for i, c := range others {
		waitExit(t, c, 5*time.Minute, logs[i+1])
	}
	msgs := srv.stop(t)
	t.Logf("the others finished %v into the send; %d messages", time.Since(started).Round(time.Millisecond), len(msgs))
	if t.Failed() {
		t.FailNow()
	}

	c, err := st.Counts(ctx, iss.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Sent != subscriberCount || c.Pending() != 0 {
		t.Errorf("ledger after the send: %+v", c)
	}
	if status, err := st.IssueStatus(ctx, iss.ID); err != nil || status != newsletter.Sent {
		t.Errorf("issue is %s (%v), want sent", status, err)
	}
	copies := copiesPerRecipient(msgs)
	missing, dups := 0, 0
	for i := range subscriberCount {
		switch n := copies[readerAddr(i)]; {
		case n == 0:
			missing++
		case n > 1:
			dups += n - 1
		}
	}
	if missing > 0 {
		t.Errorf("%d subscribers got no copy", missing)
	}
	if bound := connections + recordBatch; dups > bound {
		t.Errorf("%d duplicate copies, more than the killed worker's in-flight bound %d", dups, bound)
	}
	// The others sent the killed worker's rows, and only after its leases ran out.
	for _, o := range orphans {
		d, err := st.DeliveryByID(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != ledger.DeliverySent {
			t.Errorf("row %d of the killed worker is %s", d.ID, d.Status)
		} else if d.AcceptedAt.Before(o.LeaseUntil) {
			t.Errorf("row %d of the killed worker was sent at %v, before its lease ran out at %v", d.ID, d.AcceptedAt, o.LeaseUntil)
		}
	}
	t.Logf("killed worker %d after %d messages recorded, holding %d rows; %d messages in all, %d duplicates",
		victim.Process.Pid, killedAt, len(orphans), len(msgs), dups)
}

func TestWorkerRefusesBadFlags(t *testing.T) {
	db := newDB(t)
	for _, args := range [][]string{
		{"--connections", "0"},
		{"--lease", "10ms"},
		{"--rate", "-1"},
		{"--domain-rate", "gmail.com"},
		{"--domain-rate", "gmail.com=0"},
		{"--domain-rate", "a@gmail.com=5"},
		{"extra"},
	} {
		code, _, errs := runCLI(t, db, "", append([]string{"worker"}, args...)...)
		if code != 2 || !strings.Contains(errs, "masthead worker:") {
			t.Errorf("worker %v: exit %d, stderr %q; want a usage error", args, code, errs)
		}
	}
}
