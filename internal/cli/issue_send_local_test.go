package cli

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"masthead/store"
)

// issue send of a publication that delivers at each reader's hour does not
// sit for up to a day: it sends what is due, then, with only rows waiting
// for their readers' hour left, says when the next falls due, that serve or
// worker delivers them, and exits 0. issue status shows the same wait.
func TestIssueSendLeavesLocalTimeRowsToServe(t *testing.T) {
	ctx := context.Background()
	db := newDB(t)
	setupPlanet(t, db)
	// The hour is half an hour ago on a UTC clock: in every zone of whole
	// hours it is due at least half an hour from now, so nobody's row falls
	// due while the test runs, whenever it runs.
	hour := time.Now().UTC().Add(-30 * time.Minute).Format("15:04")
	raw := localTimePlanet(t, db, hour, map[string]string{"lois@example.org": "", "clark@example.org": "Europe/London", "jimmy@example.org": "Asia/Tokyo"})
	// nextAt is the next waiting group as the ledger has it: its time on
	// its zone's clock (the publication's for a reader with none).
	nextAt := func() string {
		t.Helper()
		var at int64
		var zone string
		err := raw.QueryRowContext(ctx, `SELECT d.next_attempt_at, s.timezone FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
			WHERE d.status = 'queued' ORDER BY d.next_attempt_at LIMIT 1`).Scan(&at, &zone)
		if err != nil {
			t.Fatal(err)
		}
		if zone == "" {
			zone = "America/New_York"
		}
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		tm := time.UnixMilli(at).In(loc)
		return tm.Format("15:04 ") + zone + tm.Format(", Mon 2 Jan")
	}
	// --give-up well short of anyone's hour: a send that waited for the
	// rows would give up (exit 4) rather than finish.
	send := func() string {
		t.Helper()
		code, out, errs := runCLI(t, db, "", "issue", "send", "--date", "2009-07-09", "--give-up", "30s")
		if code != 0 {
			t.Fatalf("issue send: exit %d, want 0\n%s%s", code, out, errs)
		}
		return out
	}

	out := send()
	for _, w := range []string{"sending the-daily-planet 2009-07-09", "3 waiting for local time",
		"started: 0 sent now, 3 wait for their readers' " + hour + " (next at " + nextAt() + "); 'masthead serve' (or 'masthead worker') sending via outbox delivers them at their hour"} {
		if !strings.Contains(out, w) {
			t.Errorf("issue send lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, "not finished") || strings.Contains(out, "gave up") {
		t.Errorf("issue send of rows that wait for their hour reads as a failure:\n%s", out)
	}
	code, out, errs := runCLI(t, db, "", "issue", "status", "--date", "2009-07-09")
	if want := "waiting for local time: 3 (next at " + nextAt() + ")\n"; code != 0 || !strings.Contains(out, want) {
		t.Errorf("issue status: exit %d, lacks %q:\n%s%s", code, want, out, errs)
	}

	// London's hour comes: its reader's row is due, the others still wait.
	if _, err := raw.ExecContext(ctx, `UPDATE deliveries SET next_attempt_at = 0
		WHERE subscriber_id = (SELECT id FROM subscribers WHERE email = 'clark@example.org')`); err != nil {
		t.Fatal(err)
	}
	out = send()
	if w := "started: 1 sent now, 2 wait for their readers' " + hour + " (next at " + nextAt() + ")"; !strings.Contains(out, w) {
		t.Errorf("issue send once London's hour came lacks %q:\n%s", w, out)
	}
	list, err := openStoreAt(t, db).Outbox(ctx, store.OutboxFilter{})
	if err != nil || len(list) != 1 || list[0].Recipient != "clark@example.org" {
		t.Fatalf("outbox after London's hour: %v, %v; want one message, to clark@example.org", list, err)
	}
	_, out, _ = runCLI(t, db, "", "issue", "status", "--date", "2009-07-09")
	if want := "waiting for local time: 2 (next at " + nextAt() + ")\n"; !strings.Contains(out, want) || !strings.Contains(out, "sending") {
		t.Errorf("issue status once London's hour came lacks %q:\n%s", want, out)
	}
}

// localTimePlanet adds the Bridge Vote article of 2009-07-09 and the readers
// (address → zone, "" for none) with 'subscriber add --timezone', and makes
// the publication deliver at hour on each reader's clock. That is set in the
// database: a test's hour is any time of day, which 'publication set' may
// refuse against the schedule as a late release. It returns the database,
// for the test's own reads.
func localTimePlanet(t *testing.T, db, hour string, zones map[string]string) *sql.DB {
	t.Helper()
	if code, _, errs := runCLI(t, db, "The council voted.\n", "article", "add", "-", "--date", "2009-07-09", "--title", "Bridge Vote", "--section", "News"); code != 0 {
		t.Fatal(errs)
	}
	for who, zone := range zones {
		if code, _, errs := runCLI(t, db, "", "subscriber", "add", who, "--timezone", zone); code != 0 {
			t.Fatal(errs)
		}
	}
	raw := rawDB(t, db)
	if _, err := raw.Exec(`UPDATE publications SET deliver = 'local', local_time = ?`, hour); err != nil {
		t.Fatal(err)
	}
	return raw
}
