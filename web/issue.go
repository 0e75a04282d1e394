package web

import (
	"bytes"
	"errors"
	"net/http"

	"masthead/newsletter"
	"masthead/store"
)

// issue is GET /issues/{slug}/{date}: an issue's page, rendered with its
// publication's theme from the issue's stored snapshot of its articles, so
// that it shows what the email showed. Only public issues (sent or being
// sent) are shown; any other is not found. {date} is the date of a daily
// issue, 2009-07-09, or the date and edition of an extra,
// 2009-07-09-extra-1 (newsletter.Issue.Ref).
func (s *Server) issue(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, edition, err := newsletter.ParseRef(r.PathValue("date"))
	if err != nil {
		s.errorPage(w, r, http.StatusNotFound)
		return
	}
	pub, err := s.read.PublicationBySlug(ctx, r.PathValue("slug"))
	if err != nil {
		s.notFoundOr500(w, r, err)
		return
	}
	iss, err := s.read.IssueByEdition(ctx, pub.ID, d, edition)
	if err != nil {
		s.notFoundOr500(w, r, err)
		return
	}
	if !iss.Status.Public() {
		s.errorPage(w, r, http.StatusNotFound)
		return
	}
	theme, err := s.assembler.Theme(pub)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := theme.RenderWeb(&buf, s.assembler.View(pub, iss)); err != nil {
		s.serverError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=300")
	w.Write(buf.Bytes())
}

// notFoundOr500 answers 404 for store.ErrNotFound and 500 for other errors.
func (s *Server) notFoundOr500(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrNotFound) {
		s.errorPage(w, r, http.StatusNotFound)
		return
	}
	s.serverError(w, r, err)
}
