package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"

	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
)

// unsubscribePage is the page of the unsubscribe link in every issue.
type unsubscribePage struct {
	site
	Email   string
	Action  string        // where the button posts
	Choices []unsubChoice // the subscriptions that can be ended; empty: nothing left
	Left    []string      // after the POST: the publications left
	Done    bool          // after the POST
	Test    bool          // the link of a test send or a preview: it names no one
}

// previewToken is the {token} of the unsubscribe link in previews of an
// issue, which are addressed to no one.
const previewToken = "preview"

// unsubChoice is one publication the reader may leave.
type unsubChoice struct {
	ID      int64
	Name    string
	Checked bool // the one the link was for
}

// unsubscribePage is GET /unsubscribe/{token}: a page with one button (and,
// for a subscriber of several publications, a choice of which to leave). It
// never changes anything: link scanners fetch every URL in a message.
func (s *Server) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	if pubID, ok := s.testLink(r); ok {
		s.showTestLink(w, r, pubID)
		return
	}
	tok, ok := s.verify(w, r, subscribers.PurposeUnsubscribe)
	if !ok {
		return
	}
	data, err := s.unsubscribeData(r.Context(), r, tok)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.showUnsubscribe(w, r, data)
}

// unsubscribe is POST /unsubscribe/{token}. A body of
// "List-Unsubscribe=One-Click" is RFC 8058 one-click: sent by the reader's
// mail provider with no cookie and no page, it unsubscribes at once and gets
// a short 200. Any other POST is the page's button, which ends the checked
// subscriptions (the link's own when none is checked). Both are idempotent,
// and both skip the reader's queued deliveries at once. The link of a test
// send or a preview changes nothing, and answers 200 as a real link does.
func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	if pubID, ok := s.testLink(r); ok {
		if r.PostForm.Get("List-Unsubscribe") == "One-Click" {
			plain(w, http.StatusOK, "test or preview message: nothing changed\n")
			return
		}
		s.showTestLink(w, r, pubID)
		return
	}
	tok, ok := s.verify(w, r, subscribers.PurposeUnsubscribe)
	if !ok {
		return
	}
	ctx := r.Context()
	if r.PostForm.Get("List-Unsubscribe") == "One-Click" { // RFC 8058 3.2
		err := s.work.Unsubscribe(ctx, tok.PublicationID, tok.SubscriberID, subscribers.ViaOneClick)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.log.Error("one-click unsubscribe", "subscriber", tok.SubscriberID, "err", err)
			plain(w, http.StatusInternalServerError, "error; please try again later\n")
			return
		}
		plain(w, http.StatusOK, "unsubscribed\n")
		return
	}
	data, err := s.unsubscribeData(ctx, r, tok)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	leave := []int64{tok.PublicationID}
	if vals := r.PostForm["publication"]; len(vals) > 0 {
		leave = leave[:0]
		for _, v := range vals {
			if id, err := strconv.ParseInt(v, 10, 64); err == nil {
				leave = append(leave, id)
			}
		}
	}
	// Only the subscriber's own subscriptions, named in publication order.
	leave = slices.DeleteFunc(leave, func(id int64) bool {
		return !slices.ContainsFunc(data.Choices, func(c unsubChoice) bool { return c.ID == id })
	})
	for _, c := range data.Choices {
		if slices.Contains(leave, c.ID) {
			data.Left = append(data.Left, c.Name)
		}
	}
	for _, id := range leave {
		err := s.work.Unsubscribe(ctx, id, tok.SubscriberID, subscribers.ViaLink)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.serverError(w, r, err)
			return
		}
	}
	data.Done, data.Choices = true, nil
	s.showUnsubscribe(w, r, data)
}

// unsubscribeData reads who the token names and what they subscribe to. A
// subscriber that no longer exists has nothing to leave.
func (s *Server) unsubscribeData(ctx context.Context, r *http.Request, tok subscribers.Token) (*unsubscribePage, error) {
	d, pubs, err := s.unsubscribeHead(ctx, r, tok.PublicationID)
	if err != nil {
		return nil, err
	}
	sub, err := s.read.Subscriber(ctx, tok.SubscriberID)
	if errors.Is(err, store.ErrNotFound) {
		return d, nil
	} else if err != nil {
		return nil, err
	}
	d.Email = sub.Email
	subs, err := s.read.Subscriptions(ctx, sub.ID)
	if err != nil {
		return nil, err
	}
	for _, p := range pubs {
		for _, su := range subs {
			if su.PublicationID == p.ID && su.Status != subscribers.Unsubscribed {
				d.Choices = append(d.Choices, unsubChoice{ID: p.ID, Name: p.Name, Checked: p.ID == tok.PublicationID})
			}
		}
	}
	return d, nil
}

// unsubscribeHead is the unsubscribe page with only its masthead filled in:
// that of the link's publication when it still exists, else the site's. It
// also returns the publications it read.
func (s *Server) unsubscribeHead(ctx context.Context, r *http.Request, pubID int64) (*unsubscribePage, []*newsletter.Publication, error) {
	pubs, err := s.publications(ctx)
	if err != nil {
		return nil, nil, err
	}
	d := &unsubscribePage{site: s.siteFor(pubs), Action: r.URL.Path}
	if i := slices.IndexFunc(pubs, func(p *newsletter.Publication) bool { return p.ID == pubID }); i >= 0 {
		d.SiteName, d.Tagline = pubs[i].Name, pubs[i].Tagline
	}
	return d, pubs, nil
}

// testLink reports whether the request's {token} is the unsubscribe link of
// a message sent to no subscriber: a test send's, validly signed for
// subscriber 0 (whose publication it returns), or a preview's. A changed or
// truncated token is not one.
func (s *Server) testLink(r *http.Request) (pubID int64, ok bool) {
	t := r.PathValue("token")
	if t == previewToken {
		return 0, true
	}
	tok, err := s.signer.Verify(t, subscribers.PurposeUnsubscribe, s.now())
	if err != nil || tok.SubscriberID != 0 {
		return 0, false
	}
	return tok.PublicationID, true
}

// showTestLink is the page of a test send's or a preview's unsubscribe link,
// for GET and POST alike: it says what the link does in a real issue and
// that nothing was changed.
func (s *Server) showTestLink(w http.ResponseWriter, r *http.Request, pubID int64) {
	d, _, err := s.unsubscribeHead(r.Context(), r, pubID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Test = true
	s.showUnsubscribe(w, r, d)
}

func (s *Server) showUnsubscribe(w http.ResponseWriter, r *http.Request, d *unsubscribePage) {
	pubs, err := s.publications(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, s.siteTheme(pubs), pageUnsubscribe, d)
}
