package delivery_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"masthead/delivery"
	"masthead/internal/smtptest"
	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
)

// The crash test's sending process: this test binary run again with these
// variables set, executing only TestCrashChild.
const (
	envCrashDB    = "MASTHEAD_CRASH_DB"
	envCrashSMTP  = "MASTHEAD_CRASH_SMTP"
	envCrashIssue = "MASTHEAD_CRASH_ISSUE"
)

// crashConns and crashBatch are the child's Connections and RecordBatch: a
// kill may duplicate at most crashConns+crashBatch messages.
const crashConns, crashBatch = 4, 16

// TestCrashResume sends an issue to 5,000 subscribers from a child process
// that is killed with SIGKILL at random moments, six times, and restarted
// each time. In the end every subscriber has the issue, and the duplicates
// are within the stated bound: (Connections + RecordBatch) per kill.
func TestCrashResume(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	ctx := context.Background()
	f := newFixture(t, 0)
	const n = 5000
	f.addSubscribers(t, 0, n, nil)
	srv := startServer(t, smtptest.Options{Discard: true})
	env := append(os.Environ(), envCrashDB+"="+f.path, envCrashSMTP+"="+srv.Addr,
		envCrashIssue+"="+strconv.FormatInt(f.issue.ID, 10))
	child := func() (*exec.Cmd, *bytes.Buffer) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		var out bytes.Buffer
		cmd.Env, cmd.Stdout, cmd.Stderr = env, &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &out
	}

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	kills := 0
	for kills < 6 {
		before := srv.Count()
		cmd, out := child()
		// Kill at a random moment: sometimes while starting up, mostly mid-send.
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		deadline := time.After(time.Duration(100+rng.IntN(900)) * time.Millisecond)
		target := before + 50 + rng.IntN(600)
	wait:
		for srv.Count() < target {
			select {
			case err := <-exited:
				t.Fatalf("child exited before it was killed (%v):\n%s", err, out)
			case <-deadline:
				break wait
			case <-time.After(time.Millisecond):
			}
		}
		cmd.Process.Kill()
		<-exited // reaped: its pid is no longer alive for ReclaimDead
		kills++
		t.Logf("kill %d after %d messages (%d in all)", kills, srv.Count()-before, srv.Count())
	}
	cmd, out := child()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("last run: %v\n%s", err, out)
		}
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		t.Fatalf("last run did not finish:\n%s", out)
	}

	perRcpt, dup := copies(srv.Messages())
	if len(perRcpt) != n {
		t.Errorf("%d of %d subscribers got the issue", len(perRcpt), n)
	}
	for rc, c := range perRcpt {
		if c != 1 {
			t.Errorf("%s got %d different Message-IDs", rc, c)
		}
	}
	bound := kills * (crashConns + crashBatch)
	t.Logf("%d messages for %d subscribers: %d duplicates after %d kills (bound %d)", srv.Count(), n, dup, kills, bound)
	if dup > bound {
		t.Errorf("%d duplicates, more than %d", dup, bound)
	}
	if st, _ := f.st.IssueStatus(ctx, f.issue.ID); st != newsletter.Sent {
		t.Errorf("issue is %s", st)
	}
	if c, _ := f.st.Counts(ctx, f.issue.ID); c.Sent != n {
		t.Errorf("ledger %+v", c)
	}
}

// TestCrashChild is TestCrashResume's sending process.
func TestCrashChild(t *testing.T) {
	db := os.Getenv(envCrashDB)
	if db == "" {
		t.Skip("run by TestCrashResume")
	}
	ctx := context.Background()
	issueID, _ := strconv.ParseInt(os.Getenv(envCrashIssue), 10, 64)
	st, err := store.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	smtp, err := delivery.ParseSMTPURL("smtp://" + os.Getenv(envCrashSMTP) + "?tls=none&timeout=5s")
	if err != nil {
		t.Fatal(err)
	}
	e, err := delivery.New(st, delivery.NewSMTP(smtp, nil), delivery.Config{
		Connections: crashConns, RecordBatch: crashBatch,
		Lease:       3 * time.Second,
		RecordEvery: 50 * time.Millisecond,
		Poll:        50 * time.Millisecond,
		BaseURL:     testBaseURL,
		Signer:      subscribers.NewSigner([]byte(testSecret)),
		ReclaimDead: true,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Start(ctx, issueID); err != nil {
		t.Fatal(err)
	}
	sum, err := e.Run(ctx, issueID)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Status != newsletter.Sent {
		t.Fatalf("run ended with the issue %s: %+v", sum.Status, sum.Counts)
	}
}
