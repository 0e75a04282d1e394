package web

import (
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"
)

// recorder remembers what a handler wrote, for the access log and for the
// recoverer (which can only show an error page if nothing was written yet).
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// accessLog logs one line per request. Tokens in confirm and unsubscribe
// paths are left out: they are the reader's keys.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		path := r.URL.Path
		if strings.Contains(r.Pattern, "{token}") {
			path = path[:strings.LastIndexByte(path, '/')+1] + "…"
		}
		s.log.LogAttrs(r.Context(), levelFor(rec.status), "http request",
			slog.String("method", r.Method), slog.String("path", path), slog.Int("status", rec.status),
			slog.Int64("bytes", rec.bytes), slog.Duration("duration", time.Since(start)),
			slog.String("remote", s.clientIP(r)))
	})
}

// levelFor logs server errors as errors and the rest as info.
func levelFor(status int) slog.Level {
	if status >= 500 {
		return slog.LevelError
	}
	return slog.LevelInfo
}

// recoverer turns a panic into a logged error and a plain 500 page.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic in handler", "method", r.Method, "pattern", r.Pattern, "panic", v,
				"stack", string(debug.Stack()))
			if rec, ok := w.(*recorder); ok && rec.status != 0 {
				return // too late for an error page
			}
			s.errorPage(w, r, http.StatusInternalServerError)
		}()
		next.ServeHTTP(w, r)
	})
}

// Content-Security-Policy of every page: nothing from elsewhere, no inline
// script or style, no framing, forms post only here.
const csp = "default-src 'self'; img-src 'self' data: https:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// cspFormAction is csp with forms also allowed to end up at the origin of
// the URL u (a redirect after the form, which browsers check too).
func cspFormAction(u string) string {
	pu, err := url.Parse(u)
	if err != nil || pu.Scheme == "" || pu.Host == "" {
		return csp
	}
	return strings.Replace(csp, "form-action 'self'", "form-action 'self' "+pu.Scheme+"://"+pu.Host, 1)
}

// secureHeaders sets the security headers of every response. A handler that
// must be framed (an editor's preview) replaces Content-Security-Policy and
// deletes X-Frame-Options.
func (s *Server) secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// limitBody refuses request bodies over n bytes with 413.
func (s *Server) limitBody(n int64, next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > n {
			s.errorPage(w, r, http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, n)
		next(w, r)
	})
}

// form guards a public form's POST: body limit and cross-site check (see the
// package comment on CSRF).
func (s *Server) form(next http.HandlerFunc) http.Handler {
	return s.limitBody(formLimit, func(w http.ResponseWriter, r *http.Request) {
		if err := s.csrf.Check(r); err != nil && !s.work.IsPublicationOrigin(r.Context(), r.Header.Get("Origin")) {
			s.log.Info("cross-site form post refused", "path", r.URL.Path, "origin", r.Header.Get("Origin"),
				"sec_fetch_site", r.Header.Get("Sec-Fetch-Site"))
			s.errorPage(w, r, http.StatusForbidden)
			return
		}
		next(w, r)
	})
}

// parseForm parses a form body, URL-encoded or multipart (RFC 8058 allows
// both for one-click); on failure it has answered (413 for a body over the
// limit, 400 otherwise) and returns false.
func (s *Server) parseForm(w http.ResponseWriter, r *http.Request) bool {
	var err error
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
		err = r.ParseMultipartForm(formLimit)
	} else {
		err = r.ParseForm()
	}
	if err == nil {
		return true
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.errorPage(w, r, http.StatusRequestEntityTooLarge)
	} else {
		s.errorPage(w, r, http.StatusBadRequest)
	}
	return false
}
