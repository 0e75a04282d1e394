package bounces

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse: whatever a mailbox holds, Parse ends without a panic and either
// refuses the message or returns a report with an id, a known type, and
// recipients whose fields are one line each (they reach the subscriber's
// history). Seeds: the reports in testdata, each also with CRLF line ends.
//
//	go test -run '^$' -fuzz FuzzParse ./bounces/
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed reports: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(crlf(b))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		rep, err := Parse(raw)
		if err != nil {
			return
		}
		if rep.ID == "" {
			t.Fatal("a report without an id")
		}
		switch rep.Type {
		case TypeDeliveryStatus, TypeFeedback, TypeExim:
		default:
			t.Fatalf("report type %q", rep.Type)
		}
		for _, r := range rep.Recipients {
			if r.Kind > Complaint {
				t.Fatalf("kind %d", r.Kind)
			}
			for _, v := range []string{r.Final, r.Original, r.Action, r.Status, r.Detail} {
				if strings.ContainsAny(v, "\r\n") {
					t.Fatalf("a field with a line break: %+v", r)
				}
			}
		}
	})
}
