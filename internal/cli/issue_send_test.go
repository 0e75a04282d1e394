package cli

import (
	"context"
	"strings"
	"testing"

	"masthead/internal/smtptest"
	"masthead/newsletter"
	"masthead/store"
)

// TestIssueSendCommands drives issue send, status, test, pause, resume,
// cancel and the outbox commands through Run.
func TestIssueSendCommands(t *testing.T) {
	db := newDB(t)
	setupPlanet(t, db)
	if code, _, errs := runCLI(t, db, "The council voted.\n", "article", "add", "-", "--date", "2009-07-09", "--title", "Bridge Vote", "--section", "News"); code != 0 {
		t.Fatal(errs)
	}
	for _, who := range []string{"lois@example.org", "clark@example.org", "jimmy@example.org"} {
		if code, _, errs := runCLI(t, db, "", "subscriber", "add", who); code != 0 {
			t.Fatal(errs)
		}
	}
	run := func(want int, args ...string) string {
		t.Helper()
		code, out, errs := runCLI(t, db, "", args...)
		if code != want {
			t.Fatalf("%v: exit %d, want %d\n%s%s", args, code, want, out, errs)
		}
		return out + errs
	}
	if out := run(1, "issue", "status", "--date", "2009-07-09"); !strings.Contains(out, "no issue for 2009-07-09") {
		t.Errorf("status before assembly: %s", out)
	}
	if out := run(0, "issue", "test", "--date", "2009-07-09", "--to", "editor@planet.example"); !strings.Contains(out, "to editor@planet.example via outbox") {
		t.Errorf("issue test: %s", out)
	}
	run(2, "issue", "test", "--date", "2009-07-09", "--to", "not an address")
	if out := run(0, "issue", "status", "--date", "2009-07-09"); !strings.Contains(out, "assembled") || !strings.Contains(out, "total      0") {
		t.Errorf("a test send touched the ledger: %s", out)
	}
	out := run(0, "issue", "send", "--date", "2009-07-09")
	if !strings.Contains(out, "to 3 subscribers via outbox") || !strings.Contains(out, "3 sent, 0 failed") {
		t.Errorf("issue send: %s", out)
	}
	if out := run(0, "issue", "send", "--date", "2009-07-09"); !strings.Contains(out, "already sent") {
		t.Errorf("second issue send: %s", out)
	}
	if out := run(1, "issue", "pause", "--date", "2009-07-09"); !strings.Contains(out, "is sent: cannot pause it") {
		t.Errorf("pause of a sent issue: %s", out)
	}
	list := run(0, "outbox", "list")
	if strings.Count(list, "@example.org") != 3 || !strings.Contains(list, "editor@planet.example") {
		t.Errorf("outbox list: %s", list)
	}
	if strings.Contains(list, "showing the newest") {
		t.Errorf("outbox list says more exist when it shows all: %s", list)
	}
	// A list the limit cuts says so on its last line.
	if short := run(0, "outbox", "list", "--limit", "2"); strings.Count(short, "\n") != 5 ||
		!strings.HasSuffix(short, "\nshowing the newest 2 of 4; --limit 4 shows more (0: all)\n") {
		t.Errorf("outbox list --limit 2:\n%s", short)
	}
	// The Subject is kept as sent, RFC 2047 encoded for its em dash; the
	// list shows it readable.
	if !strings.Contains(list, "— The Daily Planet, Vol. 3 No. 153") || strings.Contains(list, "=?UTF-8?") {
		t.Errorf("outbox list does not show the subject decoded: %s", list)
	}
	raw := run(0, "outbox", "show", "2")
	for _, h := range []string{"List-Unsubscribe:", "List-Unsubscribe-Post: List-Unsubscribe=One-Click", "Message-ID: <", "List-Id: <"} {
		if !strings.Contains(raw, h) {
			t.Errorf("outbox show lacks %q:\n%s", h, raw)
		}
	}
	run(1, "outbox", "show", "99")
	run(2, "outbox", "show", "x")
}

