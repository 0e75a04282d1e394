package api

import (
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"masthead/auth"
	"masthead/store"
	"masthead/subscribers"
	"masthead/web/httpauth"
	"masthead/workspace"
)

type subscriptionJSON struct {
	Publication string    `json:"publication"`
	Status      string    `json:"status"`
	Since       time.Time `json:"updated_at"`
}

type subscriberJSON struct {
	ID            int64              `json:"id"`
	Email         string             `json:"email"`
	Name          string             `json:"name"`
	Status        string             `json:"status"`
	SoftBounces   int                `json:"soft_bounces"`
	TimeZone      string             `json:"timezone"` // IANA name; "": the publication's
	CreatedAt     time.Time          `json:"created_at"`
	Subscriptions []subscriptionJSON `json:"subscriptions"`
}

type eventJSON struct {
	Kind          string    `json:"kind"`
	Via           string    `json:"via"`
	PublicationID int64     `json:"publication_id,omitempty"`
	Detail        string    `json:"detail,omitempty"`
	At            time.Time `json:"at"`
}

func subscriberOut(s *subscribers.Subscriber, subs []subscribers.Subscription) subscriberJSON {
	out := subscriberJSON{ID: s.ID, Email: s.Email, Name: s.Name, Status: string(s.Status), SoftBounces: s.SoftBounces,
		TimeZone: s.TimeZone, CreatedAt: s.CreatedAt, Subscriptions: []subscriptionJSON{}}
	for _, x := range subs {
		out.Subscriptions = append(out.Subscriptions, subscriptionJSON{Publication: x.PublicationSlug, Status: string(x.Status), Since: x.UpdatedAt})
	}
	return out
}

