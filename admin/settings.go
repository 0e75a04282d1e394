package admin

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"masthead/newsletter"
	"masthead/workspace"
)

type settingsData struct {
	P           *newsletter.Publication
	VolumeStart string
	Sections    string
	NextFires   []workspace.Fire
	FireError   string
	// Plan is when each zone's readers get the next issues, for a
	// publication that delivers at each reader's local time.
	Plan      *workspace.LocalPlan
	PlanFires []planFire
	PlanError string
	// The signup settings as the form shows them, and the subscribe form
	// for the newsroom's own pages (SnippetError when it cannot be made).
	SignupOrigins string
	Redirect      string
	Snippet       string
	SnippetError  string
}

// settingsPage shows the publication's settings with the next five times its
// schedule fires, in its own zone.
func (a *Admin) settingsPage(w http.ResponseWriter, r *http.Request) {
	p, ok := a.publication(w, r)
	if !ok {
		return
	}
	a.showSettings(w, r, http.StatusOK, p, p, "")
}

func (a *Admin) showSettings(w http.ResponseWriter, r *http.Request, status int, current, form *newsletter.Publication, msg string) {
	d := &settingsData{P: form, VolumeStart: form.VolumeStart.String(), Sections: strings.Join(form.Sections, ", ")}
	fires, err := a.work.UpcomingFires(r.Context(), form, 5)
	if err != nil {
		d.FireError = err.Error()
	}
	d.NextFires = fires
	if d.Plan, err = a.work.LocalPlan(r.Context(), form, planFires); err != nil {
		d.PlanError = "the plan could not be made: " + err.Error()
	} else if d.Plan != nil {
		d.PlanFires = planRows(d.Plan)
	}
	d.SignupOrigins = strings.Join(form.SignupOrigins, ", ")
	d.Redirect = r.URL.Query().Get("redirect")
	if d.Snippet, err = a.work.SignupSnippet(current, d.Redirect); err != nil {
		d.SnippetError = err.Error()
		if d.Snippet, err = a.work.SignupSnippet(current, ""); err != nil {
			d.Snippet = ""
		}
	}
	a.render(w, r, status, "settings", &view{Title: "Settings", Nav: "settings", Pub: current, Error: msg, Data: d})
}

func (a *Admin) saveSettings(w http.ResponseWriter, r *http.Request) {
	p, ok := a.publication(w, r)
	if !ok {
		return
	}
	orig := *p
	f := r.PostForm
	p.Name, p.Tagline, p.From, p.ReplyTo = f.Get("name"), f.Get("tagline"), f.Get("from"), f.Get("reply_to")
	p.Address, p.TimeZone, p.Schedule, p.Copyright = f.Get("address"), f.Get("timezone"), f.Get("schedule"), f.Get("copyright")
	p.UnsubscribeMailto = f.Get("unsubscribe_mailto")
	if f.Has("base_url") { // normalised and checked by SavePublication
		p.BaseURL = f.Get("base_url")
	}
	if f.Has("deliver") { // kept when the form has no such field
		p.Deliver, p.LocalTime = newsletter.Deliver(f.Get("deliver")), strings.TrimSpace(f.Get("local_time"))
	}
	p.Numbering, p.EmptyPolicy = newsletter.Numbering(f.Get("numbering")), newsletter.EmptyPolicy(f.Get("empty_policy"))
	p.PerSubscriberFigures, p.TrackOpens = f.Get("per_subscriber_figures") == "on", f.Get("track_opens") == "on"
	if v := strings.TrimSpace(f.Get("figures_retention_days")); v != "" {
		if days, err := strconv.Atoi(v); err == nil {
			p.FiguresRetentionDays = days
		} else {
			p.FiguresRetentionDays = -1 // refused by the validation, which names the field
		}
	}
	if f.Has("signup_origins") { // kept when the form has no such field
		// The list as typed: a bad origin is refused by the validation, which names it.
		p.SignupOrigins = strings.FieldsFunc(f.Get("signup_origins"), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' })
	}
	if f.Has("signup_confirmed_url") {
		p.SignupConfirmedURL = f.Get("signup_confirmed_url")
	}
	if f.Has("welcome_subject") {
		p.WelcomeEmail = f.Get("welcome_email") == "on"
		p.WelcomeSubject, p.WelcomeBody = f.Get("welcome_subject"), strings.TrimSpace(strings.ReplaceAll(f.Get("welcome_body"), "\r\n", "\n"))
	}
	if f.Has("greeting") { // kept when the form has no such field
		p.Wording = newsletter.Wording{Greeting: strings.TrimSpace(f.Get("greeting")),
			Promise: strings.TrimSpace(f.Get("promise")), BackToTop: strings.TrimSpace(f.Get("back_to_top")),
			GoToTop: f.Get("go_to_top") == "on", GoToTopLabel: strings.TrimSpace(f.Get("go_to_top_label")),
			StraightQuotes: f.Get("typographic_quotes") != "on"}
		p.Language = strings.TrimSpace(f.Get("language"))
	}
	p.Sections = nil
	for _, s := range strings.Split(f.Get("sections"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			p.Sections = append(p.Sections, s)
		}
	}
	var err error
	if p.VolumeStart, err = newsletter.ParseDate(f.Get("volume_start")); err != nil {
		err = &newsletter.FieldError{Field: "volume-start", Msg: err.Error()}
	} else {
		err = a.work.SavePublication(r.Context(), p)
	}
	if err != nil {
		var fe *newsletter.FieldError
		var fes newsletter.Errors
		if !errors.As(err, &fes) && !errors.As(err, &fe) {
			a.serverError(w, r, err)
			return
		}
		msg := err.Error()
		var late *newsletter.LateRelease
		if errors.As(err, &late) {
			msg = "Delivery: " + late.Explain("the schedule '%s'", "the local time to %s")
		}
		a.showSettings(w, r, http.StatusUnprocessableEntity, &orig, p, msg)
		return
	}
	a.redirect(w, r, "/admin/settings", "Settings saved.")
}

// The plan shows five releases, at most eight groups of zones each.
const (
	planFires  = 5
	planGroups = 8
)

// planFire is one release of the plan as the page shows it: its groups, or
// Like when they are those of the release before, a day later.
type planFire struct {
	workspace.PlanFire
	Like         bool
	Shown        []workspace.PlanGroup
	Others       int // zones not shown
	OtherReaders int // their readers
}

func planRows(plan *workspace.LocalPlan) []planFire {
	out := make([]planFire, len(plan.Fires))
	for i, f := range plan.Fires {
		out[i] = planFire{PlanFire: f, Like: i > 0 && f.Like(plan.Fires[i-1]), Shown: f.Shown(planGroups)}
		out[i].Others, out[i].OtherReaders = f.More(planGroups)
	}
	return out
}
