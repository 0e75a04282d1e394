package api

import (
	"net/http"
	"path"
	"time"

	"masthead/ledger"
	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
	"masthead/web/httpauth"
	"masthead/workspace"
)

type issueJSON struct {
	ID          int64  `json:"id"`
	Publication string `json:"publication"`
	Date        string `json:"date"`
	Edition     int    `json:"edition"`       // 0 the date's daily issue, N its extra N
	EditionName string `json:"edition_title"` // an extra's name; "" for the daily issue
	Volume      int    `json:"volume"`
	Number      int    `json:"number"`
	NumberLabel string `json:"number_label"` // "153", or "153-B" for an extra
	WebPath     string `json:"web_path"`     // its page on the web edition once sent
	Status      string `json:"status"`
	Subject     string `json:"subject"`
	// OwnSubject is the editor's subject line for this issue, "" when the
	// publication's subject template makes it (PATCH it).
	OwnSubject  string             `json:"own_subject"`
	SendAt      *time.Time         `json:"send_at"`
	AssembledAt *time.Time         `json:"assembled_at"`
	StartedAt   *time.Time         `json:"started_at"`
	FinishedAt  *time.Time         `json:"finished_at"`
	PauseReason string             `json:"pause_reason"` // why masthead paused the send by itself; "" otherwise
	Articles    []issueArticleJSON `json:"articles"`
}

