package admin

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"masthead/auth"
	"masthead/ledger"
	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
	"masthead/web/httpauth"
	"masthead/workspace"
)

func errorsIsNotFound(err error) bool   { return errors.Is(err, store.ErrNotFound) }
func errorsIsSuppressed(err error) bool { return errors.Is(err, subscribers.ErrSuppressed) }

type subscribersData struct {
	Query   string
	List    []*subscribers.Listing
	Counts  map[subscribers.Status]int
	Report  *subscribers.ImportReport
	IsAdmin bool
}

// listSubscribers searches subscribers by address or name.
func (a *Admin) listSubscribers(w http.ResponseWriter, r *http.Request) {
	p, ok := a.publication(w, r)
	if !ok {
		return
	}
	a.showSubscribers(w, r, http.StatusOK, p.ID, nil, "")
}

func (a *Admin) showSubscribers(w http.ResponseWriter, r *http.Request, status int, pubID int64, rep *subscribers.ImportReport, msg string) {
	p, ok := a.publication(w, r)
	if !ok {
		return
	}
	q := r.URL.Query().Get("q")
	list, err := a.work.Reads().SearchSubscribers(r.Context(), store.SubscriberFilter{Text: q, Limit: 100})
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	counts, err := a.work.Reads().SubscriberCounts(r.Context(), pubID)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	isAdmin := httpauth.FromContext(r.Context()).User.Role.Allows(auth.Admin)
	a.render(w, r, status, "subscribers", &view{Title: "Subscribers", Nav: "subscribers", Pub: p, Error: msg,
		Data: &subscribersData{Query: q, List: list, Counts: counts, Report: rep, IsAdmin: isAdmin}})
}

func (a *Admin) addSubscriber(w http.ResponseWriter, r *http.Request) {
	p, ok := a.publication(w, r)
	if !ok {
		return
	}
	sub, err := a.work.AddSubscriber(r.Context(), p, r.PostFormValue("email"), r.PostFormValue("name"), r.PostFormValue("timezone"),
		r.PostFormValue("pending") != "", subscribers.ViaEditor)
	if err != nil {
		msg, ok := a.userMessage(r, err)
		if !ok {
			a.serverError(w, r, err)
			return
		}
		a.showSubscribers(w, r, http.StatusUnprocessableEntity, p.ID, nil, msg)
		return
	}
	a.redirect(w, r, fmt.Sprintf("/admin/subscribers/%d", sub.ID), "Added "+sub.Email+".")
}

type subscriberData struct {
	*workspace.History
	Deliveries []*ledger.Delivery
	Zone       string // the time zone field's value
	IsAdmin    bool   // admins may erase the person
}

func (a *Admin) subscriberID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		a.notFound(w, r)
		return 0, false
	}
	return id, true
}

// showSubscriber is one subscriber's history: subscriptions, each change and
// how it came, suppression, and their recent deliveries.
func (a *Admin) showSubscriber(w http.ResponseWriter, r *http.Request) {
	a.renderSubscriber(w, r, http.StatusOK, "", "")
}

// renderSubscriber shows the subscriber page with status; msg, when not
// empty, is an error about the time zone field, which shows zone again.
func (a *Admin) renderSubscriber(w http.ResponseWriter, r *http.Request, status int, msg, zone string) {
	p, id, h, ok := a.subscriberPage(w, r)
	if !ok {
		return
	}
	dels, err := a.work.SubscriberDeliveries(r.Context(), id, 30)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if msg == "" {
		zone = h.Subscriber.TimeZone
	}
	a.render(w, r, status, "subscriber", &view{Title: h.Subscriber.Email, Nav: "subscribers", Pub: p, Error: msg,
		Data: &subscriberData{History: h, Deliveries: dels, Zone: zone, IsAdmin: httpauth.FromContext(r.Context()).User.Role.Allows(auth.Admin)}})
}

// setTimeZone is the subscriber page's time zone field: an IANA name, or
// empty for the publication's.
func (a *Admin) setTimeZone(w http.ResponseWriter, r *http.Request) {
	id, ok := a.subscriberID(w, r)
	if !ok {
		return
	}
	zone := r.PostFormValue("timezone")
	sub, err := a.work.SetSubscriberTimeZone(r.Context(), id, zone, subscribers.ViaEditor)
	switch {
	case errors.Is(err, store.ErrNotFound):
		a.notFound(w, r)
		return
	case err != nil:
		msg, ok := a.userMessage(r, err)
		if !ok {
			a.serverError(w, r, err)
			return
		}
		a.renderSubscriber(w, r, http.StatusUnprocessableEntity, msg, zone)
		return
	}
	done := "Time zone set to " + sub.TimeZone + "."
	if sub.TimeZone == "" {
		done = "Time zone cleared: the publication's is used."
	}
	a.redirect(w, r, fmt.Sprintf("/admin/subscribers/%d", id), done)
}

