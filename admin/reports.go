package admin

import (
	"errors"
	"html/template"
	"net/http"

	"masthead/reports"
	"masthead/store"
)

// reportData is the issue report page: the report and its charts, drawn on
// the server as SVG (no JavaScript), readable in light and dark mode.
type reportData struct {
	R               *reports.IssueReport
	Ref             string // the issue's address segment (its date, or date and edition)
	Timeline, Links template.HTML
	ByClicks        []reports.LinkFigures
}

// issueReport is GET /admin/issues/{date}/report.
func (a *Admin) issueReport(w http.ResponseWriter, r *http.Request) {
	p, ok := a.publication(w, r)
	if !ok {
		return
	}
	date, edition, ok := a.date(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	iss, err := a.work.Reads().IssueByEdition(ctx, p.ID, date, edition)
	if errors.Is(err, store.ErrNotFound) {
		a.notFound(w, r)
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	rep, err := a.work.IssueReport(ctx, p, iss)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	// The SVG is built by package reports from numbers and escaped text only.
	d := &reportData{R: rep, Ref: iss.Ref(), Timeline: template.HTML(rep.TimelineSVG()), Links: template.HTML(rep.LinksSVG()),
		ByClicks: rep.LinksByClicks()}
	a.render(w, r, http.StatusOK, "report", &view{Title: "Report · " + date.Long(), Nav: "issues", Pub: p, Data: d})
}

// growthData is the publication's growth page.
type growthData struct {
	G                 *reports.GrowthReport
	Growth, ClickRate template.HTML
}

// growthReport is GET /admin/growth: subscribes, unsubscribes and bounces per
// day and the click rate per issue over the last 90 days.
func (a *Admin) growthReport(w http.ResponseWriter, r *http.Request) {
	p, ok := a.publication(w, r)
	if !ok {
		return
	}
	g, err := a.work.GrowthReport(r.Context(), p, reports.GrowthDays)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	d := &growthData{G: g, Growth: template.HTML(g.GrowthSVG()), ClickRate: template.HTML(g.ClickRateSVG())}
	a.render(w, r, http.StatusOK, "growth", &view{Title: "Growth", Nav: "growth", Pub: p, Data: d})
}
