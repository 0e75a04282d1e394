package workspace

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"masthead/internal/plural"
	"masthead/newsletter"
	"masthead/store"
)

// LocalPlan is when the readers of a publication that delivers at each
// reader's local time get its next issues: for each coming daily fire (the
// release), the readers grouped by the instant their copy is due, by the
// same rule the send follows (newsletter.Clock.Next).
type LocalPlan struct {
	Zone    string           // the publication's
	Clock   newsletter.Clock // the readers' hour (of the first fire, when it follows the schedule)
	Readers int              // active readers
	Zones   int              // their distinct zones (none of their own: the publication's)
	Fires   []PlanFire       // none without a daily schedule
}

// PlanFire is one release and when each group of readers gets it.
type PlanFire struct {
	Release time.Time       // in the publication's zone
	Date    newsletter.Date // the date
	Groups  []PlanGroup     // by due time
}

// PlanGroup is the readers of the zones whose copies are due at one instant
// and whose clocks then read the same date and time.
type PlanGroup struct {
	Zones   []store.ZoneCount // most readers first; "" counted as the publication's zone
	Readers int
	Due     time.Time     // in the first zone
	After   time.Duration // after the release
	Days    int           // the due date, in the first zone, less the date
}

// LocalPlan is the plan of p's next n fires, or nil when p delivers at
// once. p may be settings not saved yet: its ID names the publication whose
// readers are counted.
func (s *Service) LocalPlan(ctx context.Context, p *newsletter.Publication, n int) (*LocalPlan, error) {
	if p.Deliver != newsletter.DeliverLocal {
		return nil, nil
	}
	var counts []store.ZoneCount
	if p.ID != 0 {
		var err error
		if counts, err = s.st.ReaderZones(ctx, p.ID); err != nil {
			return nil, err
		}
	}
	zones := mergeZones(counts, p.TimeZone)
	plan := &LocalPlan{Zone: p.TimeZone, Zones: len(zones)}
	for _, z := range zones {
		plan.Readers += z.Readers
	}
	now := s.now()
	plan.Clock, _ = p.ReaderClock(now)
	fires := p.DailyReleases(now, n) // a date's later fires release nothing
	pubLoc := p.Location()
	for _, release := range fires {
		clock, ok := p.ReaderClock(release)
		if !ok {
			break
		}
		f := PlanFire{Release: release, Date: newsletter.DateIn(release, pubLoc)}
		// Zones are grouped by the instant of their copies, and the date
		// and time their clocks read then (a zone a day behind another
		// reads the same hour a date earlier).
		type key struct {
			at   int64
			wall string
		}
		byDue := map[key]int{} // → index in f.Groups
		for _, z := range zones {
			loc := newsletter.ReaderLocation(z.Zone, pubLoc)
			due := clock.Next(release, loc)
			local := due.In(loc)
			k := key{due.UnixMilli(), local.Format("2006-01-02 15:04")}
			i, ok := byDue[k]
			if !ok {
				i = len(f.Groups)
				byDue[k] = i
				f.Groups = append(f.Groups, PlanGroup{Due: local, After: due.Sub(release),
					Days: dayDiff(newsletter.DateOf(local), f.Date)})
			}
			g := &f.Groups[i]
			g.Zones = append(g.Zones, z)
			g.Readers += z.Readers
		}
		slices.SortStableFunc(f.Groups, func(a, b PlanGroup) int { return a.Due.Compare(b.Due) })
		plan.Fires = append(plan.Fires, f)
	}
	return plan, nil
}

// mergeZones counts the readers without a zone of their own under the
// publication's, most readers first (then by name).
func mergeZones(counts []store.ZoneCount, pubZone string) []store.ZoneCount {
	n := map[string]int{}
	for _, c := range counts {
		z := c.Zone
		if z == "" {
			z = pubZone
		}
		n[z] += c.Readers
	}
	out := make([]store.ZoneCount, 0, len(n))
	for z, r := range n {
		out = append(out, store.ZoneCount{Zone: z, Readers: r})
	}
	slices.SortFunc(out, func(a, b store.ZoneCount) int {
		if a.Readers != b.Readers {
			return b.Readers - a.Readers
		}
		return strings.Compare(a.Zone, b.Zone)
	})
	return out
}

