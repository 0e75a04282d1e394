// Package admin is the editor's workspace in the browser, under /admin/:
// server-rendered pages (html/template, embedded with one small stylesheet
// and a few lines of script, nothing from elsewhere) to write and arrange
// articles, preview, test, schedule, send and watch issues, search the
// delivery ledger, manage subscribers, publication settings, the outbox, API
// tokens and accounts. Every page but the login needs a session
// (web/httpauth); every form carries the session's CSRF token. It only
// parses forms and renders pages: every change is an operation of package
// workspace, and pages read through workspace.Reads.
package admin

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"masthead/internal/plural"
	"masthead/reports"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"masthead/auth"
	"masthead/web/httpauth"
	"masthead/workspace"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps is what the admin is made of; all are required but Log.
type Deps struct {
	Work *workspace.Service
	Auth *httpauth.Sessions
	Log  *slog.Logger
	// Secure marks the admin's own cookies Secure (the base URL is https).
	Secure bool
	// BaseURL, when set, is the public address: forms posted from its
	// origin are the admin's own even when a proxy changes the Host.
	BaseURL string
}

// Admin is the http.Handler of /admin/.
type Admin struct {
	work    *workspace.Service
	auth    *httpauth.Sessions
	log     *slog.Logger
	secure  bool
	pages   map[string]*template.Template // as parsed; never executed, see page
	static  http.Handler
	handler http.Handler
	// xorigin refuses a form a browser posts from another site (Origin,
	// Sec-Fetch-Site), as the public forms and the login do: a CSRF token
	// alone must not be all that stands between a page elsewhere and an
	// editor's session.
	xorigin *http.CrossOriginProtection

	zonesMu sync.Mutex
	zones   map[string]map[string]*template.Template // per time zone, the pages whose times show in it
}

// New parses the templates (failing on a broken one) and builds the routes.
func New(d Deps) (*Admin, error) {
	if d.Work == nil || d.Auth == nil {
		return nil, fmt.Errorf("admin: workspace and auth are required")
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	a := &Admin{work: d.Work, auth: d.Auth, log: d.Log, secure: d.Secure, pages: map[string]*template.Template{},
		zones: map[string]map[string]*template.Template{}, xorigin: http.NewCrossOriginProtection()}
	if u, err := url.Parse(d.BaseURL); d.BaseURL != "" && err == nil && u.Host != "" {
		if err := a.xorigin.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
			return nil, fmt.Errorf("admin: base URL: %w", err)
		}
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).Funcs(timeFuncs(time.UTC)).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("admin: %w", err)
		}
		a.pages[name] = t
	}
	sub, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix("/admin/static/", http.FileServerFS(sub))
	a.static = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			a.notFound(w, r) // no listing of the directory
			return
		}
		files.ServeHTTP(w, r)
	})
	mux := http.NewServeMux()
	for _, rt := range a.routes() {
		mux.Handle(rt.pattern, a.guard(rt))
	}
	mux.Handle("/admin/", a.guard(route{role: auth.Editor, h: a.notFound}))
	a.handler = mux
	return a, nil
}

// ServeHTTP serves a request under /admin/.
func (a *Admin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "same-origin")
	a.handler.ServeHTTP(w, r)
}

// route is one line of the route table.
type route struct {
	pattern string
	role    auth.Role // "" for the public routes (login, the stylesheet)
	h       http.HandlerFunc
}

// routes is the admin's one route table.
func (a *Admin) routes() []route {
	ed, ad := auth.Editor, auth.Admin
	return []route{
		{"GET /admin/login", "", a.loginPage},
		{"POST /admin/login", "", a.login},
		{"GET /admin/static/", "", a.staticFile},
		{"GET /admin/static/charts.css", "", a.chartCSS},
		{"POST /admin/logout", ed, a.logout},
		{"GET /admin/{$}", ed, a.home},

		{"GET /admin/articles", ed, a.listArticles},
		{"GET /admin/articles/new", ed, a.newArticle},
		{"POST /admin/articles", ed, a.createArticle},
		{"GET /admin/articles/{id}", ed, a.editArticle},
		{"POST /admin/articles/{id}", ed, a.saveArticle},
		{"POST /admin/articles/{id}/delete", ed, a.deleteArticle},
		{"POST /admin/articles/{id}/move", ed, a.moveArticle},
		{"POST /admin/markdown", ed, a.markdownPreview},

		{"GET /admin/media", ed, a.listMedia},
		{"POST /admin/media", ed, a.addMedia},
		{"POST /admin/media/{id}", ed, a.saveMedia},

		{"GET /admin/issues", ed, a.listIssues},
		{"GET /admin/issues/{date}", ed, a.showIssue},
		{"GET /admin/issues/{date}/preview", ed, a.previewIssue},
		{"GET /admin/issues/{date}/progress", ed, a.progress},
		{"GET /admin/issues/{date}/ledger", ed, a.ledger},
		{"GET /admin/issues/{date}/report", ed, a.issueReport},
		{"GET /admin/growth", ed, a.growthReport},
		{"POST /admin/issues/{date}/{action}", ed, a.issueAction},

		{"GET /admin/feeds", ed, a.listFeeds},
		{"POST /admin/feeds", ed, a.addFeed},
		{"POST /admin/feeds/{id}/delete", ed, a.removeFeed},
		{"POST /admin/feeds/{id}/poll", ed, a.pollFeed},

		{"GET /admin/subscribers", ed, a.listSubscribers},
		{"POST /admin/subscribers", ed, a.addSubscriber},
		{"POST /admin/subscribers/import", ed, a.importSubscribers},
		{"GET /admin/subscribers/export", ad, a.exportSubscribers},
		{"GET /admin/subscribers/{id}", ed, a.showSubscriber},
		{"POST /admin/subscribers/{id}/unsubscribe", ed, a.unsubscribe},
		{"POST /admin/subscribers/{id}/timezone", ed, a.setTimeZone},
		{"POST /admin/subscribers/{id}/lift", ed, a.liftSuppression},
		{"POST /admin/subscribers/{id}/erase", ad, a.eraseSubscriber},

		{"GET /admin/settings", ad, a.settingsPage},
		{"POST /admin/settings", ad, a.saveSettings},
		{"GET /admin/outbox", ed, a.listOutbox},
		{"GET /admin/outbox/{id}", ed, a.showOutbox},
		{"GET /admin/outbox/{id}/html", ed, a.outboxHTML},
		{"GET /admin/outbox/{id}/raw", ed, a.outboxRaw},
		{"GET /admin/tokens", ed, a.listTokens},
		{"POST /admin/tokens", ed, a.createToken},
		{"POST /admin/tokens/{id}/delete", ed, a.deleteToken},
		{"GET /admin/users", ad, a.listUsers},
		{"POST /admin/users", ad, a.addUser},
		{"POST /admin/users/{id}/delete", ad, a.removeUser},
		{"POST /admin/users/{id}/role", ad, a.changeRole},
		{"POST /admin/users/{id}/password", ad, a.resetPassword},
	}
}

