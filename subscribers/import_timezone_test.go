package subscribers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"masthead/store"
	"masthead/store/storetest"
	"masthead/subscribers"
)

// TestImportTimeZone: the timezone column sets a new subscriber's zone and
// changes an existing one's; an empty cell keeps the stored zone (as an
// empty name keeps the name); a zone that is not an IANA name refuses the
// whole row, named by line and field, and the rows around it go in.
func TestImportTimeZone(t *testing.T) {
	for _, batch := range []int{1, 0} {
		t.Run(fmt.Sprintf("batch=%d", batch), func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st *store.Store) {
				ctx := context.Background()
				p := publication(t, st, "daily")
				if _, err := st.AddSubscriber(ctx, "old@example.org", "Old", p.ID, subscribers.Active, subscribers.ViaEditor); err != nil {
					t.Fatal(err)
				}
				in := "email,name,Time Zone\n" + // 1
					"ann@example.org,Ann,Europe/London\n" + // 2
					"old@example.org,,Asia/Jerusalem\n" + // 3: an existing subscriber's zone changes
					"mars@example.org,Mars,Mars/Olympus\n" + // 4: refused
					"bob@example.org,Bob,\n" + // 5: no zone
					"dot@example.org,Dot,../etc/passwd\n" // 6: refused
				im := subscribers.Importer{BatchSize: batch}
				rep := runImport(t, st, p.ID, in, im)
				if rep.Added != 2 || rep.Updated != 1 || rep.Bad != 2 {
					t.Errorf("report %+v", rep)
				}
				var problems []string
				for _, pr := range rep.Problems {
					problems = append(problems, pr.String())
				}
				want := []string{
					`line 4: mars@example.org: timezone: "Mars/Olympus" is not an IANA time zone name (such as Europe/London)`,
					`line 6: dot@example.org: timezone: "../etc/passwd" is not an IANA time zone name (such as Europe/London)`,
				}
				if strings.Join(problems, "\n") != strings.Join(want, "\n") {
					t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(problems, "\n"), strings.Join(want, "\n"))
				}
				zones := func() map[string]string {
					out := map[string]string{}
					for _, e := range []string{"ann@example.org", "old@example.org", "bob@example.org"} {
						sub, err := st.SubscriberByEmail(ctx, e)
						if err != nil {
							t.Fatalf("%s: %v", e, err)
						}
						out[e] = sub.TimeZone
					}
					for _, e := range []string{"mars@example.org", "dot@example.org"} {
						if _, err := st.SubscriberByEmail(ctx, e); err == nil {
							t.Errorf("%s: the refused row was written", e)
						}
					}
					return out
				}
				if z := zones(); z["ann@example.org"] != "Europe/London" || z["old@example.org"] != "Asia/Jerusalem" || z["bob@example.org"] != "" {
					t.Errorf("zones after the import: %v", z)
				}
				old, _ := st.SubscriberByEmail(ctx, "old@example.org")
				if old.Name != "Old" {
					t.Errorf("an empty name cell renamed %q", old.Name)
				}
				events, err := st.SubscriberEvents(ctx, old.ID)
				if err != nil {
					t.Fatal(err)
				}
				if last := events[len(events)-1]; last.Kind != subscribers.EventTimeZone || last.Detail != "Asia/Jerusalem" || last.Via != subscribers.ViaImport {
					t.Errorf("last event %+v, want the zone change", last)
				}

				// Again, with the zone cells empty: nothing changes.
				rep = runImport(t, st, p.ID, "email,name,timezone\nann@example.org,Ann,\nold@example.org,,\n", im)
				if rep.Unchanged != 2 || rep.Updated != 0 {
					t.Errorf("re-import with empty zones: %+v", rep)
				}
				if z := zones(); z["ann@example.org"] != "Europe/London" || z["old@example.org"] != "Asia/Jerusalem" {
					t.Errorf("an empty cell changed a zone: %v", z)
				}
			})
		})
	}
}