func dayDiff(a, b newsletter.Date) int {
	ta := time.Date(a.Year, a.Month, a.Day, 12, 0, 0, 0, time.UTC)
	tb := time.Date(b.Year, b.Month, b.Day, 12, 0, 0, 0, time.UTC)
	return int(ta.Sub(tb).Round(24*time.Hour) / (24 * time.Hour))
}

// Names are the group's zones with their readers: "Europe/London (3
// readers)", or "America/New_York, America/Toronto (7 readers)", at most
// three zones named.
func (g PlanGroup) Names() string {
	names := make([]string, 0, 3)
	for i, z := range g.Zones {
		if i == 3 {
			names[2] += fmt.Sprintf(" and %d more zones", len(g.Zones)-3)
			break
		}
		names = append(names, z.Zone)
	}
	return fmt.Sprintf("%s (%s)", strings.Join(names, ", "), plural.Count(g.Readers, "reader", "readers"))
}

// When is the due time on the group's clocks: "Sat 24 Oct 06:00".
func (g PlanGroup) When() string { return g.Due.Format("Mon 2 Jan 15:04") }

// AfterRelease is "1h after release", "17h30m after release" or "at the release".
func (g PlanGroup) AfterRelease() string {
	if g.After <= 0 {
		return "at the release"
	}
	h, m := int(g.After/time.Hour), int(g.After%time.Hour/time.Minute)
	switch {
	case m == 0:
		return fmt.Sprintf("%dh after release", h)
	case h == 0:
		return fmt.Sprintf("%dm after release", m)
	}
	return fmt.Sprintf("%dh%02dm after release", h, m)
}

// Note says when the group's date is not the issue's own: a zone already
// past the hour at the release gets it the next morning (that is the rule).
func (g PlanGroup) Note() string {
	part := "day"
	if g.Due.Hour() < 12 {
		part = "morning"
	}
	switch {
	case g.Days == 1:
		return "the " + part + " after the issue's date"
	case g.Days > 1:
		return fmt.Sprintf("%d days after the issue's date", g.Days)
	case g.Days == -1:
		return "the day before the issue's date"
	case g.Days < -1:
		return fmt.Sprintf("%d days before the issue's date", -g.Days)
	}
	return ""
}

// Line is the group in one line: "Europe/London (3 readers): Sat 24 Oct
// 06:00, 17h after release, the morning after the issue's date".
func (g PlanGroup) Line() string {
	s := g.Names() + ": " + g.When() + ", " + g.AfterRelease()
	if n := g.Note(); n != "" {
		s += ", " + n
	}
	return s
}

// Like says f's groups are prev's, a day later: the same zones, their
// clocks reading the same hour, as long after the release (a clock change
// in between makes them differ).
func (f PlanFire) Like(prev PlanFire) bool {
	if len(f.Groups) != len(prev.Groups) {
		return false
	}
	for i, g := range f.Groups {
		p := prev.Groups[i]
		if g.Names() != p.Names() || g.Due.Format("15:04") != p.Due.Format("15:04") || g.After != p.After || g.Days != p.Days {
			return false
		}
	}
	return true
}

// Shown are the max groups of f with the most readers, in the order they
// fall due; More counts the zones and readers of the rest.
func (f PlanFire) Shown(max int) []PlanGroup {
	keep := f.largest(max)
	out := make([]PlanGroup, 0, len(keep))
	for i, g := range f.Groups {
		if keep[i] {
			out = append(out, g)
		}
	}
	return out
}

// More is how many zones, and readers, the groups left out of Shown(max) have.
func (f PlanFire) More(max int) (zones, readers int) {
	keep := f.largest(max)
	for i, g := range f.Groups {
		if !keep[i] {
			zones += len(g.Zones)
			readers += g.Readers
		}
	}
	return zones, readers
}

// largest marks the max groups with the most readers (the earlier on a tie).
func (f PlanFire) largest(max int) map[int]bool {
	idx := make([]int, len(f.Groups))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return f.Groups[b].Readers - f.Groups[a].Readers })
	keep := map[int]bool{}
	for _, i := range idx[:min(max, len(idx))] {
		keep[i] = true
	}
	return keep
}
