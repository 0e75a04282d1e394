package cli

import (
	"mime"
	"net/mail"
	"strings"
	"testing"
)

// TestIssueSubject is an editor's subject line from the command line: by
// default the lead headline, then the publication's own template, then one
// issue's own subject and back, in the preview and in what is sent; frozen
// once sent; a template with a typo refused, naming the placeholder.
func TestIssueSubject(t *testing.T) {
	db := newDB(t)
	setupPlanet(t, db)
	if code, _, errs := runCLI(t, db, "Peres visited Baku.\n", "article", "add", "-", "--date", "2009-07-09",
		"--title", "Peres frustrates Iran in Azerbaijan", "--section", "News"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := runCLI(t, db, "", "subscriber", "add", "lois@example.org"); code != 0 {
		t.Fatal(errs)
	}
	subject := func() string {
		t.Helper()
		code, out, errs := runCLI(t, db, "", "issue", "preview", "--date", "2009-07-09", "--format", "eml")
		if code != 0 {
			t.Fatal(errs)
		}
		msg, err := mail.ReadMessage(strings.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		s, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if got, want := subject(), "Peres frustrates Iran in Azerbaijan — The Daily Planet, Vol. 3 No. 153"; got != want {
		t.Errorf("default subject %q, want %q", got, want)
	}

	code, _, errs := runCLI(t, db, "", "publication", "set", "--subject-template", "{headline} — {nmae}")
	if code == 0 || !strings.Contains(errs, "subject-template: unknown placeholder {nmae}") || strings.Contains(errs, "subject template") {
		t.Errorf("bad template: exit %d %s", code, errs)
	}
	if code, _, errs := runCLI(t, db, "", "publication", "set", "--subject-template", "{headline} — DP, Vol. {volume} No. {number}"); code != 0 {
		t.Fatal(errs)
	}
	if got, want := subject(), "Peres frustrates Iran in Azerbaijan — DP, Vol. 3 No. 153"; got != want {
		t.Errorf("template subject %q, want %q", got, want)
	}
	if _, out, _ := runCLI(t, db, "", "publication", "show"); !strings.Contains(out, "{headline} — DP, Vol. {volume} No. {number}") {
		t.Errorf("publication show lacks the template:\n%s", out)
	}

	if code, out, errs := runCLI(t, db, "", "issue", "subject", "--date", "2009-07-09", "Iran", "protests", "Peres's", "visit"); code != 0 || !strings.Contains(out, "Iran protests Peres's visit") {
		t.Fatalf("issue subject: exit %d %s%s", code, out, errs)
	}
	if got := subject(); got != "Iran protests Peres's visit" {
		t.Errorf("own subject %q", got)
	}
	// Editing the articles and assembling again keeps the editor's subject.
	if code, _, errs := runCLI(t, db, "", "issue", "assemble", "--date", "2009-07-09"); code != 0 {
		t.Fatal(errs)
	}
	if _, out, _ := runCLI(t, db, "", "issue", "subject", "--date", "2009-07-09"); strings.TrimSpace(out) != "Iran protests Peres's visit" {
		t.Errorf("after assembling again: %q", out)
	}
	if code, out, errs := runCLI(t, db, "", "issue", "subject", "--date", "2009-07-09", "--default"); code != 0 || !strings.Contains(out, "— DP, Vol. 3 No. 153") {
		t.Fatalf("issue subject --default: exit %d %s%s", code, out, errs)
	}
	if code, _, errs := runCLI(t, db, "", "issue", "subject", "--date", "2009-07-09", "Sent as this, a subject line longer than the sixty columns a list used to keep"); code != 0 {
		t.Fatal(errs)
	}
	if code, out, errs := runCLI(t, db, "", "issue", "send", "--date", "2009-07-09"); code != 0 {
		t.Fatalf("issue send: %s%s", out, errs)
	}
	_, raw, _ := runCLI(t, db, "", "outbox", "show", "1", "--format", "raw")
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if got := msg.Header.Get("Subject"); got != "Sent as this, a subject line longer than the sixty columns a list used to keep" {
		t.Errorf("sent with subject %q", got)
	}
	if _, out, _ := runCLI(t, db, "", "outbox", "list"); !strings.Contains(out, "Sent as this, a subject line longer than the sixty columns a list used to keep") {
		t.Errorf("outbox list cuts the subject:\n%s", out)
	}
	if _, out, _ := runCLI(t, db, "", "issue", "list"); !strings.Contains(out, "Sent as this, a subject line longer than the sixty columns a list used to keep") {
		t.Errorf("issue list:\n%s", out)
	}
	code, _, errs = runCLI(t, db, "", "issue", "subject", "--date", "2009-07-09", "Too late")
	if code == 0 || !strings.Contains(errs, "its send has started") {
		t.Errorf("subject after the send: exit %d %s", code, errs)
	}
}
