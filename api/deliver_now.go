package api

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// deliverNow is POST /api/issues/{id}/deliver-now: every copy of a sending
// or paused send that waits for its reader's local time is due at once. It
// answers the progress, as the status does, with due_now: how many copies
// it moved.
func (a *API) deliverNow(w http.ResponseWriter, r *http.Request) {
	iss, _, ok := a.issue(w, r)
	if !ok {
		return
	}
	n, err := a.work.DeliverNow(r.Context(), iss)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	pr, err := a.work.Progress(r.Context(), iss)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	// Progress marshals itself: its fields, and due_now beside them.
	b, err := json.Marshal(pr)
	var out map[string]json.RawMessage
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out["due_now"] = json.RawMessage(strconv.Itoa(n))
	writeJSON(w, http.StatusOK, out)
}