// listSubscribers: ?q= (part of the address or name), ?publication=,
// ?status=, newest first; pages by ?before=ID (the "next" link has it).
//
// The whole list is an admin's, as its export is: an editor gets one page
// (of the newest, or of a search), which is what the admin's subscribers
// page shows them, and no further pages; going through every address is
// for an admin (or the export).
func (a *API) listSubscribers(w http.ResponseWriter, r *http.Request) {
	pg, ok := readPage(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	whole := httpauth.FromContext(r.Context()).User.Role.Allows(auth.Admin)
	if !whole && (q.Get("before") != "" || q.Get("page") != "" && q.Get("page") != "1") {
		writeError(w, http.StatusForbidden, "forbidden", "paging through every subscriber needs the admin role (as the export does); search with ?q= instead")
		return
	}
	f := store.SubscriberFilter{Text: q.Get("q"), Limit: pg.limit()}
	if v := q.Get("publication"); v != "" {
		p, err := a.work.Publication(r.Context(), v)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		f.PublicationID = p.ID
	}
	if v := q.Get("status"); v != "" {
		st, err := subscribers.ParseStatus(v)
		if err != nil {
			badRequest(w, err.Error())
			return
		}
		f.Status = st
	}
	if v := q.Get("before"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id < 1 {
			badRequest(w, "before must be a subscriber id")
			return
		}
		f.BeforeID = id
	}
	rows, err := a.work.Reads().SearchSubscribers(r.Context(), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	rows, more := trim(rows, pg)
	out := make([]subscriberJSON, 0, len(rows))
	for _, l := range rows {
		out = append(out, subscriberOut(&l.Subscriber, l.Subscriptions))
	}
	next := ""
	if more && whole {
		next = nextURL(r, true, "before", strconv.FormatInt(rows[len(rows)-1].ID, 10))
	}
	writeJSON(w, http.StatusOK, list{Data: out, Next: next})
}

// addSubscriber: {"email", "name", "timezone", "publication", "pending"}:
// active at once unless pending asks for the confirmation email.
func (a *API) addSubscriber(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email       string `json:"email"`
		Name        string `json:"name"`
		TimeZone    string `json:"timezone"`
		Publication string `json:"publication"`
		Pending     bool   `json:"pending"`
	}
	if !decode(w, r, &in) {
		return
	}
	p, err := a.work.Publication(r.Context(), in.Publication)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	sub, err := a.work.AddSubscriber(r.Context(), p, in.Email, in.Name, in.TimeZone, in.Pending, subscribers.ViaAPI)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	subs, err := a.work.Reads().Subscriptions(r.Context(), sub.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/subscribers/"+strconv.FormatInt(sub.ID, 10))
	writeJSON(w, http.StatusCreated, subscriberOut(sub, subs))
}

func (a *API) getSubscriber(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	h, err := a.work.SubscriberHistory(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	events := make([]eventJSON, 0, len(h.Events))
	for _, e := range h.Events {
		events = append(events, eventJSON{Kind: string(e.Kind), Via: string(e.Via), PublicationID: e.PublicationID, Detail: e.Detail, At: e.At})
	}
	out := struct {
		subscriberJSON
		Suppressed bool        `json:"suppressed"`
		History    []eventJSON `json:"history"`
	}{subscriberOut(h.Subscriber, h.Subscriptions), h.Suppression != nil, events}
	writeJSON(w, http.StatusOK, out)
}

// patchSubscriber: {"timezone": "Europe/London"} changes the subscriber's
// time zone ("" gives them the publication's); a body without it changes
// nothing.
func (a *API) patchSubscriber(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	var in struct {
		TimeZone *string `json:"timezone"`
	}
	if !decode(w, r, &in) {
		return
	}
	if in.TimeZone != nil {
		if _, err := a.work.SetSubscriberTimeZone(r.Context(), id, *in.TimeZone, subscribers.ViaAPI); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	a.getSubscriber(w, r)
}

// unsubscribe: {"publication": ""} ends the subscription (the only
// publication's when there is one).
func (a *API) unsubscribe(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	var in struct {
		Publication string `json:"publication"`
	}
	if !decode(w, r, &in) {
		return
	}
	p, err := a.work.Publication(r.Context(), in.Publication)
	if err == nil {
		err = a.work.Unsubscribe(r.Context(), p.ID, id, subscribers.ViaAPI)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.getSubscriber(w, r)
}

// liftSuppression: {"reason": "..."} lets mail go to a suppressed address again.
func (a *API) liftSuppression(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if !decode(w, r, &in) {
		return
	}
	sub, err := a.work.Reads().Subscriber(r.Context(), id)
	if err == nil {
		who := httpauth.FromContext(r.Context()).User.Email
		err = a.work.LiftSuppression(r.Context(), sub.Email, subscribers.ViaAPI, "lifted by "+who+": "+in.Reason)
		if errors.Is(err, store.ErrNotFound) { // the subscriber is there; their suppression is not
			writeError(w, http.StatusConflict, "wrong_state", "this subscriber is not suppressed")
			return
		}
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.getSubscriber(w, r)
}

type problemJSON struct {
	Line    int    `json:"line"`
	Email   string `json:"email"`
	Problem string `json:"problem"`
}

// importSubscribers: a text/csv body (header row: email, name, optional
// status) into ?publication=; ?pending=1 makes rows without a status pending.
func (a *API) importSubscribers(w http.ResponseWriter, r *http.Request) {
	extendDeadlines(w)
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "text/csv" {
		writeError(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "send the CSV file as Content-Type: text/csv")
		return
	}
	if r.ContentLength > maxCSV {
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", "the file is larger than "+strconv.Itoa(maxCSV)+" bytes")
		return
	}
	p, err := a.work.Publication(r.Context(), r.URL.Query().Get("publication"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	body := http.MaxBytesReader(w, r.Body, maxCSV)
	rep, err := a.work.Import(r.Context(), p, body, workspace.ImportOptions{Pending: r.URL.Query().Get("pending") == "1"})
	if err != nil {
		var tooBig *http.MaxBytesError
		if asTooBig(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "too_large", "the file is larger than "+strconv.Itoa(maxCSV)+" bytes")
			return
		}
		a.log.Warn("import failed", "publication", p.Slug, "err", err)
		writeError(w, http.StatusUnprocessableEntity, "invalid", "the file cannot be imported: "+publicImportError(err))
		return
	}
	ignored := append([]string{}, rep.Ignored...) // [] rather than null
	problems := make([]problemJSON, 0, len(rep.Problems))
	for _, pr := range rep.Problems {
		problems = append(problems, problemJSON{Line: pr.Line, Email: pr.Email, Problem: pr.Reason})
	}
	writeJSON(w, http.StatusOK, map[string]any{"rows": rep.Rows, "added": rep.Added, "updated": rep.Updated,
		"unchanged": rep.Unchanged, "suppressed": rep.Suppressed, "kept_unsubscribed": rep.KeptUnsubscribed,
		"bad": rep.Bad, "problems": problems, "ignored_columns": ignored})
}

// exportSubscribers: every subscriber as CSV (admins only); ?publication=
// limits it to one publication's.
func (a *API) exportSubscribers(w http.ResponseWriter, r *http.Request) {
	extendDeadlines(w)
	var pub = r.URL.Query().Get("publication")
	var err error
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="subscribers.csv"`)
	if pub == "" {
		err = a.work.Export(r.Context(), w, nil, "")
	} else if p, perr := a.work.Publication(r.Context(), pub); perr != nil {
		w.Header().Del("Content-Disposition")
		a.fail(w, r, perr)
		return
	} else {
		err = a.work.Export(r.Context(), w, p, "")
	}
	if err != nil {
		a.log.Error("export failed midway", "err", err) // the header is out: nothing else to tell the client
	}
}

// bulkDeadline is how long a subscriber import or export may take: longer
// than the server's timeouts (web.Server.HTTPServer), which suit every other
// route. No API route streams.
const bulkDeadline = 30 * time.Minute

// extendDeadlines lets the request read and write for bulkDeadline. (Writers
// that cannot, such as a test's recorder, have no deadline to extend.)
func extendDeadlines(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	at := time.Now().Add(bulkDeadline)
	_ = rc.SetReadDeadline(at)
	_ = rc.SetWriteDeadline(at)
}

func asTooBig(err error, target **http.MaxBytesError) bool { return errors.As(err, target) }

// publicImportError keeps the importer's messages about the file (its header
// row, its emptiness, its CSV syntax) and hides database failures.
func publicImportError(err error) string {
	msg := err.Error()
	for _, ok := range []string{"header row", "the file is empty", "read: "} {
		if strings.HasPrefix(msg, ok) {
			return msg
		}
	}
	return "the database refused it; see the server log"
}
