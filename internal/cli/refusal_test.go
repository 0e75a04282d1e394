package cli

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"masthead/internal/smtptest"
	"masthead/subscribers"
)

// planetWithReaders is setupPlanet with an article for 2009-07-10 and n
// subscribers r0@d0.example, r1@d1.example ...
func planetWithReaders(t *testing.T, db string, n int) {
	t.Helper()
	setupPlanet(t, db)
	runCLI(t, db, "Body.\n", "article", "add", "-", "--date", "2009-07-10", "--title", "Heat", "--section", "News")
	var csv strings.Builder
	csv.WriteString("email,name\n")
	for i := range n {
		fmt.Fprintf(&csv, "r%d@d%d.example,Reader %d\n", i, i, i)
	}
	if code, out, errs := runCLI(t, db, csv.String(), "subscriber", "import", "-"); code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}
}

// A relay without relay permission: issue send stops, says why and how to go
// on, issue status keeps saying it, and nobody is bounced; fixed, the send
// resumes and finishes.
func TestIssueSendPausesWhenTheRelayRefusesUs(t *testing.T) {
	db := newDB(t)
	planetWithReaders(t, db, 30)
	var fixed atomic.Bool
	srv, err := smtptest.Start(smtptest.Options{Inject: func(stage smtptest.Stage, _, rcpt string) *smtptest.Fault {
		if stage == smtptest.StageRcpt && !fixed.Load() {
			return &smtptest.Fault{Code: 554, Text: "5.7.1 <" + rcpt + ">: Relay access denied"}
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	smtp := "--smtp=smtp://" + srv.Addr + "?tls=none"
	code, out, errs := runCLI(t, db, "", "issue", "send", "--date", "2009-07-10", smtp)
	if code != 4 || !strings.Contains(out, "paused by masthead: the mail server refuses our mail") ||
		!strings.Contains(out, "Relay access denied") || !strings.Contains(out, "masthead issue resume --date 2009-07-10") {
		t.Fatalf("send: exit %d\n%s%s", code, out, errs)
	}
	if !strings.Contains(errs, "send paused: the mail server refuses our mail") {
		t.Errorf("the log does not say it: %s", errs)
	}
	if _, out, _ := runCLI(t, db, "", "issue", "status", "--date", "2009-07-10"); !strings.Contains(out, "paused") ||
		!strings.Contains(out, "paused by masthead:") || !strings.Contains(out, "queued     30") {
		t.Errorf("status: %s", out)
	}
	st := openStoreAt(t, db)
	counts, err := st.SubscriberCounts(context.Background(), 0)
	if err != nil || counts[subscribers.Active] != 30 {
		t.Fatalf("subscribers %v, %v; want 30 active", counts, err)
	}
	fixed.Store(true)
	if code, out, errs := runCLI(t, db, "", "issue", "resume", "--date", "2009-07-10"); code != 0 {
		t.Fatalf("resume: %d %s %s", code, out, errs)
	}
	if code, out, errs := runCLI(t, db, "", "issue", "send", "--date", "2009-07-10", smtp); code != 0 || !strings.Contains(out, "30 sent, 0 failed") {
		t.Fatalf("send after the fix: exit %d\n%s%s", code, out, errs)
	}
}

// A relay that refuses some domains' readers as unknown (its own mistake,
// interleaved with accepted mail, so nothing tells it from real bounces):
// one command undoes every suppression that send made, and the readers get
// the next issue.
func TestLiftEverySuppressionOfASend(t *testing.T) {
	db := newDB(t)
	planetWithReaders(t, db, 30)
	var broken atomic.Bool
	broken.Store(true)
	srv, err := smtptest.Start(smtptest.Options{Inject: func(stage smtptest.Stage, _, rcpt string) *smtptest.Fault {
		var n int
		fmt.Sscanf(rcpt, "r%d@", &n)
		if stage == smtptest.StageRcpt && broken.Load() && n%3 == 0 {
			return &smtptest.Fault{Code: 550, Text: "5.1.1 <" + rcpt + ">: mailbox unavailable"}
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	smtp := "--smtp=smtp://" + srv.Addr + "?tls=none"
	if code, out, errs := runCLI(t, db, "", "issue", "send", "--date", "2009-07-10", smtp, "--connections", "1"); code != 0 ||
		!strings.Contains(out, "20 sent, 10 failed") {
		t.Fatalf("send: exit %d\n%s%s", code, out, errs)
	}
	st := openStoreAt(t, db)
	ctx := context.Background()
	if c, _ := st.SubscriberCounts(ctx, 0); c[subscribers.Bounced] != 10 {
		t.Fatalf("after the send: %v; want 10 bounced", c)
	}
	// An address suppressed otherwise (a complaint) is not this send's.
	if err := st.Suppress(ctx, "r1@d1.example", subscribers.Complained, subscribers.ViaComplaint, "abuse report"); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, db, "", "subscriber", "lift", "--issue", "2009-07-10")
	if code != 0 || !strings.Contains(out, "lifted 10 suppressions its send made; 0 of their messages are queued again") ||
		!strings.Contains(out, "lifted r0@d0.example") || strings.Contains(out, "r1@d1.example") {
		t.Fatalf("lift: exit %d\n%s%s", code, out, errs)
	}
	if c, _ := st.SubscriberCounts(ctx, 0); c[subscribers.Active] != 29 || c[subscribers.Bounced] != 0 || c[subscribers.Complained] != 1 {
		t.Fatalf("after the lift: %v; want 29 active and the complaint kept", c)
	}
	_, show, _ := runCLI(t, db, "", "subscriber", "show", "r0@d0.example")
	if !strings.Contains(show, "lifted") || !strings.Contains(show, "bounce from the send of 2009-07-10 lifted") {
		t.Errorf("history: %s", show)
	}
	if _, out, _ := runCLI(t, db, "", "subscriber", "lift", "--issue", "2009-07-10"); !strings.Contains(out, "lifted 0 suppressions") {
		t.Errorf("second lift: %s", out)
	}
	// The next issue goes to them.
	broken.Store(false)
	runCLI(t, db, "Body.\n", "article", "add", "-", "--date", "2009-07-11", "--title", "Cooler", "--section", "News")
	if code, out, errs := runCLI(t, db, "", "issue", "send", "--date", "2009-07-11", smtp); code != 0 || !strings.Contains(out, "to 29 subscribers") {
		t.Fatalf("next send: exit %d\n%s%s", code, out, errs)
	}
	if code, _, errs := runCLI(t, db, "", "subscriber", "lift", "--issue", "2009-07-12"); code == 0 || !strings.Contains(errs, "no issue for 2009-07-12") {
		t.Errorf("lift of a missing issue: %d %s", code, errs)
	}
	if code, _, _ := runCLI(t, db, "", "subscriber", "lift", "r2@d2.example", "--issue", "2009-07-10"); code != 2 {
		t.Errorf("an address and --issue: exit %d, want 2", code)
	}
}
