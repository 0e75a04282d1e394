package web

import (
	"errors"
	"net/http"

	"masthead/subscribers"
)

// verify checks the {token} of the request's path for purpose p. On failure
// it has answered with a 400 page that says what to do, and returns false: a
// truncated or tampered link is the reader's problem to fix, never a 500.
func (s *Server) verify(w http.ResponseWriter, r *http.Request, p subscribers.Purpose) (subscribers.Token, bool) {
	tok, err := s.signer.Verify(r.PathValue("token"), p, s.now())
	if err == nil && tok.SubscriberID > 0 {
		return tok, true
	}
	if err != nil && !errors.Is(err, subscribers.ErrBadToken) {
		s.log.Warn("token check", "err", err)
	}
	s.badLink(w, r, p)
	return subscribers.Token{}, false
}

// badLink answers 400 for a confirm or unsubscribe link that does not work.
func (s *Server) badLink(w http.ResponseWriter, r *http.Request, p subscribers.Purpose) {
	msg := "This unsubscribe link is incomplete or has been changed. Copy the whole link from the email " +
		"(it can break across lines), or use the link at the bottom of any issue."
	if p == subscribers.PurposeConfirm {
		msg = "This confirmation link is incomplete, has been changed, or has expired. Copy the whole link " +
			"from the email, or subscribe again on the main page to get a new one."
	}
	s.errorPageText(w, r, http.StatusBadRequest, "This link does not work", msg)
}
