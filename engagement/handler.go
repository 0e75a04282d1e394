package engagement

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"path"
)

// HandlerOptions adapt the handlers to the web server they are mounted in.
type HandlerOptions struct {
	// ClientIP returns the client's address; by default the host of
	// RemoteAddr (the web server passes its trusted-proxy-aware function).
	ClientIP func(*http.Request) string
	// Error writes the response of a refused request (status 400, 404 or
	// 503); by default the status text as plain text. It never sees the
	// error itself: internal errors are logged, not shown.
	Error func(w http.ResponseWriter, r *http.Request, status int)
	// Logger logs store failures (never tokens, addresses or agents).
	Logger *slog.Logger
}

func (o *HandlerOptions) clientIP(r *http.Request) netip.Addr {
	s := r.RemoteAddr
	if o.ClientIP != nil {
		s = o.ClientIP(r)
	} else if h, _, err := net.SplitHostPort(s); err == nil {
		s = h
	}
	a, _ := netip.ParseAddr(s)
	return a.Unmap()
}

func (o *HandlerOptions) fail(w http.ResponseWriter, r *http.Request, status int) {
	if o.Error != nil {
		o.Error(w, r, status)
		return
	}
	http.Error(w, http.StatusText(status), status)
}

func (o *HandlerOptions) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// getOrHead answers 405 to a method other than GET and HEAD.
func (o *HandlerOptions) getOrHead(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	o.fail(w, r, http.StatusMethodNotAllowed)
	return false
}

// token is the request's {token} path value, or its last path segment.
func token(r *http.Request) string {
	if t := r.PathValue("token"); t != "" {
		return t
	}
	return path.Base(r.URL.Path)
}

func request(r *http.Request, o *HandlerOptions) Request {
	return Request{Method: r.Method, UserAgent: r.UserAgent(), IP: o.clientIP(r)}
}

// status maps the Redirector's errors to HTTP.
func status(err error) int {
	switch {
	case errors.Is(err, ErrBadToken):
		return http.StatusBadRequest
	case errors.Is(err, ErrNotFound):
		return http.StatusNotFound
	}
	return http.StatusServiceUnavailable
}

// ClickHandler serves GET (and HEAD) /r/{token}: a 302 to the link's URL,
// or 400 for a token masthead did not sign, 404 for a link it does not
// have, 503 when the store fails. Mount it as
// mux.Handle("GET /r/{token}", rd.ClickHandler(opts)).
func (rd *Redirector) ClickHandler(o HandlerOptions) http.Handler {
	log := o.logger()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !o.getOrHead(w, r) {
			return
		}
		target, err := rd.Click(r.Context(), token(r), request(r, &o))
		if err != nil {
			code := status(err)
			if code == http.StatusServiceUnavailable {
				log.Error("redirect: link look-up failed", "err", err)
			}
			o.fail(w, r, code)
			return
		}
		h := w.Header()
		h.Set("Cache-Control", "private, no-store")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Location", target)
		w.WriteHeader(http.StatusFound)
	})
}

// pixel is a 1x1 transparent GIF.
const pixel = "GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00" +
	"!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"

// OpenHandler serves GET /o/{token}: the tracking image, a 1x1 transparent
// GIF, whether or not the open could be recorded; 400 for a token masthead
// did not sign.
func (rd *Redirector) OpenHandler(o HandlerOptions) http.Handler {
	log := o.logger()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !o.getOrHead(w, r) {
			return
		}
		err := rd.Open(r.Context(), token(r), request(r, &o))
		if errors.Is(err, ErrBadToken) {
			o.fail(w, r, http.StatusBadRequest)
			return
		}
		if err != nil && !errors.Is(err, ErrNotFound) {
			log.Error("open image: link look-up failed", "err", err)
		}
		h := w.Header()
		h.Set("Content-Type", "image/gif")
		h.Set("Cache-Control", "private, no-store")
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusOK)
			return
		}
		_, _ = w.Write([]byte(pixel))
	})
}
