package admin

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"masthead/auth"
	"masthead/store"
	"masthead/web/httpauth"
)

type tokensData struct {
	Tokens []*auth.APIToken
	New    string // a token just made: shown this once
}

// listTokens lists the editor's API tokens (an admin sees everyone's).
func (a *Admin) listTokens(w http.ResponseWriter, r *http.Request) {
	a.showTokens(w, r, "")
}

func (a *Admin) showTokens(w http.ResponseWriter, r *http.Request, fresh string) {
	u := httpauth.FromContext(r.Context()).User
	owner := u.ID
	if u.Role.Allows(auth.Admin) {
		owner = 0
	}
	list, err := a.work.Reads().APITokens(r.Context(), owner)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	a.render(w, r, http.StatusOK, "tokens", &view{Title: "API tokens", Nav: "tokens", Data: &tokensData{Tokens: list, New: fresh}})
}

func (a *Admin) createToken(w http.ResponseWriter, r *http.Request) {
	u := httpauth.FromContext(r.Context()).User
	token, _, err := a.work.CreateToken(r.Context(), u, r.PostFormValue("name"))
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	a.showTokens(w, r, token)
}

func (a *Admin) deleteToken(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		a.notFound(w, r)
		return
	}
	u := httpauth.FromContext(r.Context()).User
	if err := a.work.RevokeToken(r.Context(), u, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			a.notFound(w, r)
			return
		}
		a.serverError(w, r, err)
		return
	}
	a.redirect(w, r, "/admin/tokens", "Token revoked.")
}

// listUsers lists the accounts (admins only).
func (a *Admin) listUsers(w http.ResponseWriter, r *http.Request) {
	a.showUsers(w, r, http.StatusOK, "")
}

func (a *Admin) showUsers(w http.ResponseWriter, r *http.Request, status int, msg string) {
	list, err := a.work.Reads().Users(r.Context())
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	a.render(w, r, status, "users", &view{Title: "Accounts", Nav: "users", Error: msg, Data: list})
}

func (a *Admin) addUser(w http.ResponseWriter, r *http.Request) {
	role, err := auth.ParseRole(r.PostFormValue("role"))
	if err != nil {
		a.showUsers(w, r, http.StatusUnprocessableEntity, err.Error())
		return
	}
	email := strings.TrimSpace(r.PostFormValue("email"))
	u, err := a.work.AddUser(r.Context(), email, r.PostFormValue("password"), role)
	switch {
	case errors.Is(err, store.ErrConflict):
		a.showUsers(w, r, http.StatusUnprocessableEntity, email+" already has an account.")
		return
	case err != nil && (errors.Is(err, auth.ErrWeakPassword) || strings.Contains(err.Error(), "not an email address")):
		a.showUsers(w, r, http.StatusUnprocessableEntity, err.Error())
		return
	case err != nil:
		a.serverError(w, r, err)
		return
	}
	a.log.Info("account added", "by", httpauth.FromContext(r.Context()).User.Email, "user", u.Email, "role", u.Role)
	a.redirect(w, r, "/admin/users", fmt.Sprintf("Added %s (%s).", u.Email, u.Role))
}
