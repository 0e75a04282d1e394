package admin

import (
	"errors"
	"net/http"
	"strings"

	"masthead/auth"
	"masthead/web/httpauth"
)

type loginData struct {
	Next       string
	Email      string
	LoginToken string
	Setup      bool // no account exists yet: show how to make the first
}

// loginPage shows the login form, or, before any account exists, how to
// create the first one (the admin is never open).
func (a *Admin) loginPage(w http.ResponseWriter, r *http.Request) {
	a.showLogin(w, r, http.StatusOK, "", "")
}

func (a *Admin) showLogin(w http.ResponseWriter, r *http.Request, status int, email, msg string) {
	has, err := a.auth.Accounts().HasUsers(r.Context())
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	d := &loginData{Next: safeNext(r.FormValue("next")), Email: email, Setup: !has}
	if has {
		d.LoginToken = a.auth.LoginCSRF(w, r)
	}
	a.render(w, r, status, "login", &view{Title: "Sign in", Error: msg, Data: d})
}

func (a *Admin) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if !httpauth.ValidLoginCSRF(r) {
		a.showLogin(w, r, http.StatusForbidden, "", "The sign-in form expired; please try again.")
		return
	}
	email := strings.TrimSpace(r.PostFormValue("email"))
	u, err := a.auth.Login(r, email, r.PostFormValue("password"))
	switch {
	case errors.Is(err, auth.ErrBadCredentials):
		a.showLogin(w, r, http.StatusUnauthorized, email, "Wrong email or password.")
		return
	case errors.Is(err, auth.ErrRateLimited):
		a.showLogin(w, r, http.StatusTooManyRequests, email, "Too many failed attempts. Wait a few minutes and try again.")
		return
	case err != nil:
		a.serverError(w, r, err)
		return
	}
	if _, err := a.auth.StartSession(r.Context(), w, u); err != nil {
		a.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

func (a *Admin) logout(w http.ResponseWriter, r *http.Request) {
	if err := a.auth.EndSession(r.Context(), w, r); err != nil {
		a.log.Warn("logout", "err", err)
	}
	http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
}

// safeNext keeps a post-login destination inside the admin (no open redirect).
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/admin/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") ||
		strings.HasPrefix(next, "/admin/login") {
		return "/admin/"
	}
	return next
}
