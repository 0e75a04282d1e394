package web

import (
	"errors"
	"net/http"
	"net/netip"

	"masthead/engagement"
)

// click serves GET (and HEAD) /r/{token}: a 302 to the link's stored URL,
// or 400 for a token masthead did not sign, 404 for a link it does not
// have, 503 when the store fails, through the error page. The reader is
// redirected whether or not the click could be recorded.
func (s *Server) click(w http.ResponseWriter, r *http.Request) {
	if !s.getOrHead(w, r) {
		return
	}
	target, err := s.redirects.Click(r.Context(), r.PathValue("token"), s.engagementRequest(r))
	if err != nil {
		code := clickStatus(err)
		if code == http.StatusServiceUnavailable {
			s.log.Error("redirect: link look-up failed", "err", err)
		}
		s.errorPage(w, r, code)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "private, no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Location", target)
	w.WriteHeader(http.StatusFound)
}

// pixel is a 1x1 transparent GIF.
const pixel = "GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00" +
	"!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"

// open serves GET (and HEAD) /o/{token}: the tracking image, a 1x1
// transparent GIF, whether or not the open could be recorded; 400 for a
// token masthead did not sign.
func (s *Server) open(w http.ResponseWriter, r *http.Request) {
	if !s.getOrHead(w, r) {
		return
	}
	err := s.redirects.Open(r.Context(), r.PathValue("token"), s.engagementRequest(r))
	if errors.Is(err, engagement.ErrBadToken) {
		s.errorPage(w, r, http.StatusBadRequest)
		return
	}
	if err != nil && !errors.Is(err, engagement.ErrNotFound) {
		s.log.Error("open image: link look-up failed", "err", err)
	}
	h := w.Header()
	h.Set("Content-Type", "image/gif")
	h.Set("Cache-Control", "private, no-store")
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	_, _ = w.Write([]byte(pixel))
}

// getOrHead answers 405 to a method other than GET and HEAD. The counted
// links are mounted for every method so that a POST to one gets that rather
// than the catch-all's 404.
func (s *Server) getOrHead(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	s.errorPage(w, r, http.StatusMethodNotAllowed)
	return false
}

// engagementRequest is what the recorder may know of a request: its method,
// user agent and client address (behind a trusted proxy, the forwarded one).
func (s *Server) engagementRequest(r *http.Request) engagement.Request {
	ip, _ := netip.ParseAddr(s.clientIP(r))
	return engagement.Request{Method: r.Method, UserAgent: r.UserAgent(), IP: ip.Unmap()}
}

// clickStatus maps the Redirector's errors to HTTP.
func clickStatus(err error) int {
	switch {
	case errors.Is(err, engagement.ErrBadToken):
		return http.StatusBadRequest
	case errors.Is(err, engagement.ErrNotFound):
		return http.StatusNotFound
	}
	return http.StatusServiceUnavailable
}
