package api

import (
	"errors"
	"net/http"

	"masthead/store"
	"masthead/web/httpauth"
)

// erasureJSON is what an erasure removed (subscribers.Erasure).
type erasureJSON struct {
	Email               string `json:"email"`
	SubscriberID        int64  `json:"subscriber_id"`
	Subscriptions       int    `json:"subscriptions"`
	Events              int    `json:"events"`
	Deliveries          int    `json:"deliveries_anonymised"`
	Skipped             int    `json:"deliveries_skipped"`
	Outbox              int    `json:"outbox_removed"`
	BounceReports       int    `json:"bounce_reports_removed"`
	Clicks              int    `json:"clicks_removed"`
	SuppressionReplaced bool   `json:"suppression_replaced"`
	HashKept            bool   `json:"hash_kept"`
	Summary             string `json:"summary"`
}

// eraseSubscriber erases a person (GDPR art. 17), admins only: no body;
// answers what went (workspace.EraseSubscriber).
func (a *API) eraseSubscriber(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	sub, err := a.work.Reads().Subscriber(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	who := httpauth.FromContext(r.Context()).User.Email
	e, err := a.work.EraseSubscriber(r.Context(), sub.Email, "api "+who)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "no such subscriber")
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, erasureJSON{Email: e.Email, SubscriberID: e.SubscriberID, Subscriptions: e.Subscriptions,
		Events: e.Events, Deliveries: e.Deliveries, Skipped: e.Skipped, Outbox: e.Outbox, BounceReports: e.BounceReports,
		Clicks: e.Clicks, SuppressionReplaced: e.Suppression, HashKept: true, Summary: e.Summary()})
}
