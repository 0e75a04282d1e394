// Package api is masthead's JSON API under /api/: articles, issues,
// subscribers and publications, for scripts and other tools. Every route needs
// an "Authorization: Bearer TOKEN" header (tokens from 'masthead token
// create' or the admin) or an editor's session cookie, and a cookie-
// authenticated write must carry the session's X-CSRF-Token header. Errors are
// always {"error": {"code": "...", "message": "..."}}; lists are paginated
// with a "next" link. It only decodes and encodes JSON: every change is an
// operation of package workspace, and reads go through workspace.Reads;
// who a request is, web/httpauth says.
package api

import (
	"errors"
	"log/slog"
	"net/http"

	"masthead/auth"
	"masthead/web/httpauth"
	"masthead/workspace"
)

// Deps is what the API is made of; all are required but Log.
type Deps struct {
	Work *workspace.Service
	Auth *httpauth.Sessions
	Log  *slog.Logger
}

// API is the http.Handler of /api/.
type API struct {
	work    *workspace.Service
	auth    *httpauth.Sessions
	log     *slog.Logger
	handler http.Handler
}

// New builds the API's routes.
func New(d Deps) *API {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	a := &API{work: d.Work, auth: d.Auth, log: d.Log}
	mux := http.NewServeMux()
	for _, rt := range a.routes() {
		mux.Handle(rt.pattern, a.guard(rt))
	}
	mux.Handle("/api/", a.guard(route{role: auth.Editor, h: a.notFound}))
	a.handler = mux
	return a
}

// ServeHTTP serves a request under /api/.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	a.handler.ServeHTTP(w, r)
}

// route is one line of the route table: who may call it and what serves it.
type route struct {
	pattern string
	role    auth.Role
	h       http.HandlerFunc
}

// routes is the API's one route table.
func (a *API) routes() []route {
	ed, ad := auth.Editor, auth.Admin
	return []route{
		{"GET /api/me", ed, a.me},

		{"GET /api/publications", ed, a.listPublications},
		{"GET /api/publications/{slug}", ed, a.getPublication},
		{"GET /api/publications/{slug}/growth", ed, a.growthReport},
		{"PATCH /api/publications/{slug}", ad, a.patchPublication},

		{"GET /api/articles", ed, a.listArticles},
		{"POST /api/articles", ed, a.createArticle},
		{"GET /api/articles/{id}", ed, a.getArticle},
		{"PATCH /api/articles/{id}", ed, a.patchArticle},
		{"DELETE /api/articles/{id}", ed, a.deleteArticle},

		{"GET /api/media", ed, a.listMedia},
		{"POST /api/media", ed, a.addMedia},
		{"GET /api/media/{id}", ed, a.getMedia},
		{"PATCH /api/media/{id}", ed, a.patchMedia},

		{"GET /api/feeds", ed, a.listFeeds},
		{"POST /api/feeds", ed, a.addFeed},
		{"DELETE /api/feeds/{id}", ed, a.removeFeed},
		{"POST /api/feeds/{id}/poll", ed, a.pollFeed},

		{"GET /api/issues", ed, a.listIssues},
		{"POST /api/issues", ed, a.assembleIssue},
		{"GET /api/issues/{id}", ed, a.getIssue},
		{"PATCH /api/issues/{id}", ed, a.patchIssue},
		{"GET /api/issues/{id}/preview", ed, a.previewIssue},
		{"GET /api/issues/{id}/status", ed, a.issueStatus},
		{"GET /api/issues/{id}/report", ed, a.issueReport},
		{"GET /api/issues/{id}/deliveries", ed, a.listDeliveries},
		{"POST /api/issues/{id}/test", ed, a.testIssue},
		{"POST /api/issues/{id}/schedule", ed, a.scheduleIssue},
		{"POST /api/issues/{id}/unschedule", ed, a.issueAction},
		{"POST /api/issues/{id}/hold", ed, a.issueAction},
		{"POST /api/issues/{id}/release", ed, a.issueAction},
		{"POST /api/issues/{id}/skip", ed, a.issueAction},
		{"POST /api/issues/{id}/send", ed, a.issueAction},
		{"POST /api/issues/{id}/pause", ed, a.issueAction},
		{"POST /api/issues/{id}/resume", ed, a.issueAction},
		{"POST /api/issues/{id}/cancel", ed, a.issueAction},
		{"POST /api/issues/{id}/deliver-now", ed, a.deliverNow},
		{"POST /api/issues/{id}/lift-suppressions", ed, a.liftSendSuppressions},

		{"GET /api/subscribers", ed, a.listSubscribers},
		{"POST /api/subscribers", ed, a.addSubscriber},
		{"POST /api/subscribers/import", ed, a.importSubscribers},
		{"GET /api/subscribers/export", ad, a.exportSubscribers},
		{"GET /api/subscribers/{id}", ed, a.getSubscriber},
		{"PATCH /api/subscribers/{id}", ed, a.patchSubscriber},
		{"POST /api/subscribers/{id}/unsubscribe", ed, a.unsubscribe},
		{"POST /api/subscribers/{id}/lift", ed, a.liftSuppression},
		{"POST /api/subscribers/{id}/erase", ad, a.eraseSubscriber},
	}
}

// guard limits the request body before anything reads it (the CSRF check
// included), authenticates, checks the role and, for a cookie session's
// write, the CSRF header, before the route's handler runs.
func (a *API) guard(rt route) http.Handler {
	limit := int64(maxBody)
	switch rt.pattern {
	case "POST /api/subscribers/import":
		limit = maxCSV
	case "POST /api/media":
		limit = maxMedia
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		p, err := a.auth.Authenticate(r)
		if err != nil {
			if !errors.Is(err, httpauth.ErrUnauthenticated) {
				a.log.Error("authenticate", "err", err)
				writeError(w, http.StatusInternalServerError, "internal", "internal error")
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="masthead"`)
			writeError(w, http.StatusUnauthorized, "unauthenticated", "send Authorization: Bearer TOKEN (see 'masthead token create')")
			return
		}
		if !p.User.Role.Allows(rt.role) {
			writeError(w, http.StatusForbidden, "forbidden", "this needs the "+string(rt.role)+" role")
			return
		}
		if !safeMethod(r.Method) && p.Session != nil && !httpauth.ValidCSRF(r, p) {
			writeError(w, http.StatusForbidden, "csrf", "a request with a session cookie must carry the X-CSRF-Token header")
			return
		}
		rt.h(w, r.WithContext(httpauth.WithPrincipal(r.Context(), p)))
	})
}

// Guard is h behind the API's checks: an API token or a session (with its
// CSRF header for a write) of a user with at least role. serve puts /metrics
// behind it.
func (a *API) Guard(role auth.Role, h http.Handler) http.Handler {
	return a.guard(route{role: role, h: h.ServeHTTP})
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func (a *API) notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotFound, "not_found", "no such endpoint: "+r.Method+" "+r.URL.Path)
}

// me is who the caller is.
func (a *API) me(w http.ResponseWriter, r *http.Request) {
	p := httpauth.FromContext(r.Context())
	writeJSON(w, http.StatusOK, map[string]any{"id": p.User.ID, "email": p.User.Email, "role": p.User.Role})
}
