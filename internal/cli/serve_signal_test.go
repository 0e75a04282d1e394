package cli

import (
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"masthead/internal/smtptest"
	"masthead/internal/testenv"
)

// The first SIGINT asks serve to stop cleanly, and it waits for the messages
// in flight; when the server it sends to hangs, a second SIGINT ends the
// process at once instead of leaving the operator with one that ignores them.
func testServeSecondSignal(t *testing.T, bin string) {
	var stalled atomic.Int64
	srv, err := smtptest.Start(smtptest.Options{Inject: func(stage smtptest.Stage, _, _ string) *smtptest.Fault {
		if stage == smtptest.StageData {
			stalled.Add(1)
			return &smtptest.Fault{Stall: 10 * time.Minute}
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	db := newDB(t)
	st := openStoreAt(t, db)
	servePublication(t, st, 5)
	at := time.Now().Add(time.Second).Truncate(time.Second)
	if code, out, errs := runCLI(t, db, "", "issue", "schedule", "--at", at.Format(time.RFC3339)); code != 0 {
		t.Fatalf("issue schedule: %d %q %q", code, out, errs)
	}
	s := startServe(t, bin, t.TempDir(), nil, "serve", "--db", db, "--smtp", "smtp://"+srv.Addr+"?tls=none",
		"--no-sample", "--connections", "2", "--addr", testenv.Addr(testenv.FreePort(t)))
	deadline := time.Now().Add(30 * time.Second)
	for stalled.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if stalled.Load() == 0 {
		t.Fatalf("no message reached DATA within 30s\n%s", s.log())
	}

	s.cmd.Process.Signal(os.Interrupt)
	deadline = time.Now().Add(10 * time.Second)
	for !strings.Contains(s.log(), "shutting down") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case code := <-s.done:
		t.Fatalf("serve exited %d on the first SIGINT with a message in flight to a hung server\n%s", code, s.log())
	case <-time.After(time.Second):
	}
	if !strings.Contains(s.log(), "a second Ctrl-C stops at once") {
		t.Errorf("the shutdown log does not say how to stop at once:\n%s", s.log())
	}

	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
		ws, ok := s.cmd.ProcessState.Sys().(syscall.WaitStatus)
		if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGINT {
			t.Errorf("after the second SIGINT: %v; want ended by the signal", s.cmd.ProcessState)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("serve still running 10s after a second SIGINT\n%s", s.log())
	}
}