func (a *Admin) unsubscribe(w http.ResponseWriter, r *http.Request) {
	p, ok := a.publication(w, r)
	if !ok {
		return
	}
	id, ok := a.subscriberID(w, r)
	if !ok {
		return
	}
	if err := a.work.Unsubscribe(r.Context(), p.ID, id, subscribers.ViaEditor); err != nil {
		a.serverError(w, r, err)
		return
	}
	a.redirect(w, r, fmt.Sprintf("/admin/subscribers/%d", id), "Unsubscribed from "+p.Name+".")
}

func (a *Admin) liftSuppression(w http.ResponseWriter, r *http.Request) {
	id, ok := a.subscriberID(w, r)
	if !ok {
		return
	}
	sub, err := a.work.Reads().Subscriber(r.Context(), id)
	if err == nil {
		who := httpauth.FromContext(r.Context()).User.Email
		err = a.work.LiftSuppression(r.Context(), sub.Email, subscribers.ViaEditor, "lifted by "+who)
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	a.redirect(w, r, fmt.Sprintf("/admin/subscribers/%d", id), "Suppression lifted.")
}

// importSubscribers reads an uploaded CSV and shows the import's report.
func (a *Admin) importSubscribers(w http.ResponseWriter, r *http.Request) {
	p, ok := a.publication(w, r)
	if !ok {
		return
	}
	// The form's fields before the file were read by guard; the file is
	// read as it arrives, within maxImport.
	file, err := upload(r, "file")
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		a.tooLarge(w, r, httpauth.FromContext(r.Context()), maxImport)
		return
	case err != nil:
		a.log.Info("unreadable import form", "err", err)
		a.showSubscribers(w, r, http.StatusBadRequest, p.ID, nil, "The form could not be read. Go back, reload the page and try again.")
		return
	case file == nil:
		a.showSubscribers(w, r, http.StatusBadRequest, p.ID, nil, "Choose a CSV file to import (at most 64 MiB).")
		return
	}
	rep, err := a.work.Import(r.Context(), p, file, workspace.ImportOptions{Pending: r.PostFormValue("pending") != ""})
	if errors.As(err, &tooBig) {
		// Only a body sent without a length gets here (guard refuses a
		// declared one over the limit before reading).
		last := 1
		if rep != nil {
			last += rep.Rows
		}
		a.showSubscribers(w, r, http.StatusRequestEntityTooLarge, p.ID, rep, fmt.Sprintf("The file is larger than %d MiB, "+
			"the most one import takes: it was read up to about line %d and the rows before were imported as reported below. "+
			"Import the rest as another file (importing a row again changes nothing).", maxImport>>20, last))
		return
	}
	if err != nil {
		a.log.Warn("import failed", "err", err)
		a.showSubscribers(w, r, http.StatusUnprocessableEntity, p.ID, rep, "The file could not be imported: "+importMessage(err))
		return
	}
	a.showSubscribers(w, r, http.StatusOK, p.ID, rep, "")
}

func importMessage(err error) string {
	msg := err.Error()
	for _, ok := range []string{"header row", "the file is empty", "read: "} {
		if len(msg) >= len(ok) && msg[:len(ok)] == ok {
			return msg
		}
	}
	return "the database refused it; the reason is in the server log."
}

// exportSubscribers downloads every subscriber as CSV (admins only).
func (a *Admin) exportSubscribers(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="subscribers.csv"`)
	if err := a.work.Export(r.Context(), w, nil, ""); err != nil {
		a.log.Error("export failed midway", "err", err)
	}
}

// subscriberPage is what a subscriber's pages start from: the publication,
// the subscriber's id from the path and their history; it has answered the
// request (not found, server error) when ok is false.
func (a *Admin) subscriberPage(w http.ResponseWriter, r *http.Request) (p *newsletter.Publication, id int64, h *workspace.History, ok bool) {
	if p, ok = a.publication(w, r); !ok {
		return nil, 0, nil, false
	}
	if id, ok = a.subscriberID(w, r); !ok {
		return nil, 0, nil, false
	}
	h, err := a.work.SubscriberHistory(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		a.notFound(w, r)
		return nil, 0, nil, false
	}
	if err != nil {
		a.serverError(w, r, err)
		return nil, 0, nil, false
	}
	return p, id, h, true
}
