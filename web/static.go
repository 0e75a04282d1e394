package web

import (
	"bytes"
	"embed"
	"net/http"
	"time"
)

// stylesheet serves the theme's style sheet.
func (s *Server) stylesheet(w http.ResponseWriter, r *http.Request) {
	pubs, _ := s.publications(r.Context())
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.ServeContent(w, r, "style.css", time.Time{}, bytes.NewReader(s.siteTheme(pubs).Stylesheet()))
}

// scripts are the pages' script files, served as they are: the pages'
// Content-Security-Policy (default-src 'self') allows this site's files and
// no inline script. Every page works without them.
//
//go:embed static/*.js
var scripts embed.FS

// timezoneScript serves static/timezone.js, which fills the subscribe
// form's timezone field (on the front page, and on a newsroom's page that
// includes it with the form snippet's script line).
func (s *Server) timezoneScript(w http.ResponseWriter, r *http.Request) {
	js, err := scripts.ReadFile("static/timezone.js")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.ServeContent(w, r, "timezone.js", time.Time{}, bytes.NewReader(js))
}
