package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An unterminated quote on line 3 of a 10-line file: line 3 is reported
// with its line number and every good row after it is imported.
func TestImportKeepsRowsAfterAnUnterminatedQuote(t *testing.T) {
	db := newDB(t)
	setupPlanet(t, db)
	var b strings.Builder
	b.WriteString("email,name\nr2@example.org,Two\n\"unterminated@example.org,Three\n")
	for i := 4; i <= 10; i++ {
		fmt.Fprintf(&b, "r%d@example.org,Reader %d\n", i, i)
	}
	csv := filepath.Join(t.TempDir(), "list.csv")
	if err := os.WriteFile(csv, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, db, "", "subscriber", "import", csv)
	if code != 3 || !strings.Contains(out, "9 rows read") || !strings.Contains(out, "8 added") || !strings.Contains(out, "1 bad") {
		t.Fatalf("import: exit %d\n%s%s", code, out, errs)
	}
	if !strings.Contains(errs, "list.csv:3: ") || !strings.Contains(errs, "quoted field is not closed") {
		t.Errorf("line 3 not reported:\n%s", errs)
	}
	_, list, _ := runCLI(t, db, "", "subscriber", "list")
	for i := 2; i <= 10; i++ {
		if want := fmt.Sprintf("r%d@example.org", i); i != 3 && !strings.Contains(list, want) {
			t.Errorf("%s not imported:\n%s", want, list)
		}
	}
}
