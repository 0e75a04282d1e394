package web

import (
	"bytes"
	"context"
	"net/http"

	"masthead/assembly"
	"masthead/newsletter"
	"masthead/templates"
)

// site is what every page of the web edition shows in its header and footer.
type site = assembly.Site

// siteFor describes the web edition: one publication's name and tagline, or
// the SiteName (else the publications' names) when there are several.
func (s *Server) siteFor(pubs []*newsletter.Publication) site {
	return assembly.SiteOf(s.siteName, pubs)
}

// siteTheme is the theme of the site's pages: the one publication's theme
// when it has its own, else the built-in theme.
func (s *Server) siteTheme(pubs []*newsletter.Publication) *templates.Theme {
	if t, err := s.assembler.SiteTheme(pubs); err == nil {
		return t
	}
	return s.theme
}

// render writes page name of theme t with status. A page that fails to render
// is logged and replaced by the error page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, t *templates.Theme, name string, data any) {
	var buf bytes.Buffer
	if err := t.Page(&buf, name, data); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// errorData is the error page's data.
type errorData struct {
	site
	Status  int
	Title   string
	Message string
}

// errorTexts are what the error page says for each status.
var errorTexts = map[int][2]string{
	http.StatusBadRequest:            {"Bad request", "The request could not be understood."},
	http.StatusForbidden:             {"Not allowed", "This form must be sent from this site's own pages. Go back, reload the page and try again."},
	http.StatusNotFound:              {"Page not found", "There is nothing at this address. The archive on the main page lists every issue."},
	http.StatusMethodNotAllowed:      {"Not allowed", "This address does not accept that kind of request."},
	http.StatusRequestEntityTooLarge: {"Too much data", "The form sent more data than this site accepts. Shorten what you typed and try again."},
	http.StatusTooManyRequests:       {"Too many attempts", "Too many requests came from your network in a short time. Please wait an hour and try again."},
	http.StatusInternalServerError:   {"Something went wrong", "The page could not be shown because of an error on our side. It has been logged; please try again later."},
	http.StatusServiceUnavailable:    {"Not available", "This service is not available right now. Please try again later."},
}

// errorPage answers with status and the error page's standard text for it.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int) {
	t, ok := errorTexts[status]
	if !ok {
		t = [2]string{http.StatusText(status), ""}
	}
	s.errorPageText(w, r, status, t[0], t[1])
}

// errorPageText answers with status and an error page saying title and message.
func (s *Server) errorPageText(w http.ResponseWriter, r *http.Request, status int, title, message string) {
	pubs, _ := s.publications(r.Context())
	data := errorData{site: s.siteFor(pubs), Status: status, Title: title, Message: message}
	var buf bytes.Buffer
	if err := s.theme.Page(&buf, pageError, data); err != nil {
		s.log.Error("render error page", "err", err)
		buf.Reset()
		buf.WriteString("<!DOCTYPE html>\n<html lang=\"en\"><meta charset=\"utf-8\"><title>Error</title><h1>Error</h1><p>Please try again later.</p></html>\n")
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// serverError logs err with the request and shows the 500 page, which says
// nothing of err.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("request failed", "method", r.Method, "pattern", r.Pattern, "err", err)
	s.errorPage(w, r, http.StatusInternalServerError)
}

// notFound is the catch-all route.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusNotFound)
}

// publications lists the publications; the web edition shows them all.
func (s *Server) publications(ctx context.Context) ([]*newsletter.Publication, error) {
	return s.read.Publications(ctx)
}
