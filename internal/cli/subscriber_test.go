package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSubscriberCommands drives the subscriber commands as an editor types
// them, flags before and after the address.
func TestSubscriberCommands(t *testing.T) {
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
	must("subscriber", "add", "Jane@Example.ORG", "--name", "Jane Doe")
	must("subscriber", "add", "--pending", "--name", "Bob", "bob@example.org")
	if code, _, errs := runCLI(t, db, "", "subscriber", "add", "Jane <jane@example.org>"); code == 0 || !strings.Contains(errs, "bare address") {
		t.Errorf("display name accepted: %d %s", code, errs)
	}
	if code, _, errs := runCLI(t, db, "", "subscriber", "add", "eve@example.org", "--name", "Eve\r\nBcc: x@example.org"); code == 0 || !strings.Contains(errs, "line break") {
		t.Errorf("CR/LF in a name accepted: %d %s", code, errs)
	}

	csv := filepath.Join(t.TempDir(), "list.csv")
	os.WriteFile(csv, []byte("Name,Email\nAnn,ann@example.org\nNobody,nobody\nAnn again,ANN@example.org\n"), 0o644)
	code, out, errs := runCLI(t, db, "", "subscriber", "import", csv, "--status", "pending")
	if code != 3 || !strings.Contains(out, "3 rows read") || !strings.Contains(out, "1 added") || !strings.Contains(out, "2 bad") {
		t.Errorf("import: %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{"list.csv:3: nobody: bad address", "list.csv:4: ann@example.org: duplicate: the same address is on line 2"} {
		if !strings.Contains(errs, want) {
			t.Errorf("import stderr lacks %q:\n%s", want, errs)
		}
	}
	if _, out, _ := runCLI(t, db, "", "subscriber", "import", csv); !strings.Contains(out, "1 updated") {
		t.Errorf("import again as active: %s", out)
	}
	clean := filepath.Join(t.TempDir(), "clean.csv")
	os.WriteFile(clean, []byte("email\nann@example.org\n"), 0o644)
	if code, out, errs := runCLI(t, db, "", "subscriber", "import", clean); code != 0 || !strings.Contains(out, "1 row read") || !strings.Contains(out, "1 unchanged") {
		t.Errorf("import with no bad row: exit %d\n%s%s", code, out, errs)
	}

	out = must("subscriber", "list", "--status", "active")
	if !strings.Contains(out, "jane@example.org") || !strings.Contains(out, "ann@example.org") || strings.Contains(out, "bob@") {
		t.Errorf("list --status active:\n%s", out)
	}
	if out = must("subscriber", "search", "DOE"); !strings.Contains(out, "jane@example.org") || strings.Contains(out, "ann@") {
		t.Errorf("search:\n%s", out)
	}
	must("subscriber", "unsubscribe", "ANN@example.org")
	if out = must("subscriber", "show", "ann@example.org"); !strings.Contains(out, "status:  unsubscribed") ||
		!strings.Contains(out, "unsubscribed") || !strings.Contains(out, "editor") {
		t.Errorf("show:\n%s", out)
	}
	out = must("subscriber", "export")
	want := []string{"email,name,status,created_at,timezone,the-daily-planet", "jane@example.org,Jane Doe,active,", "ann@example.org,Ann,unsubscribed,"}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("export lacks %q:\n%s", w, out)
		}
	}
	if code, _, errs := runCLI(t, db, "", "subscriber", "lift", "jane@example.org"); code == 0 || !strings.Contains(errs, "not suppressed") {
		t.Errorf("lift of an address not suppressed: %d %s", code, errs)
	}
	if code, _, errs := runCLI(t, db, "", "subscriber", "import", csv, "--status", "bounced"); code != 2 || !strings.Contains(errs, "--status") {
		t.Errorf("import --status bounced: %d %s", code, errs)
	}
}
