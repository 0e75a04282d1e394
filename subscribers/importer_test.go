package subscribers_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing"

	"masthead/newsletter"
	"masthead/store"
	"masthead/store/storetest"
	"masthead/subscribers"
)

func publication(t testing.TB, st *store.Store, slug string) *newsletter.Publication {
	t.Helper()
	p := &newsletter.Publication{Slug: slug, Name: "The " + slug, From: "news@example.org",
		VolumeStart: newsletter.Date{Year: 2007, Month: 2, Day: 7}}
	p.Normalize()
	if err := st.SavePublication(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return p
}

// runImport imports csv into the publication and returns the report.
func runImport(t testing.TB, st *store.Store, pubID int64, in string, im subscribers.Importer) *subscribers.ImportReport {
	t.Helper()
	ctx := context.Background()
	sink, err := st.BeginImport(ctx, pubID)
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	rep, err := im.Import(ctx, strings.NewReader(in), sink)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return rep
}

// badCSV has good rows and one bad row of every kind; the comments say the line.
const badCSV = "Extra,EMAIL,Name,Status\n" + // 1
	"x,good1@example.org,Good One,\n" + // 2
	"x,not-an-address,Bad,\n" + // 3: bad address
	"x,GOOD1@Example.org,Dup,\n" + // 4: duplicate of line 2
	"x,\"evil@example.org\nBcc: victim@example.org\",Evil,\n" + // 5-6: CR/LF injection in the address
	"x,good2@example.org,Two\n" + // 7: wrong column count
	"x,good3@example.org,Thr\xe9s,\n" + // 8: not UTF-8 (Latin-1)
	"x,good4@example.org,\"Name \"\"Q\"\"\",active\n" + // 9: good
	"\n" + // 10: blank, skipped by encoding/csv
	"x,good5@example.org,Five,PENDING\n" + // 11: good, pending
	"x,bad\"quote@example.org,x,\n" + // 12: CSV syntax (bare quote)
	"x,good6@example.org,Six,weird\n" + // 13: unknown status
	"x,Jane <jane@example.org>,Jane,\n" + // 14: display name inside the email column
	"x,good7@example.org,\"Seven\r\nBcc: x@example.org\",\n" + // 15-16: CR/LF injection in the name
	"x,good1@example.org,Again,\n" + // 17: duplicate of line 2, in a later batch
	"x,good8@example.org,,\n" // 18: good, no name

func TestImportBadRows(t *testing.T) {
	for _, batch := range []int{2, 0} {
		t.Run(fmt.Sprintf("batch=%d", batch), func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st *store.Store) {
				ctx := context.Background()
				p := publication(t, st, "daily")
				var streamed []int
				im := subscribers.Importer{BatchSize: batch, OnProblem: func(p subscribers.Problem) { streamed = append(streamed, p.Line) }}
				rep := runImport(t, st, p.ID, badCSV, im)

				wantBad := map[int]string{
					3: "bad address", 4: "duplicate: the same address is on line 2", 5: "line break", 7: "wrong column count",
					8: "UTF-8", 12: "CSV syntax", 13: "unknown status", 14: "bare address", 15: "line break",
					17: "duplicate: the same address is on line 2",
				}
				var lines []int
				for _, pr := range rep.Problems {
					lines = append(lines, pr.Line)
					if want, ok := wantBad[pr.Line]; !ok || !strings.Contains(pr.Reason, want) {
						t.Errorf("problem %v: want reason with %q", pr, want)
					}
					if strings.ContainsAny(pr.String(), "\r\n") {
						t.Errorf("problem %q carries a line break into the report", pr.String())
					}
				}
				// In the file's order, both in the report and as streamed,
				// though the store finds duplicates after the reader's refusals.
				if want := []int{3, 4, 5, 7, 8, 12, 13, 14, 15, 17}; !slices.Equal(lines, want) {
					t.Errorf("bad lines %v, want %v", lines, want)
				}
				if !slices.Equal(streamed, lines) {
					t.Errorf("OnProblem saw %v, want %v", streamed, lines)
				}
				if rep.Rows != 14 || rep.Added != 4 || rep.Bad != 10 || rep.Updated != 0 || rep.Unchanged != 0 {
					t.Errorf("report %+v", rep)
				}
				for email, want := range map[string]subscribers.Status{
					"good1@example.org": subscribers.Active, "good4@example.org": subscribers.Active,
					"good5@example.org": subscribers.Pending, "good8@example.org": subscribers.Active,
				} {
					sub, err := st.SubscriberByEmail(ctx, email)
					if err != nil || sub.Status != want {
						t.Errorf("%s: %+v, %v (want %s)", email, sub, err, want)
					}
				}
				if sub, _ := st.SubscriberByEmail(ctx, "good4@example.org"); sub.Name != `Name "Q"` {
					t.Errorf("name %q", sub.Name)
				}
				if sub, _ := st.SubscriberByEmail(ctx, "good1@example.org"); sub.Name != "Good One" {
					t.Errorf("a duplicate row changed the name: %q", sub.Name)
				}

				// Twice: nothing changes, the same rows are refused.
				rep2 := runImport(t, st, p.ID, badCSV, im)
				if rep2.Added != 0 || rep2.Updated != 0 || rep2.Unchanged != 4 || rep2.Bad != 10 {
					t.Errorf("second import %+v", rep2)
				}
				counts, _ := st.SubscriberCounts(ctx, p.ID)
				if counts[subscribers.Active] != 3 || counts[subscribers.Pending] != 1 {
					t.Errorf("counts after two imports: %v", counts)
				}
			})
		})
	}
}

