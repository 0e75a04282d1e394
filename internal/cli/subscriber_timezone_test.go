package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSubscriberTimeZone: a reader's zone from add, set and import, refused
// when it is not an IANA name (the import names the row and field and takes
// the rest), shown, exported, and the export imports back unchanged.
func TestSubscriberTimeZone(t *testing.T) {
	db := newDB(t)
	setupPlanet(t, db)
	must := func(args ...string) string {
		t.Helper()
		code, out, errs := runCLI(t, db, "", args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, code, out, errs)
		}
		return out
	}
	must("subscriber", "add", "jane@example.org", "--timezone", "Europe/London")
	if code, _, errs := runCLI(t, db, "", "subscriber", "add", "mars@example.org", "--timezone", "Mars/Olympus"); code == 0 ||
		!strings.Contains(errs, `timezone: "Mars/Olympus" is not an IANA time zone name`) {
		t.Errorf("add with a bad zone: exit %d %s", code, errs)
	}
	if out := must("subscriber", "show", "jane@example.org"); !strings.Contains(out, "zone:    Europe/London") {
		t.Errorf("show:\n%s", out)
	}
	if out := must("subscriber", "set", "jane@example.org", "--timezone", "Asia/Jerusalem"); !strings.Contains(out, "jane@example.org reads in Asia/Jerusalem") {
		t.Errorf("set: %s", out)
	}
	if code, _, errs := runCLI(t, db, "", "subscriber", "set", "jane@example.org", "--timezone", "Europe/Londres"); code == 0 || !strings.Contains(errs, `"Europe/Londres"`) {
		t.Errorf("set a bad zone: exit %d %s", code, errs)
	}
	if code, _, errs := runCLI(t, db, "", "subscriber", "set", "jane@example.org"); code != 2 || !strings.Contains(errs, "--timezone") {
		t.Errorf("set with nothing to change: exit %d %s", code, errs)
	}
	if code, _, errs := runCLI(t, db, "", "subscriber", "set", "nobody@example.org", "--timezone", "UTC"); code == 0 || !strings.Contains(errs, "no subscriber nobody@example.org") {
		t.Errorf("set of an unknown address: exit %d %s", code, errs)
	}

	csv := filepath.Join(t.TempDir(), "list.csv")
	os.WriteFile(csv, []byte("email,name,timezone\n"+
		"ann@example.org,Ann,America/New_York\n"+
		"bob@example.org,Bob,\n"+
		"jane@example.org,,\n"+ // an empty cell keeps Jane's zone
		"cat@example.org,Cat,Mars/Olympus\n"+
		"dan@example.org,Dan,Australia/Sydney\n"), 0o644)
	code, out, errs := runCLI(t, db, "", "subscriber", "import", csv)
	if code != 3 || !strings.Contains(out, "3 added") || !strings.Contains(out, "1 bad") {
		t.Errorf("import: exit %d\n%s%s", code, out, errs)
	}
	if want := `list.csv:5: cat@example.org: timezone: "Mars/Olympus" is not an IANA time zone name (such as Europe/London)`; !strings.Contains(errs, want) {
		t.Errorf("import stderr lacks %q:\n%s", want, errs)
	}

	out = must("subscriber", "export")
	for _, w := range []string{"email,name,status,created_at,timezone,the-daily-planet\n",
		",Asia/Jerusalem,active\n", "ann@example.org,Ann,active,", ",America/New_York,active\n", ",Australia/Sydney,active\n"} {
		if !strings.Contains(out, w) {
			t.Errorf("export lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, "cat@example.org") {
		t.Errorf("the refused row was imported:\n%s", out)
	}
	if got := strings.Count(out, "\n"); got != 5 {
		t.Errorf("export has %d lines, want 5:\n%s", got, out)
	}

	// The export into another database: the same subscribers, zones and all.
	exported := filepath.Join(t.TempDir(), "export.csv")
	os.WriteFile(exported, []byte(out), 0o644)
	db2 := newDB(t)
	setupPlanet(t, db2)
	if code, out, errs := runCLI(t, db2, "", "subscriber", "import", exported); code != 0 || !strings.Contains(out, "4 added") {
		t.Fatalf("import of the export: exit %d\n%s%s", code, out, errs)
	}
	_, again, _ := runCLI(t, db2, "", "subscriber", "export")
	if strip(again) != strip(out) {
		t.Errorf("round trip:\n%s\nthen:\n%s", out, again)
	}
}

// strip drops the created_at column of an export, which a re-import sets
// anew, and sorts its rows (an import's new ids follow address order).
func strip(export string) string {
	lines := strings.Split(export, "\n")
	slices.Sort(lines[1:])
	for i, l := range lines {
		f := strings.Split(l, ",")
		if len(f) > 3 {
			f[3] = ""
		}
		lines[i] = strings.Join(f, ",")
	}
	return strings.Join(lines, "\n")
}

// An import names the columns it does not read rather than dropping them
// silently (a "tz" column is not the timezone column).
func TestSubscriberImportNamesColumnsNotRead(t *testing.T) {
	db := newDB(t)
	setupPlanet(t, db)
	csv := filepath.Join(t.TempDir(), "tz.csv")
	os.WriteFile(csv, []byte("email,tz\neve@example.org,Europe/Paris\n"), 0o644)
	code, out, errs := runCLI(t, db, "", "subscriber", "import", csv)
	if code != 0 || !strings.Contains(out, "tz.csv: columns not read: tz (an import reads email, name, status, timezone)") {
		t.Errorf("import with a tz column: exit %d\n%s%s", code, out, errs)
	}
}
