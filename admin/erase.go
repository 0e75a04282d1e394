package admin

import (
	"errors"
	"net/http"

	"masthead/store"
	"masthead/web/httpauth"
)

// eraseData is the confirmation page of an erasure: what goes.
type eraseData struct {
	ID     int64
	Email  string
	Name   string
	Events int
}

// eraseSubscriber is a person's erasure (GDPR art. 17), an admin's
// decision in two steps: the subscriber page's button posts here and gets
// the confirmation page, which says what goes and posts again with
// confirm=yes; only then is the person erased (workspace.EraseSubscriber),
// and the admin lands on the subscriber list with what was done.
func (a *Admin) eraseSubscriber(w http.ResponseWriter, r *http.Request) {
	p, id, h, ok := a.subscriberPage(w, r)
	if !ok {
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		a.render(w, r, http.StatusOK, "erase", &view{Title: "Erase " + h.Subscriber.Email, Nav: "subscribers", Pub: p,
			Data: &eraseData{ID: id, Email: h.Subscriber.Email, Name: h.Subscriber.Name, Events: len(h.Events)}})
		return
	}
	who := httpauth.FromContext(r.Context()).User.Email
	e, err := a.work.EraseSubscriber(r.Context(), h.Subscriber.Email, "admin "+who)
	if errors.Is(err, store.ErrNotFound) {
		a.notFound(w, r)
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	a.redirect(w, r, "/admin/subscribers", e.Summary())
}
