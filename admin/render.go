package admin

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"

	"masthead/auth"
	"masthead/newsletter"
	"masthead/web/httpauth"
	"masthead/workspace"
)

// view is what every page template sees; Data is the page's own.
type view struct {
	Title string
	User  *auth.User
	CSRF  string
	Pub   *newsletter.Publication
	Pubs  []*newsletter.Publication
	Nav   string // the menu entry to highlight
	Flash string
	Error string
	Data  any
}

// flashCookie carries a one-line confirmation across a redirect after a POST.
const flashCookie = "masthead_flash"

// pubCookie remembers the publication an editor chose (with several).
const pubCookie = "masthead_pub"

// render writes a page with status.
func (a *Admin) render(w http.ResponseWriter, r *http.Request, status int, name string, v *view) {
	if p := httpauth.FromContext(r.Context()); p != nil && v.User == nil {
		v.User, v.CSRF = p.User, p.CSRF()
	}
	if c, err := r.Cookie(flashCookie); err == nil && v.Flash == "" {
		if msg, err := url.QueryUnescape(c.Value); err == nil {
			v.Flash = msg
		}
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/admin/", MaxAge: -1, HttpOnly: true, Secure: a.secure, SameSite: http.SameSiteLaxMode})
	}
	if v.Pubs == nil && v.User != nil {
		v.Pubs, _ = a.work.Reads().Publications(r.Context())
	}
	t, err := a.page(name, a.zone(r, v))
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		a.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// redirect answers a POST with a redirect to path and a flash message.
func (a *Admin) redirect(w http.ResponseWriter, r *http.Request, path, flash string) {
	if flash != "" {
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(flash), Path: "/admin/", MaxAge: 60,
			HttpOnly: true, Secure: a.secure, SameSite: http.SameSiteLaxMode})
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

func (a *Admin) errorPage(w http.ResponseWriter, r *http.Request, p *httpauth.Principal, status int, msg string) {
	v := &view{Title: http.StatusText(status), Error: msg}
	if p != nil {
		v.User, v.CSRF = p.User, p.CSRF()
	}
	a.render(w, r, status, "error", v)
}

func (a *Admin) serverError(w http.ResponseWriter, r *http.Request, err error) {
	a.log.Error("admin request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	w.Write([]byte("Something went wrong on the server; the error is in its log.\n"))
}

// publication is the publication the editor works on: ?pub= (remembered in a
// cookie), else the remembered one, else the first.
func (a *Admin) publication(w http.ResponseWriter, r *http.Request) (*newsletter.Publication, bool) {
	slug := r.FormValue("pub")
	if slug != "" {
		http.SetCookie(w, &http.Cookie{Name: pubCookie, Value: slug, Path: "/admin/", HttpOnly: true, Secure: a.secure, SameSite: http.SameSiteLaxMode})
	} else if c, err := r.Cookie(pubCookie); err == nil {
		slug = c.Value
	}
	p, err := a.work.Publication(r.Context(), slug)
	if errors.Is(err, workspace.ErrNoPublication) && slug != "" {
		p, err = a.work.Publication(r.Context(), "")
	}
	if errors.Is(err, workspace.ErrNoPublication) {
		a.errorPage(w, r, httpauth.FromContext(r.Context()), http.StatusNotFound,
			"There is no publication yet. Create one with: masthead publication set --name NAME --from ADDRESS")
		return nil, false
	}
	if err != nil {
		a.serverError(w, r, err)
		return nil, false
	}
	return p, true
}

// userMessage is the part of an error an editor may read: validation and
// state errors say what to fix; anything else is logged and summarised.
func (a *Admin) userMessage(r *http.Request, err error) (string, bool) {
	var fe *newsletter.FieldError
	var fes newsletter.Errors
	switch {
	case errors.As(err, &fes), errors.As(err, &fe):
		return err.Error(), true
	case errors.Is(err, newsletter.ErrFrozen), errors.Is(err, newsletter.ErrEmptyIssue),
		errors.Is(err, workspace.ErrState), errors.Is(err, workspace.ErrInPast):
		return err.Error(), true
	case errors.Is(err, workspace.ErrTestSend):
		a.log.Warn("test send failed", "err", err)
		return "The mail server did not accept the test message; the reason is in the server log.", true
	case errorsIsSuppressed(err):
		return err.Error(), true
	}
	return "", false
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
