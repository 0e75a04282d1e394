package admin

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"masthead/auth"
	"masthead/store"
	"masthead/web/httpauth"
)

// Changing accounts that exist (admins only): remove, change role, reset the
// password. The last admin can be neither removed nor demoted (the store
// refuses it in the same transaction).

// account loads the {id} account; on failure it has answered.
func (a *Admin) account(w http.ResponseWriter, r *http.Request) (*auth.User, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		a.notFound(w, r)
		return nil, false
	}
	u, err := a.work.Reads().User(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		a.notFound(w, r)
		return nil, false
	}
	if err != nil {
		a.serverError(w, r, err)
		return nil, false
	}
	return u, true
}

// accountError answers a refused change on the Accounts page, or fails.
func (a *Admin) accountError(w http.ResponseWriter, r *http.Request, u *auth.User, err error) {
	switch {
	case errors.Is(err, auth.ErrLastAdmin):
		a.showUsers(w, r, http.StatusConflict, fmt.Sprintf("%s is the last admin; make another account admin first.", u.Email))
	case errors.Is(err, store.ErrNotFound):
		a.notFound(w, r)
	case errors.Is(err, auth.ErrWeakPassword):
		a.showUsers(w, r, http.StatusUnprocessableEntity, err.Error())
	default:
		a.serverError(w, r, err)
	}
}

func (a *Admin) removeUser(w http.ResponseWriter, r *http.Request) {
	u, ok := a.account(w, r)
	if !ok {
		return
	}
	if err := a.work.RemoveUser(r.Context(), u); err != nil {
		a.accountError(w, r, u, err)
		return
	}
	me := httpauth.FromContext(r.Context()).User
	a.log.Info("account removed", "by", me.Email, "user", u.Email)
	if u.ID == me.ID {
		http.Redirect(w, r, "/admin/login", http.StatusSeeOther) // that session is gone with the account
		return
	}
	a.redirect(w, r, "/admin/users", fmt.Sprintf("Removed %s; its sessions and API tokens ended.", u.Email))
}

func (a *Admin) changeRole(w http.ResponseWriter, r *http.Request) {
	u, ok := a.account(w, r)
	if !ok {
		return
	}
	role, err := auth.ParseRole(r.PostFormValue("role"))
	if err != nil {
		a.showUsers(w, r, http.StatusUnprocessableEntity, err.Error())
		return
	}
	if err := a.work.SetRole(r.Context(), u, role); err != nil {
		a.accountError(w, r, u, err)
		return
	}
	me := httpauth.FromContext(r.Context()).User
	a.log.Info("role changed", "by", me.Email, "user", u.Email, "role", role)
	next := "/admin/users"
	if u.ID == me.ID && role != auth.Admin {
		next = "/admin/" // the Accounts page is no longer theirs
	}
	a.redirect(w, r, next, fmt.Sprintf("%s is now %s.", u.Email, role))
}

func (a *Admin) resetPassword(w http.ResponseWriter, r *http.Request) {
	u, ok := a.account(w, r)
	if !ok {
		return
	}
	p := httpauth.FromContext(r.Context())
	keep := ""
	if u.ID == p.User.ID && p.Session != nil {
		keep = p.Session.TokenHash // changing one's own: stay signed in here
	}
	if err := a.work.SetPassword(r.Context(), u, r.PostFormValue("password"), keep); err != nil {
		a.accountError(w, r, u, err)
		return
	}
	a.log.Info("password reset", "by", p.User.Email, "user", u.Email)
	a.redirect(w, r, "/admin/users", fmt.Sprintf("Password of %s changed; its other sessions ended.", u.Email))
}
