package web

import (
	"context"
	"net/http"
	"time"
)

// healthz says the process is up and its database answers.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.read.Ping(ctx); err != nil {
		s.log.Warn("health check: database", "err", err)
		plain(w, http.StatusServiceUnavailable, "database unavailable\n")
		return
	}
	plain(w, http.StatusOK, "ok\n")
}

// readyz says the server can take traffic: the database answers and its
// schema is migrated.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.read.Ready(ctx); err != nil {
		s.log.Warn("readiness check", "err", err)
		plain(w, http.StatusServiceUnavailable, "not ready\n")
		return
	}
	plain(w, http.StatusOK, "ready\n")
}

// plain writes a short text answer for machines (probes, one-click clients).
func plain(w http.ResponseWriter, status int, body string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write([]byte(body))
}