// guard limits the request body before anything reads it, sends strangers
// to the login page, refuses the wrong role with 403, and refuses a POST
// without the session's CSRF token with 403.
func (a *Admin) guard(rt route) http.Handler {
	limit := bodyLimit(rt.pattern)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			a.tooLarge(w, r, nil, limit)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if err := a.xorigin.Check(r); err != nil && !a.work.IsPublicationOrigin(r.Context(), r.Header.Get("Origin")) {
			a.log.Warn("cross-site admin form refused", "path", r.URL.Path, "origin", r.Header.Get("Origin"),
				"sec_fetch_site", r.Header.Get("Sec-Fetch-Site"))
			a.errorPage(w, r, nil, http.StatusForbidden, "This form did not come from this site. Go back, reload the page and try again.")
			return
		}
		if rt.role == "" {
			rt.h(w, r)
			return
		}
		p, err := a.auth.Authenticate(r)
		if err != nil {
			if !errors.Is(err, httpauth.ErrUnauthenticated) {
				a.serverError(w, r, err)
				return
			}
			http.Redirect(w, r, "/admin/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if !p.User.Role.Allows(rt.role) {
			a.errorPage(w, r, p, http.StatusForbidden, "This page is for admins.")
			return
		}
		if bulk(rt.pattern) {
			extendDeadlines(w)
		}
		if r.Method == http.MethodPost {
			var ok bool
			if r, ok = a.parseForm(w, r, p, limit); !ok {
				return
			}
			if !httpauth.ValidCSRF(r, p) {
				a.log.Warn("admin form without a valid CSRF token refused", "path", r.URL.Path, "user", p.User.Email)
				a.errorPage(w, r, p, http.StatusForbidden, "This form has expired or did not come from this site. Go back, reload the page and try again.")
				return
			}
		}
		rt.h(w, r.WithContext(httpauth.WithPrincipal(r.Context(), p)))
	})
}

func (a *Admin) staticFile(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	a.static.ServeHTTP(w, r)
}

// chartCSS serves the report charts' colours (light and dark): the pages'
// policy allows no inline style, so the <style> inside each SVG is ignored.
func (a *Admin) chartCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	io.WriteString(w, reports.ChartCSS())
}

func (a *Admin) home(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/admin/issues", http.StatusSeeOther)
}

func (a *Admin) notFound(w http.ResponseWriter, r *http.Request) {
	a.errorPage(w, r, httpauth.FromContext(r.Context()), http.StatusNotFound, "There is no such page.")
}

var funcs = template.FuncMap{
	"list": func(xs ...string) []string { return xs },
	"pct":  func(f float64) float64 { return 100 * f },
	// plural is a count with its noun: {{plural .Rows "row" "rows"}}.
	"plural": plural.Count[int],
}

// timeFuncs are the template functions that show a time, in loc.
func timeFuncs(loc *time.Location) template.FuncMap {
	return template.FuncMap{
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(loc).Format("2006-01-02 15:04:05 MST")
		},
		"clock": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(loc).Format("15:04")
		},
	}
}

// page is the template of page name showing its times in loc: a copy of the
// parsed page, made once per zone, so that an editor of a publication in New
// York reads every time in New York's, as the CLI states them.
func (a *Admin) page(name string, loc *time.Location) (*template.Template, error) {
	a.zonesMu.Lock()
	defer a.zonesMu.Unlock()
	set := a.zones[loc.String()]
	if set == nil {
		set = map[string]*template.Template{}
		a.zones[loc.String()] = set
	}
	if t, ok := set[name]; ok {
		return t, nil
	}
	base, ok := a.pages[name]
	if !ok {
		return nil, fmt.Errorf("no template %s", name)
	}
	t, err := base.Clone()
	if err != nil {
		return nil, err
	}
	t.Funcs(timeFuncs(loc))
	set[name] = t
	return t, nil
}

// zone is the time zone a page shows its times in: its publication's, else
// the one the editor works on (remembered, else the first), else UTC.
func (a *Admin) zone(r *http.Request, v *view) *time.Location {
	if v.Pub != nil {
		return v.Pub.Location()
	}
	if len(v.Pubs) == 0 {
		return time.UTC
	}
	if c, err := r.Cookie(pubCookie); err == nil {
		for _, p := range v.Pubs {
			if p.Slug == c.Value {
				return p.Location()
			}
		}
	}
	return v.Pubs[0].Location()
}
