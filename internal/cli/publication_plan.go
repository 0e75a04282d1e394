package cli

import (
	"context"
	"fmt"

	"masthead/internal/plural"
	"masthead/newsletter"
	"masthead/workspace"
)

// planFires and planGroups keep the plan compact: five releases, at most
// eight groups of zones each.
const (
	planFires  = 5
	planGroups = 8
)

// deliverSummary is the deliver setting in a word or two: "at-once",
// "local 06:00", "local (the schedule's time)".
func deliverSummary(p *newsletter.Publication) string {
	if p.Deliver != newsletter.DeliverLocal {
		return string(newsletter.DeliverAtOnce)
	}
	if p.LocalTime == "" {
		return "local (the schedule's time)"
	}
	return "local " + p.LocalTime
}

// printLocalPlan prints when p's readers get its next issues, group by
// group of zones: publication set after a change of delivery, and
// publication show.
func (a *app) printLocalPlan(ctx context.Context, work *workspace.Service, p *newsletter.Publication) error {
	plan, err := work.LocalPlan(ctx, p, planFires)
	if err != nil || plan == nil {
		return err
	}
	w := a.env.Stdout
	fmt.Fprintf(w, "each reader gets the issue at %s on their own clock (%s in %s):\n",
		plan.Clock, plural.Count(plan.Readers, "reader", "readers"), plural.Count(plan.Zones, "zone", "zones"))
	if len(plan.Fires) == 0 {
		fmt.Fprintln(w, "  no daily schedule: each issue is released when an editor sends it")
		return nil
	}
	if plan.Readers == 0 {
		fmt.Fprintf(w, "  no active readers yet; the next release: %s %s\n", plan.Fires[0].Release.Format("Mon 2 Jan 15:04"), plan.Zone)
		return nil
	}
	for i, f := range plan.Fires {
		head := fmt.Sprintf("release %s %s, the issue of %s", f.Release.Format("Mon 2 Jan 15:04"), plan.Zone, f.Date)
		// A release like the one before (the same groups, as long after
		// it, on the same day) takes one line; a clock change shows in full.
		if i > 0 && f.Like(plan.Fires[i-1]) {
			fmt.Fprintf(w, "%s: as the day before\n", head)
			continue
		}
		fmt.Fprintf(w, "%s:\n", head)
		for _, g := range f.Shown(planGroups) {
			fmt.Fprintf(w, "  %s\n", g.Line())
		}
		if zones, readers := f.More(planGroups); zones > 0 {
			fmt.Fprintf(w, "  and %s in %s more\n", plural.Count(readers, "reader", "readers"), plural.Count(zones, "zone", "zones"))
		}
	}
	return nil
}