func TestImportHeader(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		p := publication(t, st, "daily")
		sink, err := st.BeginImport(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		defer sink.Close()
		var im subscribers.Importer
		for _, in := range []string{"", "name,status\nJane,active\n", "jane@example.org,Jane\n"} {
			if _, err := im.Import(ctx, strings.NewReader(in), sink); err == nil || !strings.Contains(err.Error(), "header") && !strings.Contains(err.Error(), "empty") {
				t.Errorf("import of %q: %v, want a header error", in, err)
			}
		}
		// A byte-order mark and spaces in the header are fine.
		rep, err := im.Import(ctx, strings.NewReader("\uFEFF Email ,NAME\njane@example.org,Jane\n"), sink)
		if err != nil || rep.Added != 1 || len(rep.Ignored) != 0 {
			t.Errorf("BOM header: %+v, %v", rep, err)
		}
		// Columns an import does not read are named, not dropped silently.
		rep, err = im.Import(ctx, strings.NewReader("email,tz,First Name,,name\nkim@example.org,Europe/London,Kim,,Kim Lee\n"), sink)
		if err != nil || rep.Added != 1 || strings.Join(rep.Ignored, "|") != "tz|First Name" {
			t.Errorf("unknown columns: %+v, %v; want tz and First Name ignored", rep, err)
		}
	})
}

// TestImportRespectsChoices: an import never re-activates a suppressed address
// nor someone who unsubscribed, and never demotes an active subscriber.
func TestImportRespectsChoices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		p := publication(t, st, "daily")
		for _, e := range []string{"sup@example.org", "left@example.org", "on@example.org"} {
			if _, err := st.AddSubscriber(ctx, e, "", p.ID, subscribers.Active, subscribers.ViaEditor); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.Suppress(ctx, "sup@example.org", subscribers.Bounced, subscribers.ViaBounce, "550 no such user"); err != nil {
			t.Fatal(err)
		}
		if err := st.Suppress(ctx, "gone@example.org", subscribers.Complained, subscribers.ViaComplaint, ""); err != nil {
			t.Fatal(err)
		}
		left, _ := st.SubscriberByEmail(ctx, "left@example.org")
		if err := st.Unsubscribe(ctx, left.ID, p.ID, subscribers.ViaLink, ""); err != nil {
			t.Fatal(err)
		}
		in := "email,name,status\nsup@example.org,Sup,active\ngone@example.org,,\nleft@example.org,,active\non@example.org,On,pending\nout@example.org,,unsubscribed\n"
		rep := runImport(t, st, p.ID, in, subscribers.Importer{})
		if rep.Suppressed != 2 || rep.KeptUnsubscribed != 1 || rep.Updated != 1 || rep.Added != 1 || rep.Bad != 0 {
			t.Errorf("report %+v", rep)
		}
		for email, want := range map[string]subscribers.Status{
			"sup@example.org": subscribers.Bounced, "left@example.org": subscribers.Unsubscribed,
			"on@example.org": subscribers.Active, "out@example.org": subscribers.Unsubscribed,
		} {
			if sub, err := st.SubscriberByEmail(ctx, email); err != nil || sub.Status != want {
				t.Errorf("%s: %+v, %v, want %s", email, sub, err, want)
			}
		}
		if _, err := st.SubscriberByEmail(ctx, "gone@example.org"); err == nil {
			t.Error("a suppressed address was created by import")
		}
		// After an editor lifts it, an import may add it again.
		if err := st.LiftSuppression(ctx, "gone@example.org", subscribers.ViaEditor, ""); err != nil {
			t.Fatal(err)
		}
		if rep := runImport(t, st, p.ID, "email\ngone@example.org\n", subscribers.Importer{}); rep.Added != 1 {
			t.Errorf("after lift: %+v", rep)
		}
	})
}

