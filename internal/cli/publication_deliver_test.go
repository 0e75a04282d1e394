package cli

import (
	"bytes"
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"
)

// runCLIAt is runCLI with the clock at now.
func runCLIAt(t *testing.T, db string, now time.Time, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, Env{
		Getenv: testGetenv(map[string]string{"MASTHEAD_DB": db}),
		Stdin:  strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Now: func() time.Time { return now },
	})
	return code, out.String(), errb.String()
}

// setReaderZones gives the subscribers by email their time zones (no
// command writes them yet).
func setReaderZones(t *testing.T, db string, zones map[string]string) {
	t.Helper()
	raw, err := sql.Open("sqlite3", "file:"+db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for email, z := range zones {
		if res, err := raw.Exec(`UPDATE subscribers SET timezone = ? WHERE email = ?`, z, email); err != nil {
			t.Fatal(err)
		} else if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("no subscriber %s", email)
		}
	}
}

func TestPublicationDeliverLocal(t *testing.T) {
	db := newDB(t)
	// Thursday 22 October 2026, 06:00 in Los Angeles: Europe's clocks go
	// back on Sunday the 25th, America's not before 1 November.
	now := time.Date(2026, 10, 22, 13, 0, 0, 0, time.UTC)
	code, out, errs := runCLIAt(t, db, now, "publication", "set", "--name", "The Daily Planet", "--from", "news@planet.example",
		"--address", "Metropolis", "--timezone", "America/Los_Angeles", "--schedule", "0 7 * * *")
	if code != 0 {
		t.Fatalf("publication set: %d %s %s", code, out, errs)
	}
	for _, e := range []string{"la1@x.example", "la2@x.example", "ldn1@x.example", "ldn2@x.example", "ldn3@x.example",
		"tyo@x.example", "nyc@x.example", "yyz@x.example"} {
		if code, _, errs := runCLIAt(t, db, now, "subscriber", "add", e); code != 0 {
			t.Fatalf("subscriber add %s: %s", e, errs)
		}
	}
	setReaderZones(t, db, map[string]string{"ldn1@x.example": "Europe/London", "ldn2@x.example": "Europe/London",
		"ldn3@x.example": "Europe/London", "tyo@x.example": "Asia/Tokyo", "nyc@x.example": "America/New_York",
		"yyz@x.example": "America/Toronto", "la2@x.example": "America/Los_Angeles"})

	// Released at 07:00, after the readers' 06:00: refused, nothing saved.
	code, _, errs = runCLIAt(t, db, now, "publication", "set", "--deliver", "local", "--local-time", "06:00")
	want := "publication the-daily-planet not saved: the schedule releases at 07:00 America/Los_Angeles, after the readers' 06:00: " +
		"readers in America/Los_Angeles would get each issue the next day; release earlier (--schedule '0 5 * * *') or set --local-time 07:00 or later"
	if code == 0 || !strings.Contains(errs, want) {
		t.Fatalf("a release after the local time: exit %d, stderr %q\nwant %q", code, errs, want)
	}
	if _, out, _ := runCLIAt(t, db, now, "publication", "show"); !strings.Contains(out, "deliver:                 at-once") {
		t.Fatalf("the refused setting was saved:\n%s", out)
	}

	code, out, errs = runCLIAt(t, db, now, "publication", "set", "--deliver", "local", "--local-time", "06:00", "--schedule", "0 5 * * *")
	if code != 0 {
		t.Fatalf("deliver local: %d %s", code, errs)
	}
	// Zones ahead get it the next morning; London's clocks go back between
	// the first release and the second: 17h, then 18h after release.
	plan := `each reader gets the issue at 06:00 on their own clock (8 readers in 5 zones):
release Fri 23 Oct 05:00 America/Los_Angeles, the issue of 2026-10-23:
  America/Los_Angeles (2 readers): Fri 23 Oct 06:00, 1h after release
  Asia/Tokyo (1 reader): Sat 24 Oct 06:00, 9h after release, the morning after the issue's date
  Europe/London (3 readers): Sat 24 Oct 06:00, 17h after release, the morning after the issue's date
  America/New_York, America/Toronto (2 readers): Sat 24 Oct 06:00, 22h after release, the morning after the issue's date
release Sat 24 Oct 05:00 America/Los_Angeles, the issue of 2026-10-24:
  America/Los_Angeles (2 readers): Sat 24 Oct 06:00, 1h after release
  Asia/Tokyo (1 reader): Sun 25 Oct 06:00, 9h after release, the morning after the issue's date
  Europe/London (3 readers): Sun 25 Oct 06:00, 18h after release, the morning after the issue's date
  America/New_York, America/Toronto (2 readers): Sun 25 Oct 06:00, 22h after release, the morning after the issue's date
release Sun 25 Oct 05:00 America/Los_Angeles, the issue of 2026-10-25: as the day before
release Mon 26 Oct 05:00 America/Los_Angeles, the issue of 2026-10-26: as the day before
release Tue 27 Oct 05:00 America/Los_Angeles, the issue of 2026-10-27: as the day before
`
	if want := "updated publication the-daily-planet (The Daily Planet)\n" + plan; out != want {
		t.Errorf("publication set printed:\n%s\nwant:\n%s", out, want)
	}
	code, out, errs = runCLIAt(t, db, now, "publication", "show")
	if code != 0 {
		t.Fatalf("show: %s", errs)
	}
	for _, s := range []string{"deliver:                 local\n", "local-time:              06:00\n", plan} {
		if !strings.Contains(out, s) {
			t.Errorf("publication show lacks %q:\n%s", s, out)
		}
	}
	if _, out, _ := runCLIAt(t, db, now, "publication", "list"); !strings.Contains(out, "local 06:00") {
		t.Errorf("publication list lacks the delivery:\n%s", out)
	}

	// --local-time "" is the schedule's time of day again; back to at once,
	// no plan.
	code, out, errs = runCLIAt(t, db, now, "publication", "set", "--local-time", "")
	if code != 0 || !strings.Contains(out, "each reader gets the issue at 05:00 on their own clock") {
		t.Errorf("--local-time \"\": %d %s %s", code, out, errs)
	}
	code, out, errs = runCLIAt(t, db, now, "publication", "set", "--deliver", "at-once")
	if code != 0 || strings.Contains(out, "each reader") {
		t.Errorf("--deliver at-once: %d %s %s", code, out, errs)
	}
	if _, out, _ := runCLIAt(t, db, now, "publication", "show"); strings.Contains(out, "each reader") || !strings.Contains(out, "local-time:              - (the schedule's time of day)") {
		t.Errorf("show of an at-once publication:\n%s", out)
	}
	for _, c := range [][]string{{"--deliver", "sometimes"}, {"--deliver", "local", "--local-time", "25:00"}} {
		if code, _, errs := runCLIAt(t, db, now, append([]string{"publication", "set"}, c...)...); code == 0 || !strings.Contains(errs, c[len(c)-1]) {
			t.Errorf("%v: exit %d, %s", c, code, errs)
		}
	}
}