// TestIssueSendControl pauses, resumes and cancels a send over SMTP, and sees
// a refusing server's rows end failed with a non-zero exit.
func TestIssueSendControl(t *testing.T) {
	db := newDB(t)
	setupPlanet(t, db)
	runCLI(t, db, "Body.\n", "article", "add", "-", "--date", "2009-07-10", "--title", "Heat", "--section", "News")
	for _, who := range []string{"a@example.org", "b@example.org", "refused@example.org"} {
		runCLI(t, db, "", "subscriber", "add", who)
	}
	srv, err := smtptest.Start(smtptest.Options{Inject: func(stage smtptest.Stage, _, rcpt string) *smtptest.Fault {
		if stage == smtptest.StageRcpt && strings.HasPrefix(rcpt, "refused@") {
			return &smtptest.Fault{Code: 550, Text: "5.1.1 no such user"}
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	smtp := "--smtp=smtp://" + srv.Addr + "?tls=none"
	args := func(a ...string) []string { return append(a, "--date", "2009-07-10", smtp) }

	// Assemble and start it, then pause it before any worker runs.
	st := openStoreAt(t, db)
	if code, _, errs := runCLI(t, db, "", args("issue", "test", "--to", "ed@planet.example")...); code != 0 {
		t.Fatal(errs)
	}
	iss := mustIssue(t, st)
	if _, err := st.StartSend(context.Background(), iss, newsletter.Statuses(newsletter.IssueStatus.EditorCanStart), ""); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runCLI(t, db, "", args("issue", "pause")...); code != 0 || !strings.Contains(out, "paused") {
		t.Fatalf("pause: %d %s %s", code, out, errs)
	}
	if code, out, errs := runCLI(t, db, "", args("issue", "resume")...); code != 0 || !strings.Contains(out, "sending") {
		t.Fatalf("resume: %d %s %s", code, out, errs)
	}
	code, out, errs := runCLI(t, db, "", args("issue", "send")...)
	if code != 0 || !strings.Contains(out, "2 sent, 1 failed") {
		t.Fatalf("send: exit %d\n%s%s", code, out, errs)
	}
	if _, out, _ := runCLI(t, db, "", args("issue", "status")...); !strings.Contains(out, "refused@example.org: 550 5.1.1 no such user") {
		t.Errorf("status does not show the failure: %s", out)
	}
	if srv.Count() != 3 { // two subscribers and the test
		t.Errorf("server got %d messages", srv.Count())
	}
	if code, _, _ := runCLI(t, db, "", args("issue", "cancel")...); code != 1 {
		t.Errorf("cancel of a sent issue: exit %d", code)
	}
}

// mustIssue is the ID of the only issue in st.
func mustIssue(t *testing.T, st *store.Store) int64 {
	t.Helper()
	list, err := st.Issues(context.Background(), store.IssueFilter{})
	if err != nil || len(list) != 1 {
		t.Fatalf("issues: %v, %v", list, err)
	}
	return list[0].ID
}

// Counts read as English (1 article, 1 subscriber) and issue list shows
// each subject whole, however long.
func TestOneOfEachAndWholeSubjects(t *testing.T) {
	db := newDB(t)
	setupPlanet(t, db)
	must := func(stdin string, args ...string) string {
		t.Helper()
		code, out, errs := runCLI(t, db, stdin, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, code, out, errs)
		}
		return out
	}
	must("", "publication", "set", "the-daily-planet", "--name", "The Daily Planet and Metropolis Evening Chronicle")
	must("Body.\n", "article", "add", "-", "--date", "2009-07-09", "--title", "Bridge", "--section", "News")
	if out := must("", "issue", "assemble", "--date", "2009-07-09"); !strings.Contains(out, ", 1 article (assembled)") {
		t.Errorf("assemble: %s", out)
	}
	must("", "subscriber", "add", "lois@example.org")
	if out := must("", "issue", "send", "--date", "2009-07-09"); !strings.Contains(out, "to 1 subscriber via outbox") {
		t.Errorf("send: %s", out)
	}
	st := openStoreAt(t, db)
	p, err := st.PublicationBySlug(context.Background(), "the-daily-planet")
	if err != nil {
		t.Fatal(err)
	}
	iss, err := st.IssueByDate(context.Background(), p.ID, newsletter.Date{Year: 2009, Month: 7, Day: 9})
	if err != nil {
		t.Fatal(err)
	}
	if len(iss.Subject) <= 70 {
		t.Fatalf("the subject %q is too short to show the clipping", iss.Subject)
	}
	if out := must("", "issue", "list"); !strings.Contains(out, iss.Subject+"\n") {
		t.Errorf("issue list does not show the whole subject %q:\n%s", iss.Subject, out)
	}
}
