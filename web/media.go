package web

import (
	"bytes"
	"errors"
	"net/http"
	"time"

	"masthead/media"
	"masthead/store"
)

// picture serves a rendition of the picture library at its address,
// /media/{sha256}-{width}.{ext} (media.Path). The address names the
// content, so the response may be cached for good; it has the exact type of
// the stored format and the rendition's own SHA-256 as its ETag.
func (s *Server) picture(w http.ResponseWriter, r *http.Request) {
	sha, width, format, ok := media.ParsePath(r.URL.Path)
	if !ok {
		s.notFound(w, r)
		return
	}
	rend, err := s.read.MediaRendition(r.Context(), sha, width)
	if errors.Is(err, store.ErrNotFound) || (err == nil && media.Format(rend.Format) != format) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.log.Error("picture", "sha256", sha, "width", width, "err", err)
		s.errorPage(w, r, http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", format.MIME())
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", `"`+rend.SHA256+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(rend.Data))
}
