package web

import (
	"net/http"
	"slices"

	"masthead/newsletter"
	"masthead/subscribers"
)

// subscribe is POST /subscribe, the form on the front page: email, name and
// (with several publications) the publications wanted. It starts a double
// opt-in: the subscription is pending until the emailed link is confirmed
// (workspace.RequestConfirmation queues the email and wakes the queue).
//
// Whatever the address's state (new, pending, active, unsubscribed,
// suppressed, or over its rate limit), a well-formed submission gets the same
// answer, a redirect to /subscribe/sent (or to the form's redirect field, on
// a signup origin of the publications asked for: signup.go), so the form
// tells no one whether an address is subscribed. Only the reader's own
// typing mistakes are shown.
//
// A hidden timezone field carries the reader's time zone, which the page's
// script (static/timezone.js) fills from the browser; it is empty without
// JavaScript, and a value that is not an IANA name is dropped, not shown as
// an error. workspace.RequestConfirmation says why it becomes an existing
// subscriber's zone only when they confirm.
//
// The form may also come from the pages of a publication's signup origins
// (the newsroom's own site, signupForm); it then asks only for publications
// that allow that origin.
func (s *Server) subscribe(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	if !s.work.SendsConfirmations() {
		s.errorPage(w, r, http.StatusServiceUnavailable)
		return
	}
	ctx := r.Context()
	now := s.now()
	if !s.ipLimit.allow(s.clientIP(r), now) {
		s.log.Warn("subscribe form rate limit", "client", s.clientIP(r))
		s.errorPage(w, r, http.StatusTooManyRequests)
		return
	}
	form := subscribeForm{Email: r.PostForm.Get("email"), Name: r.PostForm.Get("name")}
	pubs, err := s.publications(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	origin, _ := s.signupOrigin(r) // allowed by signupForm
	chosen, ok := chooseFrom(pubs, r.PostForm["publication"], origin)
	if !ok {
		s.log.Info("subscribe form: a publication that does not allow the origin was asked for; refused",
			"origin", origin, "client", s.clientIP(r))
		s.errorPage(w, r, http.StatusForbidden)
		return
	}
	done := signupReturn(r, chosen)
	if r.PostForm.Get("website") != "" { // the hidden field only robots fill in
		s.log.Info("subscribe form: honeypot filled; ignored", "client", s.clientIP(r))
		http.Redirect(w, r, done, http.StatusSeeOther)
		return
	}
	back := "" // the archive the form was on, to show it again
	if from := r.PostForm.Get("from"); slices.ContainsFunc(pubs, func(p *newsletter.Publication) bool { return p.Slug == from }) {
		back = from
	}
	email, err := subscribers.Normalize(form.Email)
	if err != nil {
		form.Error = "Please enter a valid email address, such as jane@example.org."
		s.showHome(w, r, back, form, http.StatusBadRequest)
		return
	}
	name, err := subscribers.NormalizeName(form.Name)
	if err != nil {
		form.Error = "Please enter your name on one line, in at most 200 characters (or leave it empty)."
		s.showHome(w, r, back, form, http.StatusBadRequest)
		return
	}
	if len(chosen) == 0 {
		form.Error = "Please choose at least one publication."
		s.showHome(w, r, back, form, http.StatusBadRequest)
		return
	}
	if !s.addrLimit.allow(email, now) {
		s.log.Warn("subscribe form: address rate limit; no email sent", "client", s.clientIP(r))
	} else if err := s.work.RequestConfirmation(ctx, email, name, r.PostForm.Get("timezone"), chosen); err != nil {
		// Logged, not shown: the answer must not depend on the address.
		s.log.Error("subscribe form: confirmation not queued", "err", err)
	}
	http.Redirect(w, r, done, http.StatusSeeOther)
}

// choose returns the publications named by slugs; with one publication, it
// is chosen whatever the form said.
func choose(pubs []*newsletter.Publication, slugs []string) []*newsletter.Publication {
	if len(pubs) == 1 {
		return pubs
	}
	var out []*newsletter.Publication
	for _, p := range pubs {
		if slices.Contains(slugs, p.Slug) {
			out = append(out, p)
		}
	}
	return out
}

// sentPage is the answer to every well-formed subscription.
type sentPage struct {
	site
	Days int // how long the link works
}

// subscribeSent is GET /subscribe/sent.
func (s *Server) subscribeSent(w http.ResponseWriter, r *http.Request) {
	pubs, err := s.publications(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, s.siteTheme(pubs), pageSent,
		sentPage{site: s.siteFor(pubs), Days: int(s.confirmTTL.Hours() / 24)})
}
