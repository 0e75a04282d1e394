package admin

import (
	"errors"
	"net/http"
	"strconv"

	"masthead/store"
)

// listOutbox lists the messages the built-in outbox kept (when no SMTP server
// is set, every message goes there).
func (a *Admin) listOutbox(w http.ResponseWriter, r *http.Request) {
	list, err := a.work.Reads().Outbox(r.Context(), store.OutboxFilter{Recipient: r.URL.Query().Get("to"), Limit: 200})
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	for _, m := range list {
		m.Subject = m.ReadableSubject()
	}
	a.render(w, r, http.StatusOK, "outbox", &view{Title: "Outbox", Nav: "outbox", Data: list})
}

// showOutbox shows one kept message as it would have gone out, as plain text
// (the raw MIME source, never rendered).
func (a *Admin) showOutbox(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		a.notFound(w, r)
		return
	}
	m, err := a.work.Reads().OutboxByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		a.notFound(w, r)
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(m.Raw)
}
