package web

import (
	"bytes"
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
