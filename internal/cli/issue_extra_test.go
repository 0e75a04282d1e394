package cli

import (
	"strings"
	"testing"
)

// TestIssueExtraCommands is an editor's breaking news from the command
// line: beside a sent daily issue, 'issue extra' adds an edition, 'article
// add --edition 1' gives it its story, and 'issue send --edition 1' sends
// it to each subscriber once; 'issue send --date D' still means the daily,
// which is not sent again.
func TestIssueExtraCommands(t *testing.T) {
	db := newDB(t)
	setupPlanet(t, db)
	run := func(want int, stdin string, args ...string) string {
		t.Helper()
		code, out, errs := runCLI(t, db, stdin, args...)
		if code != want {
			t.Fatalf("%v: exit %d, want %d\n%s%s", args, code, want, out, errs)
		}
		return out + errs
	}
	run(0, "The council voted.\n", "article", "add", "-", "--date", "2009-07-09", "--title", "Bridge Vote", "--section", "News")
	for _, who := range []string{"lois@example.org", "clark@example.org", "jimmy@example.org"} {
		run(0, "", "subscriber", "add", who)
	}
	if out := run(0, "", "issue", "send", "--date", "2009-07-09"); !strings.Contains(out, "3 sent, 0 failed") {
		t.Fatalf("daily send: %s", out)
	}
	if out := run(1, "", "article", "add", "-", "--date", "2009-07-09", "--edition", "1", "--title", "Too soon"); !strings.Contains(out, "has no extra edition 1") {
		t.Errorf("article of a missing extra: %s", out)
	}
	out := run(0, "", "issue", "extra", "--date", "2009-07-09", "--title", "Breaking news", "--subject", "Bridge closed")
	if !strings.Contains(out, "edition 1, Volume 3, Number 153 — Breaking news (Number 153-B)") || !strings.Contains(out, `subject "Bridge closed"`) {
		t.Errorf("issue extra: %s", out)
	}
	run(0, "The bridge is closed until further notice.\n", "article", "add", "-", "--date", "2009-07-09", "--edition", "1", "--title", "Bridge Closed")
	if out := run(0, "", "issue", "preview", "--date", "2009-07-09", "--edition", "1", "--format", "text"); !strings.Contains(out, "Number 153 — Breaking news") ||
		!strings.Contains(out, "Bridge Closed") || strings.Contains(out, "Bridge Vote") {
		t.Errorf("preview of the extra:\n%s", out)
	}
	if out := run(0, "", "issue", "send", "--date", "2009-07-09", "--edition", "1"); !strings.Contains(out, "to 3 subscribers via outbox") || !strings.Contains(out, "3 sent, 0 failed") {
		t.Errorf("extra send: %s", out)
	}
	if out := run(0, "", "issue", "send", "--date", "2009-07-09"); !strings.Contains(out, "already sent") || !strings.Contains(out, "total      3") {
		t.Errorf("issue send without --edition: %s", out)
	}
	if out := run(0, "", "issue", "status", "--date", "2009-07-09", "--edition", "1"); !strings.Contains(out, "the-daily-planet 2009-07-09-extra-1: Volume 3, Number 153 — Breaking news — sent") {
		t.Errorf("status of the extra: %s", out)
	}
	list := run(0, "", "outbox", "list")
	if n := strings.Count(list, "Bridge closed"); n != 3 {
		t.Errorf("outbox has %d copies of the extra, want 3:\n%s", n, list)
	}
	for _, who := range []string{"lois@", "clark@", "jimmy@"} {
		if n := strings.Count(list, who); n != 2 {
			t.Errorf("%s has %d messages, want the daily and the extra:\n%s", who, n, list)
		}
	}
	if out := run(0, "", "issue", "list"); !strings.Contains(out, "153-B") {
		t.Errorf("issue list: %s", out)
	}
}
