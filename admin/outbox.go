package admin

import (
	"errors"
	"net/http"
	"strconv"

	"masthead/ledger"
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

type outboxData struct {
	M         *ledger.OutboxMessage
	Read      *ledger.ReadableMessage // nil when the bytes do not decode
	ReadError string
}

// showOutbox shows one kept message as its reader would see it: the headers
// decoded, the HTML part framed from outboxHTML, the text part as it is
// laid out (78 columns), and a link to the bytes as sent.
func (a *Admin) showOutbox(w http.ResponseWriter, r *http.Request) {
	m, ok := a.outboxMessage(w, r)
	if !ok {
		return
	}
	d := &outboxData{M: m}
	read, err := m.Read()
	if err != nil {
		d.ReadError = err.Error() // about the message's bytes, not the server
	} else {
		d.Read = read
		m.Subject = read.Get("Subject")
	}
	a.render(w, r, http.StatusOK, "outbox-message", &view{Title: "Outbox: " + m.ReadableSubject(), Nav: "outbox", Data: d})
}

// outboxHTML is the message's HTML part, for the frame of showOutbox only:
// the sandbox keeps the email's markup from running script, submitting
// forms or reaching the admin, and loads nothing but https and inline
// images and inline styles (the reader's client may load more).
func (a *Admin) outboxHTML(w http.ResponseWriter, r *http.Request) {
	m, ok := a.outboxMessage(w, r)
	if !ok {
		return
	}
	read, err := m.Read()
	if err != nil || read.HTML == "" {
		a.notFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src https: data:; style-src 'unsafe-inline'; frame-ancestors 'self'")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	w.Write([]byte(read.HTML))
}

// outboxRaw is the message's bytes as sent, as plain text (never rendered).
func (a *Admin) outboxRaw(w http.ResponseWriter, r *http.Request) {
	m, ok := a.outboxMessage(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(m.Raw)
}

// outboxMessage is the message the path's {id} names, or a 404 written.
func (a *Admin) outboxMessage(w http.ResponseWriter, r *http.Request) (*ledger.OutboxMessage, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		a.notFound(w, r)
		return nil, false
	}
	m, err := a.work.Reads().OutboxByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		a.notFound(w, r)
		return nil, false
	}
	if err != nil {
		a.serverError(w, r, err)
		return nil, false
	}
	return m, true
}
