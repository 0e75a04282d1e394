package subscribers_test

import (
	"fmt"
	"strings"
	"testing"

	"masthead/store"
	"masthead/store/storetest"
	"masthead/subscribers"
)

// A quote never closed on line 3 of a 10-line file loses nothing: line 3 is
// reported, and lines 4 to 10 are imported (the report counts all nine
// rows). The same for a quote closed wrongly, a line far over the limit, and
// a quoted field that runs on past the limit of lines.
func TestImportResynchronisesAfterABadLine(t *testing.T) {
	good := func(from, to int) string {
		var b strings.Builder
		for i := from; i <= to; i++ {
			fmt.Fprintf(&b, "r%d@example.org,Reader %d\n", i, i)
		}
		return b.String()
	}
	cases := []struct {
		name, bad, reason string
	}{
		{"unterminated quote", "\"unterminated@example.org,Unclosed\n", "quoted field is not closed"},
		{"text after a closing quote", "\"r@example.org\"x,Name\n", "extraneous or missing"},
		{"a 200 KB line", strings.Repeat("x", 200<<10) + "@example.org,Long\n", "longer than 65536 bytes"},
		{"a quoted field over the line limit", "r@example.org,\"" + strings.Repeat("a\n", 150) + "\",x\n", "not closed within 100 lines"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st *store.Store) {
				p := publication(t, st, "daily")
				in := "email,name\n" + good(2, 2) + tc.bad + good(4, 10)
				lines := strings.Count(in, "\n")
				rep := runImport(t, st, p.ID, in, subscribers.Importer{})
				var bad []string
				for _, pr := range rep.Problems {
					bad = append(bad, pr.String())
				}
				if rep.Added != 8 {
					t.Errorf("added %d of the 8 good rows; problems %v", rep.Added, bad)
				}
				if len(rep.Problems) == 0 || rep.Problems[0].Line != 3 || !strings.Contains(rep.Problems[0].Reason, tc.reason) {
					t.Fatalf("problems %v; want line 3: %s first", bad, tc.reason)
				}
				// Every line after the header is a row or a problem.
				if rep.Rows != lines-1 || rep.Added+rep.Bad != rep.Rows {
					t.Errorf("%d rows read, %d added, %d bad; the file has %d data lines", rep.Rows, rep.Added, rep.Bad, lines-1)
				}
				for i := 2; i <= 10; i++ {
					if i == 3 {
						continue
					}
					if _, err := st.SubscriberByEmail(t.Context(), fmt.Sprintf("r%d@example.org", i)); err != nil {
						t.Errorf("r%d: %v", i, err)
					}
				}
			})
		})
	}
}

// Quoted fields keep their commas, quotes and line breaks; a record may span
// lines; CRLF line ends and a last line without one are read.
func TestImportReadsQuotedFields(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		p := publication(t, st, "daily")
		in := "email,name\r\n" +
			"a@example.org,\"Lane, Lois\"\r\n" +
			"\"b@example.org\",\"Jimmy \"\"Scoop\"\" Olsen\"\r\n" +
			"c@example.org,\"\"\r\n" +
			"d@example.org,Perry"
		rep := runImport(t, st, p.ID, in, subscribers.Importer{})
		if rep.Added != 4 || rep.Bad != 0 || rep.Rows != 4 {
			t.Fatalf("report %+v", rep)
		}
		for email, name := range map[string]string{"a@example.org": "Lane, Lois", "b@example.org": `Jimmy "Scoop" Olsen`, "d@example.org": "Perry"} {
			s, err := st.SubscriberByEmail(t.Context(), email)
			if err != nil || s.Name != name {
				t.Errorf("%s: %+v, %v; want name %q", email, s, err, name)
			}
		}
	})
}
