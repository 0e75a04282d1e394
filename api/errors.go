package api

import (
	"errors"
	"net/http"

	"masthead/media"
	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
	"masthead/workspace"
)

// fail maps a domain error to its status and code. Messages of validation and
// state errors are written for the client; anything else is logged and
// answered with a bare "internal error".
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	var fe *newsletter.FieldError
	var fes newsletter.Errors
	var refused *media.Error
	switch {
	case errors.As(err, &refused) && errors.Is(err, media.ErrTooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", refused.Msg)
	case errors.As(err, &refused):
		writeError(w, http.StatusUnprocessableEntity, "not_an_accepted_image", refused.Msg)
	case errors.As(err, &fes), errors.As(err, &fe):
		writeError(w, http.StatusUnprocessableEntity, "invalid", invalidMessage(err))
	case errors.Is(err, workspace.ErrNoPublication), errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", "not found")
	case errors.Is(err, newsletter.ErrFrozen):
		writeError(w, http.StatusConflict, "frozen", newsletter.ErrFrozen.Error())
	case errors.Is(err, newsletter.ErrEmptyIssue):
		writeError(w, http.StatusConflict, "empty_issue", newsletter.ErrEmptyIssue.Error())
	case errors.Is(err, workspace.ErrState):
		writeError(w, http.StatusConflict, "wrong_state", err.Error())
	case errors.Is(err, workspace.ErrInPast):
		writeError(w, http.StatusUnprocessableEntity, "invalid", "the send time has already passed")
	case errors.Is(err, subscribers.ErrErased):
		writeError(w, http.StatusConflict, "suppressed", subscribers.ErrErased.Error())
	case errors.Is(err, subscribers.ErrSuppressed):
		writeError(w, http.StatusConflict, "suppressed", subscribers.ErrSuppressed.Error())
	case errors.Is(err, store.ErrConflict):
		writeError(w, http.StatusConflict, "conflict", "conflicts with the current state; reload and try again")
	case errors.Is(err, workspace.ErrTestSend):
		a.log.Warn("test send failed", "err", err)
		writeError(w, http.StatusBadGateway, "test_send_failed", "the mail server did not accept the test message; see the server log")
	default:
		a.log.Error("api request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "internal error")
	}
}

func badRequest(w http.ResponseWriter, msg string) {
	writeError(w, http.StatusBadRequest, "bad_request", msg)
}
