package web

import (
	"context"
	"errors"
	"net/http"

	"masthead/store"
	"masthead/subscribers"
)

// confirmPage is the page of the double opt-in link (GET /confirm/{token}) and
// the answer to its button (POST).
type confirmPage struct {
	site
	Email           string
	PublicationName string
	Action          string // where the button posts
	Done            bool   // confirmed: the page says so and has no button
}

// confirmPage is GET /confirm/{token}: a page with one button. It changes
// nothing: mail scanners open every link in a message.
func (s *Server) confirmPage(w http.ResponseWriter, r *http.Request) {
	s.showConfirm(w, r, false)
}

// confirm is POST /confirm/{token}: the button. It activates the pending
// subscription; confirming twice is fine.
func (s *Server) confirm(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	tok, ok := s.verify(w, r, subscribers.PurposeConfirm)
	if !ok {
		return
	}
	// The zone the reader's own browser reports as they confirm (the page's
	// script; none without JavaScript) wins over the subscribe form's.
	err := s.work.ConfirmFrom(r.Context(), tok.SubscriberID, tok.PublicationID, subscribers.ViaLink, r.PostFormValue("timezone"))
	switch {
	case errors.Is(err, subscribers.ErrNotPending):
		s.errorPageText(w, r, http.StatusConflict, "Nothing to confirm",
			"This subscription was cancelled after the link was sent. To subscribe again, use the form on the main page.")
		return
	case errors.Is(err, subscribers.ErrSuppressed):
		s.errorPageText(w, r, http.StatusConflict, "This address cannot be subscribed",
			"Mail to this address bounced or was reported as unwanted, so we no longer send to it. Please write to the editors.")
		return
	case errors.Is(err, store.ErrNotFound):
		s.badLink(w, r, subscribers.PurposeConfirm)
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	if to := s.confirmedReturn(r.Context(), tok.PublicationID); to != "" {
		http.Redirect(w, r, to, http.StatusSeeOther) // the publication's own page says it is done
		return
	}
	s.showConfirm(w, r, true)
}

// confirmedReturn is the page on the publication's signup origin that
// readers land on after confirming; empty: this site's page.
func (s *Server) confirmedReturn(ctx context.Context, pubID int64) string {
	pub, err := s.read.Publication(ctx, pubID)
	if err != nil {
		s.log.Warn("confirm: publication not read; this site's page shown", "publication", pubID, "err", err)
		return ""
	}
	if u, ok := pub.SignupReturn(pub.SignupConfirmedURL); ok {
		return u
	}
	return ""
}

func (s *Server) showConfirm(w http.ResponseWriter, r *http.Request, done bool) {
	tok, ok := s.verify(w, r, subscribers.PurposeConfirm)
	if !ok {
		return
	}
	ctx := r.Context()
	sub, err := s.read.Subscriber(ctx, tok.SubscriberID)
	if errors.Is(err, store.ErrNotFound) {
		s.badLink(w, r, subscribers.PurposeConfirm)
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	pub, err := s.read.Publication(ctx, tok.PublicationID)
	if errors.Is(err, store.ErrNotFound) {
		s.badLink(w, r, subscribers.PurposeConfirm)
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	pubs, err := s.publications(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if u, ok := pub.SignupReturn(pub.SignupConfirmedURL); ok && !done {
		// The button's answer redirects there, and browsers apply
		// form-action to a form's redirects too.
		w.Header().Set("Content-Security-Policy", cspFormAction(u))
	}
	s.render(w, r, http.StatusOK, s.siteTheme(pubs), pageConfirm, confirmPage{
		site: s.siteFor(pubs), Email: sub.Email, PublicationName: pub.Name, Action: r.URL.Path, Done: done,
	})
}
