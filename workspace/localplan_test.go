package workspace_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
	"masthead/workspace"
)

func TestLocalPlan(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	st, err := store.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	// Friday 27 March 2026: Britain's clocks go forward on Sunday the 29th,
	// New York's went on the 8th, Tokyo's and Abidjan's never do.
	now := time.Date(2026, 3, 27, 12, 0, 0, 0, time.UTC)
	w, err := workspace.New(workspace.Config{Store: st, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	p := &newsletter.Publication{Slug: "planet", Name: "The Daily Planet", From: "news@planet.example", Address: "London",
		TimeZone: "Europe/London", Schedule: "0 5 * * *", VolumeStart: newsletter.Date{Year: 2007, Month: 2, Day: 7}}
	if err := w.SavePublication(ctx, p); err != nil {
		t.Fatal(err)
	}
	if plan, err := w.LocalPlan(ctx, p, 5); err != nil || plan != nil {
		t.Fatalf("a publication that delivers at once has a plan: %v %v", plan, err)
	}

	// Refused: released at 05:00, after the readers' 04:30.
	p.Deliver, p.LocalTime = newsletter.DeliverLocal, "04:30"
	err = w.SavePublication(ctx, p)
	var late *newsletter.LateRelease
	var fe *newsletter.FieldError
	if !errors.As(err, &late) || !errors.As(err, &fe) || fe.Field != "local-time" ||
		!strings.Contains(err.Error(), "releases at 05:00 Europe/London, after the readers' 04:30") {
		t.Fatalf("a release after the readers' hour: %v", err)
	}
	p.LocalTime = "06:00"
	if err := w.SavePublication(ctx, p); err != nil {
		t.Fatal(err)
	}

	raw, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	add := func(email, zone string, status subscribers.Status) {
		t.Helper()
		if _, err := st.AddSubscriber(ctx, email, "", p.ID, status, subscribers.ViaEditor); err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(`UPDATE subscribers SET timezone = ? WHERE email = ?`, zone, email); err != nil {
			t.Fatal(err)
		}
	}
	add("home1@x.example", "", subscribers.Active)
	add("home2@x.example", "", subscribers.Active)
	add("ldn@x.example", "Europe/London", subscribers.Active)
	add("abj@x.example", "Africa/Abidjan", subscribers.Active)
	add("nyc@x.example", "America/New_York", subscribers.Active)
	add("tyo@x.example", "Asia/Tokyo", subscribers.Active)
	add("tyo2@x.example", "Asia/Tokyo", subscribers.Active)
	add("pending@x.example", "Asia/Kolkata", subscribers.Pending) // not a reader yet

	plan, err := w.LocalPlan(ctx, p, 5)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Readers != 7 || plan.Zones != 4 || plan.Clock.String() != "06:00" || len(plan.Fires) != 5 {
		t.Fatalf("plan of %d readers in %d zones at %s, %d fires; want 7 in 4 at 06:00, 5", plan.Readers, plan.Zones, plan.Clock, len(plan.Fires))
	}
	lines := func(f workspace.PlanFire) string {
		var b strings.Builder
		b.WriteString(f.Release.Format(time.RFC3339) + " " + f.Date.String() + "\n")
		for _, g := range f.Groups {
			b.WriteString(g.Line() + "\n")
		}
		return b.String()
	}
	for i, want := range []string{
		// In winter time London and Abidjan read 06:00 at the same instant.
		`2026-03-28T05:00:00Z 2026-03-28
Europe/London, Africa/Abidjan (4 readers): Sat 28 Mar 06:00, 1h after release
America/New_York (1 reader): Sat 28 Mar 06:00, 5h after release
Asia/Tokyo (2 readers): Sun 29 Mar 06:00, 16h after release, the morning after the issue's date
`,
		// From Sunday, London is an hour ahead of Abidjan, and the release
		// (05:00 summer time) an hour earlier for everyone else.
		`2026-03-29T05:00:00+01:00 2026-03-29
Europe/London (3 readers): Sun 29 Mar 06:00, 1h after release
Africa/Abidjan (1 reader): Sun 29 Mar 06:00, 2h after release
America/New_York (1 reader): Sun 29 Mar 06:00, 6h after release
Asia/Tokyo (2 readers): Mon 30 Mar 06:00, 17h after release, the morning after the issue's date
`,
	} {
		if got := lines(plan.Fires[i]); got != want {
			t.Errorf("fire %d:\n%s\nwant:\n%s", i+1, got, want)
		}
	}
	if f := plan.Fires[0]; len(f.Shown(2)) != 2 {
		t.Errorf("the largest 2 groups: %d shown", len(f.Shown(2)))
	} else if zones, _ := f.More(2); zones != 1 {
		t.Errorf("the rest: %d more zones, want 1", zones)
	}

	// Far ahead of its readers, a publication's readers behind it get the
	// issue the day before its date.
	p.TimeZone, p.Schedule = "Pacific/Kiritimati", "0 5 * * *"
	add("hnl@x.example", "Pacific/Honolulu", subscribers.Active)
	plan, err = w.LocalPlan(ctx, p, 1)
	if err != nil {
		t.Fatal(err)
	}
	var hnl string
	for _, g := range plan.Fires[0].Groups {
		if g.Zones[0].Zone == "Pacific/Honolulu" {
			hnl = g.Line()
		}
	}
	if want := "Pacific/Honolulu (1 reader): Fri 27 Mar 06:00, 1h after release, the day before the issue's date"; hnl != want {
		t.Errorf("Honolulu: %q, want %q", hnl, want)
	}
}

// A plan with more groups than shown keeps the ones with the most readers
// (the publication's own large zone among them), in the order they fall due.
func TestLocalPlanShowsTheLargestGroups(t *testing.T) {
	base := time.Date(2026, 10, 24, 12, 0, 0, 0, time.UTC)
	var f workspace.PlanFire
	for i, n := range []int{1, 1, 50, 2, 1, 30} {
		f.Groups = append(f.Groups, workspace.PlanGroup{Readers: n, Due: base.Add(time.Duration(i) * time.Hour),
			Zones: []store.ZoneCount{{Zone: fmt.Sprintf("Zone/%d", i), Readers: n}}})
	}
	shown := f.Shown(3)
	if len(shown) != 3 || shown[0].Readers != 50 || shown[1].Readers != 2 || shown[2].Readers != 30 {
		t.Errorf("shown: %+v, want the groups of 50, 2 and 30 readers in due order", shown)
	}
	if zones, readers := f.More(3); zones != 3 || readers != 3 {
		t.Errorf("more: %d zones, %d readers; want 3 and 3", zones, readers)
	}
}
