package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"masthead/internal/smtptest"
	"masthead/internal/testenv"
	"masthead/newsletter"
	"masthead/store"
)

// A send goes out through the transport it was started with, whichever
// process could claim its rows: with the README's serve running on the
// built-in outbox, `issue send --smtp` to a dead server leaves every row
// queued (serve leaves the issue alone and says so once), `issue send` with
// another server refuses and names both, and after a pause the send moves to
// the live server, where every message arrives; the outbox gets none.
func TestIssueSendKeepsItsTransport(t *testing.T) {
	db := newDB(t)
	st := openStoreAt(t, db)
	p, d := servePublication(t, st, 3)
	srv := serveInProcess(t, db)
	defer srv.stop(t)

	dead := "smtp://" + testenv.Addr(testenv.FreePort(t)) + "?tls=none"
	// Interrupted (as by Ctrl-C) once the send has started and met the dead
	// server, however long assembling took on a busy machine.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	out := &lockedBuf{}
	go func() {
		defer cancel()
		for !strings.Contains(out.String(), "cannot connect to") && ctx.Err() == nil {
			time.Sleep(20 * time.Millisecond)
		}
	}()
	code := Run(ctx, []string{"issue", "send", "--date", d.String(), "--smtp", dead}, Env{
		Getenv: testGetenv(map[string]string{"MASTHEAD_DB": db}),
		Stdin:  strings.NewReader(""), Stdout: out, Stderr: out})
	cancel()
	if code != 4 {
		t.Fatalf("issue send to a dead server, interrupted: exit %d, want 4\n%s", code, out.String())
	}
	iss, err := st.IssueByDate(context.Background(), p.ID, d)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond) // serve's workers look every second
	outbox := func() int {
		t.Helper()
		msgs, err := st.Outbox(context.Background(), store.OutboxFilter{IssueID: iss.ID})
		if err != nil {
			t.Fatal(err)
		}
		return len(msgs)
	}
	if n := outbox(); n != 0 {
		t.Fatalf("serve put %d messages of a send started via %s in its outbox\n%s", n, dead, srv.log())
	}
	if c, _ := st.Counts(context.Background(), iss.ID); c.Queued != 3 {
		t.Errorf("counts after the interrupted send: %+v; want 3 queued", c)
	}
	if n := strings.Count(srv.log(), "issue is sending via another transport"); n != 1 {
		t.Errorf("serve logged leaving the issue %d times, want once\n%s", n, srv.log())
	}

	live, err := smtptest.Start(smtptest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	liveURL := "--smtp=smtp://" + live.Addr + "?tls=none"
	code, stdout, errs := runCLI(t, db, "", "issue", "send", "--date", d.String(), liveURL)
	if code != 1 || !strings.Contains(errs, "already sending via smtp://127.0.0.1:") ||
		!strings.Contains(errs, "this command sends via smtp://"+live.Addr) {
		t.Fatalf("issue send with another server: exit %d, want 1 and both transports named\n%s%s", code, stdout, errs)
	}
	if code, _, errs := runCLI(t, db, "", "issue", "pause", "--date", d.String()); code != 0 {
		t.Fatal(errs)
	}
	code, stdout, errs = runCLI(t, db, "", "issue", "send", "--date", d.String(), liveURL)
	if code != 0 || !strings.Contains(stdout, "resuming") || !strings.Contains(stdout, "3 sent") {
		t.Fatalf("issue send after a pause: exit %d\n%s%s", code, stdout, errs)
	}
	if live.Count() != 3 || outbox() != 0 {
		t.Errorf("the SMTP server got %d messages and the outbox %d; want 3 and 0", live.Count(), outbox())
	}
	waitStatus(t, st, iss.ID, newsletter.Sent, 5*time.Second, srv.log)
}

// With no server listening, issue send says once what is wrong and that
// nothing is lost, counts the waiting rows as retrying, and with --give-up
// stops waiting and exits 4 with every row still queued.
func TestIssueSendUnreachableServer(t *testing.T) {
	db := newDB(t)
	st := openStoreAt(t, db)
	p, d := servePublication(t, st, 3)
	addr := testenv.Addr(testenv.FreePort(t))
	code, out, errs := runCLI(t, db, "", "issue", "send", "--date", d.String(), "--smtp", "smtp://"+addr+"?tls=none", "--give-up", "2s")
	if code != 4 {
		t.Fatalf("exit %d, want 4\n%s%s", code, out, errs)
	}
	want := "cannot connect to " + addr + ": connection refused; retrying in 1s (Ctrl-C to stop; nothing is lost)"
	if n := strings.Count(out, want); n != 1 {
		t.Errorf("the output has %q %d times, want once:\n%s", want, n, out)
	}
	for _, w := range []string{"gave up after 2s of waiting (cannot connect to " + addr, "3 rows stay queued", "3 pending (3 retrying) of 3"} {
		if !strings.Contains(out, w) {
			t.Errorf("the output lacks %q:\n%s", w, out)
		}
	}
	iss, err := st.IssueByDate(context.Background(), p.ID, d)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := st.Counts(context.Background(), iss.ID); c.Queued != 3 || iss.Status != newsletter.Sending {
		t.Errorf("after giving up: %s, %+v; want sending with 3 queued", iss.Status, c)
	}
	if code, _, errs := runCLI(t, db, "", "issue", "send", "--give-up", "0s"); code != 2 || !strings.Contains(errs, "--give-up must be positive") {
		t.Errorf("--give-up 0s: exit %d, %s", code, errs)
	}
}
