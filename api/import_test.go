package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// An unterminated quote on line 3 of a 10-line upload: the report names
// line 3 and counts nine rows, eight of them added.
func TestImportKeepsRowsAfterAnUnterminatedQuote(t *testing.T) {
	f := newFixture(t)
	var b strings.Builder
	b.WriteString("email,name\nr2@example.org,Two\n\"unterminated@example.org,Three\n")
	for i := 4; i <= 10; i++ {
		fmt.Fprintf(&b, "r%d@example.org,Reader %d\n", i, i)
	}
	code, body := f.do(t, f.editor, "POST", "/api/subscribers/import", "text/csv", b.String())
	var rep struct {
		Rows, Added, Bad int
		Problems         []struct {
			Line   int
			Reason string `json:"problem"`
		}
	}
	if code != http.StatusOK || json.Unmarshal([]byte(body), &rep) != nil {
		t.Fatalf("import: %d %s", code, body)
	}
	if rep.Rows != 9 || rep.Added != 8 || rep.Bad != 1 || len(rep.Problems) != 1 || rep.Problems[0].Line != 3 ||
		!strings.Contains(rep.Problems[0].Reason, "quoted field is not closed") {
		t.Fatalf("report %s", body)
	}
}