// TestImportMany imports 20,000 rows (with repeats far apart) in batches.
func TestImportMany(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		p := publication(t, st, "daily")
		var b strings.Builder
		b.WriteString("email,name\n")
		const n = 20000
		for i := range n {
			fmt.Fprintf(&b, "reader%05d@example.org,Reader %d\n", i, i)
		}
		b.WriteString("READER00007@example.org,again\n") // line n+2
		rep := runImport(t, st, p.ID, b.String(), subscribers.Importer{Status: subscribers.Pending})
		if rep.Rows != n+1 || rep.Added != n || rep.Bad != 1 || rep.Problems[0].Line != n+2 || !strings.Contains(rep.Problems[0].Reason, "line 9") {
			t.Fatalf("report %+v", rep.Problems)
		}
		counts, _ := st.SubscriberCounts(ctx, p.ID)
		if counts[subscribers.Pending] != n {
			t.Fatalf("counts %v", counts)
		}
		// Pending rows imported again as active: consent given by the editor.
		rep = runImport(t, st, p.ID, b.String(), subscribers.Importer{Status: subscribers.Active})
		if rep.Updated != n {
			t.Fatalf("second import %+v", rep)
		}
		counts, _ = st.SubscriberCounts(ctx, p.ID)
		if counts[subscribers.Active] != n {
			t.Fatalf("counts %v", counts)
		}
	})
}

func TestExportRoundTrip(t *testing.T) {
	ctx := context.Background()
	export := func(st *store.Store, pubs []subscribers.ExportPublication) string {
		var buf bytes.Buffer
		ex, err := subscribers.NewCSVExporter(&buf, pubs, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.EachSubscriber(ctx, store.SubscriberFilter{}, ex.Write); err != nil {
			t.Fatal(err)
		}
		if err := ex.Flush(); err != nil {
			t.Fatal(err)
		}
		// created_at differs between the two databases.
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		w := csv.NewWriter(&out)
		for i, r := range recs {
			if i > 0 {
				r[3] = "T"
			}
			w.Write(r)
		}
		w.Flush()
		return out.String()
	}
	st1 := storetest.Open(t, storetest.SQLite)
	p1 := publication(t, st1, "daily")
	in := "email,name,status,timezone\nann@example.org,\"Ann, the first\",active,Europe/London\nbob@example.org,Bob,pending,\n" +
		"cat@example.org,,unsubscribed,Asia/Jerusalem\ndog@example.org,Dog,bounced,\nemu@example.org,\"Émile \"\"E\"\"\",complained,\n" +
		"fox@example.org,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",active,America/Argentina/Buenos_Aires\n"
	if rep := runImport(t, st1, p1.ID, in, subscribers.Importer{}); rep.Added != 6 {
		t.Fatalf("import %+v", rep)
	}
	pubs1 := []subscribers.ExportPublication{{ID: p1.ID, Slug: p1.Slug}}
	first := export(st1, pubs1)
	want := "email,name,status,created_at,timezone,daily\nann@example.org,\"Ann, the first\",active,T,Europe/London,active\n" +
		"bob@example.org,Bob,pending,T,,pending\ncat@example.org,,unsubscribed,T,Asia/Jerusalem,unsubscribed\n" +
		"fox@example.org,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",active,T,America/Argentina/Buenos_Aires,active\n" + // a spreadsheet shows it as text
		"dog@example.org,Dog,bounced,T,,\nemu@example.org,\"Émile \"\"E\"\"\",complained,T,,\n"
	if first != want {
		t.Fatalf("export:\n%s\nwant:\n%s", first, want)
	}

	st2 := storetest.Open(t, storetest.SQLite)
	p2 := publication(t, st2, "daily")
	if rep := runImport(t, st2, p2.ID, first, subscribers.Importer{}); rep.Added != 6 || rep.Bad != 0 {
		t.Fatalf("re-import %+v", rep)
	}
	if second := export(st2, []subscribers.ExportPublication{{ID: p2.ID, Slug: p2.Slug}}); second != first {
		t.Fatalf("round trip:\n%s\nthen:\n%s", first, second)
	}
}
