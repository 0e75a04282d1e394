package cli

import (
	"strings"
	"testing"
	"time"
)

// The editor's schedule commands: a one-off time in the publication's zone,
// hold and release, a date with no articles scheduled, skipped, or held and
// released (which removes its placeholder: the skip policy), and refusals
// with the reason named.
func TestIssueScheduleCommands(t *testing.T) {
	db := newDB(t)
	setupPlanet(t, db) // America/New_York
	loc, _ := time.LoadLocation("America/New_York")
	d := time.Now().In(loc).AddDate(0, 0, 2).Format(time.DateOnly)
	d2 := time.Now().In(loc).AddDate(0, 0, 3).Format(time.DateOnly)
	d3 := time.Now().In(loc).AddDate(0, 0, 4).Format(time.DateOnly)
	if code, out, errs := runCLI(t, db, "Body.\n", "article", "add", "-", "--date", d, "--title", "Ahead", "--section", "News"); code != 0 {
		t.Fatalf("article add: %d %s %s", code, out, errs)
	}
	steps := []struct {
		args []string
		code int
		want string // in stdout on success, in stderr otherwise
	}{
		{[]string{"issue", "schedule", "--date", d, "--at", "09:30"}, 0, "scheduled, goes at " + d + " 09:30:00 E"},
		{[]string{"issue", "schedule", "--date", d, "--at", "9.30"}, 2, "--at: time \"9.30\""},
		{[]string{"issue", "schedule", "--date", d}, 2, "--at is required"},
		{[]string{"issue", "schedule", "--date", d, "--at", "2001-01-01T00:00:00Z"}, 1, "already passed"},
		{[]string{"issue", "schedule", "--date", d2, "--at", "09:30"}, 0, "scheduled, goes at " + d2 + " 09:30:00 E"}, // in advance, as hold and skip
		{[]string{"issue", "hold", "--date", d3}, 0, "— held"},
		{[]string{"issue", "release", "--date", d3}, 0, "released; the date has no ready articles, so it has no issue now"},
		{[]string{"issue", "release", "--date", d3}, 1, "no issue for " + d3},
		{[]string{"issue", "cancel", "--date", d}, 1, "is scheduled: cannot cancel it (nothing is being sent yet); to keep it from going out: 'masthead issue hold --date " + d},
		{[]string{"issue", "hold", "--date", d}, 0, "— held"},
		{[]string{"issue", "pause", "--date", d}, 1, "is held: cannot pause it (nothing is being sent); it stays held until 'masthead issue release --date " + d},
		{[]string{"issue", "unschedule", "--date", d}, 1, "is held"},
		{[]string{"issue", "release", "--date", d}, 0, "— scheduled, goes at " + d + " 09:30:00 E"}, // its time comes back
		{[]string{"issue", "release", "--date", d}, 1, "is scheduled"},
		{[]string{"issue", "unschedule", "--date", d}, 0, "— assembled"},
		{[]string{"issue", "skip", "--date", d2}, 0, "— skipped"},
		{[]string{"issue", "release", "--date", "2001-01-01"}, 1, "no issue for 2001-01-01"},
	}
	for _, s := range steps {
		code, out, errs := runCLI(t, db, "", s.args...)
		got := out
		if s.code != 0 {
			got = errs
		}
		if code != s.code || !strings.Contains(got, s.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d and %q", s.args, code, out, errs, s.code, s.want)
		}
	}
	_, out, _ := runCLI(t, db, "", "issue", "list")
	for _, want := range []string{d + " ", "assembled", d2 + " ", "skipped"} {
		if !strings.Contains(out, want) {
			t.Errorf("issue list lacks %q:\n%s", want, out)
		}
	}
	// The skipped date's placeholder is no article: ID DATE VOLUME NUMBER STATUS ARTICLES.
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 5 && f[1] == d2 && f[5] != "0" {
			t.Errorf("the skipped empty date lists %s articles:\n%s", f[5], out)
		}
	}
}