type issueArticleJSON struct {
	ArticleID int64  `json:"article_id"`
	Section   string `json:"section"`
	Title     string `json:"title"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func issueOut(p *newsletter.Publication, iss *newsletter.Issue) issueJSON {
	out := issueJSON{ID: iss.ID, Publication: p.Slug, Date: iss.Date.String(), Edition: iss.Edition, EditionName: iss.EditionTitle,
		NumberLabel: iss.NumberLabel(), WebPath: "/issues/" + p.Slug + "/" + iss.Ref(), Volume: iss.Volume, Number: iss.Number,
		Status: string(iss.Status), Subject: iss.Subject, OwnSubject: iss.CustomSubject, SendAt: optTime(iss.SendAt), AssembledAt: optTime(iss.AssembledAt),
		StartedAt: optTime(iss.StartedAt), FinishedAt: optTime(iss.FinishedAt), PauseReason: iss.PauseReason,
		Articles: []issueArticleJSON{}}
	for _, a := range iss.Articles {
		out.Articles = append(out.Articles, issueArticleJSON{ArticleID: a.ArticleID, Section: a.Section, Title: a.Title})
	}
	return out
}

// listIssues: ?publication=, ?from=, ?to= (dates), ?status=, newest first, paginated.
func (a *API) listIssues(w http.ResponseWriter, r *http.Request) {
	pg, ok := readPage(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	p, err := a.work.Publication(r.Context(), q.Get("publication"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	f := store.IssueFilter{PublicationID: p.ID, Newest: true, Limit: pg.limit(), Offset: pg.offset()}
	for name, dst := range map[string]*newsletter.Date{"from": &f.From, "to": &f.To} {
		if v := q.Get(name); v != "" {
			if *dst, ok = dateParam(w, name, v); !ok {
				return
			}
		}
	}
	if v := q.Get("status"); v != "" {
		st, ok := oneOf(w, "status", v, issueStatuses)
		if !ok {
			return
		}
		f.Statuses = []newsletter.IssueStatus{st}
	}
	rows, err := a.work.Reads().Issues(r.Context(), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	rows, more := trim(rows, pg)
	out := make([]issueJSON, 0, len(rows))
	for _, iss := range rows {
		out = append(out, issueOut(p, iss))
	}
	writeJSON(w, http.StatusOK, list{Data: out, Next: nextURL(r, more, "page", itoa(pg.num+1))})
}

// assembleIssue: {"publication": "", "date": "YYYY-MM-DD"} assembles (or
// re-assembles) that date's daily issue; with "edition": N its extra N.
// {"date": D, "extra": true, "title": T, "subject": S} adds an extra edition
// to the date instead (201, the extra, with no articles yet).
func (a *API) assembleIssue(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Publication string `json:"publication"`
		Date        string `json:"date"`
		Edition     int    `json:"edition"`
		Extra       bool   `json:"extra"`
		Title       string `json:"title"`
		Subject     string `json:"subject"`
	}
	if !decode(w, r, &in) {
		return
	}
	if in.Date == "" {
		writeError(w, http.StatusUnprocessableEntity, "invalid", "date: is required (YYYY-MM-DD)")
		return
	}
	date, ok := dateField(w, "date", in.Date)
	if !ok {
		return
	}
	p, err := a.work.Publication(r.Context(), in.Publication)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if in.Extra {
		if in.Edition != 0 {
			writeError(w, http.StatusUnprocessableEntity, "invalid", "edition: an extra gets the next edition of its date; give none")
			return
		}
		iss, err := a.work.CreateExtra(r.Context(), p, date, in.Title, in.Subject)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, issueOut(p, iss))
		return
	}
	if in.Title != "" || in.Subject != "" {
		writeError(w, http.StatusUnprocessableEntity, "invalid", `title, subject: only for a new extra edition ("extra": true)`)
		return
	}
	if in.Edition < 0 || in.Edition > newsletter.MaxEdition {
		writeError(w, http.StatusUnprocessableEntity, "invalid", "edition: 0 (the daily issue) or an extra's number")
		return
	}
	iss, err := a.work.AssembleEdition(r.Context(), p, date, in.Edition)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, issueOut(p, iss))
}

// issue loads the {id} issue and its publication; on failure it has answered.
func (a *API) issue(w http.ResponseWriter, r *http.Request) (*newsletter.Issue, *newsletter.Publication, bool) {
	id, ok := pathID(w, r)
	if !ok {
		return nil, nil, false
	}
	iss, p, err := a.work.Issue(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return nil, nil, false
	}
	return iss, p, true
}

func (a *API) getIssue(w http.ResponseWriter, r *http.Request) {
	if iss, p, ok := a.issue(w, r); ok {
		writeJSON(w, http.StatusOK, issueOut(p, iss))
	}
}

// previewIssue: ?format=html (default) or text; the body as a subscriber gets it.
func (a *API) previewIssue(w http.ResponseWriter, r *http.Request) {
	iss, p, ok := a.issue(w, r)
	if !ok {
		return
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "html"
	}
	body, err := a.work.Preview(p, iss, format)
	if err != nil {
		badRequest(w, "format must be html or text")
		return
	}
	ct := "text/html; charset=utf-8"
	if format == "text" {
		ct = "text/plain; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src https: data:; style-src 'unsafe-inline'")
	w.Write(body)
}

func (a *API) issueStatus(w http.ResponseWriter, r *http.Request) {
	iss, _, ok := a.issue(w, r)
	if !ok {
		return
	}
	pr, err := a.work.Progress(r.Context(), iss)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pr)
}

type deliveryJSON struct {
	ID           int64      `json:"id"`
	SubscriberID int64      `json:"subscriber_id"`
	Email        string     `json:"email"`
	Status       string     `json:"status"`
	Attempts     int        `json:"attempts"`
	LastCode     int        `json:"last_code"`
	LastReply    string     `json:"last_reply"`
	AcceptedAt   *time.Time `json:"accepted_at"`
	NextAttempt  *time.Time `json:"next_attempt_at"`
	MessageID    string     `json:"message_id"`
}

// listDeliveries: the ledger, ?q= (part of the address), ?status=, paginated.
func (a *API) listDeliveries(w http.ResponseWriter, r *http.Request) {
	pg, ok := readPage(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	var status ledger.DeliveryStatus
	if v := q.Get("status"); v != "" {
		if status, ok = oneOf(w, "status", v, deliveryStatuses); !ok {
			return
		}
	}
	iss, _, ok := a.issue(w, r)
	if !ok {
		return
	}
	rows, err := a.work.Reads().Deliveries(r.Context(), store.DeliveryFilter{IssueID: iss.ID, Search: q.Get("q"),
		Status: status, Limit: pg.limit(), Offset: pg.offset()})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	rows, more := trim(rows, pg)
	out := make([]deliveryJSON, 0, len(rows))
	for _, d := range rows {
		out = append(out, deliveryJSON{ID: d.ID, SubscriberID: d.SubscriberID, Email: d.Email, Status: string(d.Status),
			Attempts: d.Attempts, LastCode: d.LastCode, LastReply: d.LastReply, AcceptedAt: optTime(d.AcceptedAt),
			NextAttempt: optTime(d.NextAttemptAt), MessageID: d.MessageID})
	}
	writeJSON(w, http.StatusOK, list{Data: out, Next: nextURL(r, more, "page", itoa(pg.num+1))})
}

// testIssue: {"email": "..."} sends the issue to one address.
func (a *API) testIssue(w http.ResponseWriter, r *http.Request) {
	iss, _, ok := a.issue(w, r)
	if !ok {
		return
	}
	var in struct {
		Email string `json:"email"`
	}
	if !decode(w, r, &in) {
		return
	}
	if err := a.work.TestSend(r.Context(), iss, in.Email); err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"sent_to": in.Email})
}

// scheduleIssue: {"at": "06:30" (in the publication's zone) or RFC 3339}.
func (a *API) scheduleIssue(w http.ResponseWriter, r *http.Request) {
	iss, p, ok := a.issue(w, r)
	if !ok {
		return
	}
	var in struct {
		At string `json:"at"`
	}
	if !decode(w, r, &in) {
		return
	}
	at, err := workspace.ParseAt(p, iss.Date, in.At)
	if err == nil {
		iss, err = a.work.ScheduleEdition(r.Context(), p, iss.Date, iss.Edition, at)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, issueOut(p, iss))
}

// issueAction: the bodiless actions, named by the path's last segment.
func (a *API) issueAction(w http.ResponseWriter, r *http.Request) {
	iss, p, ok := a.issue(w, r)
	if !ok {
		return
	}
	// The issue's own edition: an extra's id acts on the extra, never on
	// its date's daily issue.
	ctx, d, e := r.Context(), iss.Date, iss.Edition
	var err error
	switch path.Base(r.URL.Path) {
	case "unschedule":
		iss, err = a.work.UnscheduleEdition(ctx, p, d, e)
	case "hold":
		iss, err = a.work.HoldEdition(ctx, p, d, e)
	case "release":
		var removed bool
		if iss, removed, err = a.work.ReleaseEdition(ctx, p, d, e); removed {
			writeJSON(w, http.StatusOK, map[string]any{"removed": true, "date": d.String(), "detail": workspace.RemovedNote(p)})
			return
		}
	case "skip":
		iss, err = a.work.SkipEdition(ctx, p, d, e)
	case "send":
		iss, _, err = a.work.SendEdition(ctx, p, d, e)
	case "pause":
		err = a.work.Pause(ctx, iss)
	case "resume":
		err = a.work.Resume(ctx, iss)
	case "cancel":
		err = a.work.Cancel(ctx, iss)
	}
	if err == nil {
		iss, _, err = a.work.Issue(ctx, iss.ID)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, issueOut(p, iss))
}

// liftSendSuppressions undoes the suppressions the issue's send made:
// {"lifted": [addresses], "requeued": n}.
func (a *API) liftSendSuppressions(w http.ResponseWriter, r *http.Request) {
	iss, _, ok := a.issue(w, r)
	if !ok {
		return
	}
	lift, err := a.work.LiftSendSuppressions(r.Context(), iss, subscribers.ViaAPI, httpauth.FromContext(r.Context()).User.Email)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if lift.Lifted == nil {
		lift.Lifted = []string{}
	}
	writeJSON(w, http.StatusOK, struct {
		Lifted   []string `json:"lifted"`
		Requeued int      `json:"requeued"`
	}{lift.Lifted, lift.Requeued})
}

// patchIssue: {"subject": "..."} gives the issue its own subject line, ""
// takes it back to the publication's template; 409 once its send started.
func (a *API) patchIssue(w http.ResponseWriter, r *http.Request) {
	iss, p, ok := a.issue(w, r)
	if !ok {
		return
	}
	var in struct {
		Subject *string `json:"subject"`
	}
	if !decode(w, r, &in) {
		return
	}
	if in.Subject != nil {
		var err error
		if iss, err = a.work.SetSubject(r.Context(), p, iss, *in.Subject); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, issueOut(p, iss))
}
