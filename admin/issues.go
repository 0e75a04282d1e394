package admin

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"masthead/internal/plural"
	"masthead/ledger"
	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
	"masthead/web/httpauth"
	"masthead/workspace"
)

// dayRow is one date of the issues page: its issue if assembled, and its articles.
type dayRow struct {
	Date          newsletter.Date
	Today         bool
	Issue         *newsletter.Issue // nil before assembly
	Label         string            // "Volume 3, Number 153" (calendar numbering tells it before assembly)
	Ready, Drafts int
}

type issuesData struct {
	Upcoming []dayRow
	Recent   []*newsletter.Issue
}

// listIssues shows today's and the coming week's issues, and the recent ones.
func (a *Admin) listIssues(w http.ResponseWriter, r *http.Request) {
	p, ok := a.publication(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	today := a.work.Today(p)
	d := &issuesData{}
	for i := range 7 {
		day := today.AddDays(i)
		row := dayRow{Date: day, Today: i == 0}
		iss, err := a.work.Reads().IssueByDate(ctx, p.ID, day)
		switch {
		case err == nil:
			row.Issue, row.Label = iss, iss.Label()
		case !errors.Is(err, store.ErrNotFound):
			a.serverError(w, r, err)
			return
		case p.Numbering == newsletter.Calendar:
			if v, n, err := p.CalendarNumber(day); err == nil {
				row.Label = fmt.Sprintf("Volume %d, Number %d", v, n)
			}
		}
		arts, err := a.work.Reads().ArticlesFor(ctx, p.ID, day, "")
		if err != nil {
			a.serverError(w, r, err)
			return
		}
		for _, ar := range arts {
			if ar.Status == newsletter.Ready {
				row.Ready++
			} else {
				row.Drafts++
			}
		}
		d.Upcoming = append(d.Upcoming, row)
	}
	recent, err := a.work.Reads().Issues(ctx, store.IssueFilter{PublicationID: p.ID, To: today.AddDays(-1), Newest: true, Limit: 14})
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	d.Recent = recent
	a.render(w, r, http.StatusOK, "issues", &view{Title: "Issues", Nav: "issues", Pub: p, Data: d})
}

type issueData struct {
	Date newsletter.Date
	// Edition is 0 for the date's daily issue, N for its extra N; Ref is
	// the page's address segment (newsletter.Issue.Ref).
	Edition int
	Ref     string
	// Extras are the date's extra editions, listed on the daily's page with
	// the form that adds one.
	Extras    []*newsletter.Issue
	Label     string
	Issue     *newsletter.Issue // nil before assembly
	Articles  []*newsletter.Article
	Progress  *workspace.Progress
	SendAt    string // the send time in the publication's zone, for the schedule form
	TestTo    string
	Zone      string
	CanChange bool // not frozen: may be assembled, scheduled, held, skipped
	// Suppressed counts the suppressions the issue's send made by itself
	// (offered for lifting at once: a relay that refused everyone).
	Suppressed int
	// PreviewText is the text email as a subscriber gets it, shown in the
	// page at its own width (78 columns) rather than framed and wrapped again.
	PreviewText string
}

// date reads the {date} path value: a date (its daily issue) or a date and
// an extra edition, 2009-07-09-extra-1 (newsletter.Issue.Ref). On failure
// it has answered 404.
func (a *Admin) date(w http.ResponseWriter, r *http.Request) (newsletter.Date, int, bool) {
	d, e, err := newsletter.ParseRef(r.PathValue("date"))
	if err != nil {
		a.notFound(w, r)
		return d, 0, false
	}
	return d, e, true
}

// showIssue is the issue's page: its articles in order, the actions its state
// allows, previews, the test send, and the progress of its send.
func (a *Admin) showIssue(w http.ResponseWriter, r *http.Request) {
	p, ok := a.publication(w, r)
	if !ok {
		return
	}
	date, edition, ok := a.date(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	d := &issueData{Date: date, Edition: edition, Ref: newsletter.EditionRef(date, edition), Zone: p.TimeZone,
		TestTo: httpauth.FromContext(ctx).User.Email, CanChange: true}
	iss, err := a.work.Reads().IssueByEdition(ctx, p.ID, date, edition)
	switch {
	case errors.Is(err, store.ErrNotFound) && edition > 0:
		a.notFound(w, r) // an extra is there once created
		return
	case err == nil:
		d.Issue, d.Label, d.CanChange = iss, iss.Label(), !iss.Status.Frozen()
		if text, err := a.work.Preview(p, iss, "text"); err == nil {
			d.PreviewText = string(text)
		}
		if !iss.SendAt.IsZero() {
			d.SendAt = iss.SendAt.In(p.Location()).Format("15:04")
		}
		if !iss.StartedAt.IsZero() || iss.Status.Frozen() {
			pr, err := a.work.Progress(ctx, iss)
			if err != nil {
				a.serverError(w, r, err)
				return
			}
			d.Progress = &pr
			if d.Suppressed, err = a.work.Reads().SendSuppressions(ctx, iss.ID); err != nil {
				a.serverError(w, r, err)
				return
			}
		}
	case !errors.Is(err, store.ErrNotFound):
		a.serverError(w, r, err)
		return
	}
	arts, err := a.work.Reads().EditionArticles(ctx, p.ID, date, edition, "")
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	newsletter.SortArticles(p, arts)
	d.Articles = arts
	if edition == 0 {
		all, err := a.work.Reads().IssuesOn(ctx, p.ID, date)
		if err != nil {
			a.serverError(w, r, err)
			return
		}
		for _, x := range all {
			if x.IsExtra() {
				d.Extras = append(d.Extras, x)
			}
		}
	}
	title := "Issue of " + date.Long()
	if d.Issue != nil && d.Issue.IsExtra() {
		title = d.Issue.EditionTitle + " of " + date.Long()
	}
	a.render(w, r, http.StatusOK, "issue", &view{Title: title, Nav: "issues", Pub: p, Data: d})
}

// issue loads the stored issue of {date}; on failure it has answered.
func (a *Admin) issue(w http.ResponseWriter, r *http.Request) (*newsletter.Publication, *newsletter.Issue, bool) {
	p, ok := a.publication(w, r)
	if !ok {
		return nil, nil, false
	}
	date, edition, ok := a.date(w, r)
	if !ok {
		return nil, nil, false
	}
	iss, err := a.work.Reads().IssueByEdition(r.Context(), p.ID, date, edition)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			a.notFound(w, r)
		} else {
			a.serverError(w, r, err)
		}
		return nil, nil, false
	}
	return p, iss, true
}

// previewIssue serves the issue's HTML or text body as a subscriber gets it,
// to be shown in a sandboxed frame of the issue page.
func (a *Admin) previewIssue(w http.ResponseWriter, r *http.Request) {
	p, iss, ok := a.issue(w, r)
	if !ok {
		return
	}
	format := r.URL.Query().Get("format")
	body, err := a.work.Preview(p, iss, format)
	if err != nil {
		a.errorPage(w, r, httpauth.FromContext(r.Context()), http.StatusBadRequest, "format must be html or text")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if format == "text" {
		h.Set("Content-Type", "text/plain; charset=utf-8")
	}
	// Framed by the issue page only; the email's own markup runs with no
	// script and no access to the admin (sandbox).
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src https: data:; style-src 'unsafe-inline'; frame-ancestors 'self'")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	w.Write(body)
}

// progress is the send's progress as JSON, polled by the issue page.
func (a *Admin) progress(w http.ResponseWriter, r *http.Request) {
	_, iss, ok := a.issue(w, r)
	if !ok {
		return
	}
	pr, err := a.work.Progress(r.Context(), iss)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(pr)
}

type ledgerData struct {
	Issue      *newsletter.Issue
	Query      string
	Status     string
	Deliveries []*ledger.Delivery
	Progress   workspace.Progress
	More       bool
	Now        time.Time // rows queued for later than this show when they are due
}

// ledger is the issue's per-recipient ledger, searchable by address.
func (a *Admin) ledger(w http.ResponseWriter, r *http.Request) {
	p, iss, ok := a.issue(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	d := &ledgerData{Issue: iss, Query: q.Get("q"), Status: q.Get("status"), Now: a.work.Now()}
	const limit = 200
	rows, err := a.work.Reads().Deliveries(r.Context(), store.DeliveryFilter{IssueID: iss.ID, Search: d.Query,
		Status: ledger.DeliveryStatus(d.Status), Limit: limit + 1})
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if len(rows) > limit {
		rows, d.More = rows[:limit], true
	}
	d.Deliveries = rows
	if d.Progress, err = a.work.Progress(r.Context(), iss); err != nil {
		a.serverError(w, r, err)
		return
	}
	a.render(w, r, http.StatusOK, "ledger", &view{Title: "Ledger of " + iss.Date.Long(), Nav: "issues", Pub: p, Data: d})
}

// issueAction performs one of the issue page's buttons.
func (a *Admin) issueAction(w http.ResponseWriter, r *http.Request) {
	p, ok := a.publication(w, r)
	if !ok {
		return
	}
	date, edition, ok := a.date(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	back := "/admin/issues/" + newsletter.EditionRef(date, edition)
	action := r.PathValue("action")
	var err error
	var flash string
	stored := func() (*newsletter.Issue, error) { return a.work.Reads().IssueByEdition(ctx, p.ID, date, edition) }
	switch action {
	case "extra":
		if edition != 0 {
			a.notFound(w, r) // extras are added from the date's daily page
			return
		}
		var iss *newsletter.Issue
		if iss, err = a.work.CreateExtra(ctx, p, date, r.PostFormValue("title"), r.PostFormValue("subject")); err == nil {
			back = "/admin/issues/" + iss.Ref()
			flash = fmt.Sprintf("Created %s (Number %s): add its articles, then send it.", iss.Label(), iss.NumberLabel())
		}
	case "assemble":
		var iss *newsletter.Issue
		if iss, err = a.work.AssembleEdition(ctx, p, date, edition); err == nil {
			flash = "Assembled " + iss.Label() + "."
		}
	case "schedule":
		var at time.Time
		if at, err = workspace.ParseAt(p, date, r.PostFormValue("at")); err == nil {
			if _, err = a.work.ScheduleEdition(ctx, p, date, edition, at); err == nil {
				flash = "Scheduled for " + at.In(p.Location()).Format("Monday 15:04 MST") + "."
			}
		}
	case "unschedule":
		err, flash = ignore(a.work.UnscheduleEdition(ctx, p, date, edition)), "Back on the daily schedule."
		if edition > 0 {
			flash = "Its own send time is taken back: it goes when sent."
		}
	case "hold":
		err, flash = ignore(a.work.HoldEdition(ctx, p, date, edition)), "Held: nothing sends it until released."
	case "release":
		var removed bool
		if _, removed, err = a.work.ReleaseEdition(ctx, p, date, edition); removed {
			flash = "Released: " + workspace.RemovedNote(p) + "."
		} else {
			flash = "Released."
		}
	case "skip":
		err, flash = ignore(a.work.SkipEdition(ctx, p, date, edition)), "Skipped: this date is not published."
		if edition > 0 {
			flash = "Skipped: this extra is not published."
		}
	case "subject":
		var iss *newsletter.Issue
		if iss, err = stored(); err == nil {
			if iss, err = a.work.SetSubject(ctx, p, iss, r.PostFormValue("subject")); err == nil {
				flash = "Subject: " + iss.Subject
			}
		}
	case "send":
		var res ledger.StartResult
		if _, res, err = a.work.SendEdition(ctx, p, date, edition); err == nil {
			flash = "Sending to " + plural.Count(res.Queued, "subscriber", "subscribers") + "."
			if res.Resumed {
				flash = "Sending resumed."
			}
		}
	case "pause", "resume", "cancel", "deliver-now", "test", "lift-suppressions":
		var iss *newsletter.Issue
		if iss, err = stored(); err != nil {
			break
		}
		switch action {
		case "pause":
			err, flash = a.work.Pause(ctx, iss), "Paused; resume to go on where it stopped."
		case "resume":
			err, flash = a.work.Resume(ctx, iss), "Resumed."
		case "cancel":
			err, flash = a.work.Cancel(ctx, iss), "Cancelled; unsent messages will not go out."
		case "deliver-now":
			var n int
			n, err = a.work.DeliverNow(ctx, iss)
			flash = "Sending " + plural.Count(n, "waiting copy", "waiting copies") + " now, not at each reader's local time."
			if iss.Status == newsletter.Paused {
				flash = plural.Count(n, "waiting copy goes", "waiting copies go") + " as soon as the send is resumed, not at each reader's local time."
			}
		case "test":
			to := r.PostFormValue("email")
			err, flash = a.work.TestSend(ctx, iss, to), "Test sent to "+to+"."
		case "lift-suppressions":
			var lift store.SendLift
			lift, err = a.work.LiftSendSuppressions(ctx, iss, subscribers.ViaEditor, httpauth.FromContext(ctx).User.Email)
			flash = fmt.Sprintf("Lifted %s this send made; %d of their messages are queued again.",
				plural.Count(len(lift.Lifted), "suppression", "suppressions"), lift.Requeued)
		}
	default:
		a.notFound(w, r)
		return
	}
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			err = fmt.Errorf("%w: assemble the issue first", workspace.ErrState)
		}
		msg, ok := a.userMessage(r, err)
		if !ok {
			a.serverError(w, r, err)
			return
		}
		a.redirect(w, r, back, "Not done: "+msg)
		return
	}
	a.redirect(w, r, back, flash)
}

// ignore drops an issue result, keeping the error.
func ignore(_ *newsletter.Issue, err error) error { return err }
