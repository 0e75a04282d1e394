package web

import (
	"net/http"
	"slices"

	"masthead/newsletter"
)

// Signup from the newsroom's own site. A publication's signup origins
// (newsletter.Publication.SignupOrigins) may post the subscribe form from
// their pages. Such a form cannot carry a token of this site, and its POST
// has no cookie of this site (SameSite), so what tells it apart is the
// Origin header every browser sends with a cross-origin POST: the form is
// taken when that origin is one of the signup origins of the publications
// it asks for, and refused with 403 otherwise, as every other cross-site
// post is. A page whose Referrer-Policy is no-referrer or same-origin makes
// the browser send "Origin: null", which is refused: such pages must allow
// at least their origin (strict-origin-when-cross-origin, the default).

// signupForm guards POST /subscribe: the body limit, and the cross-site
// check of the public forms, which lets through a browser's post from the
// pages of a publication's signup origin.
func (s *Server) signupForm(next http.HandlerFunc) http.Handler {
	return s.limitBody(formLimit, func(w http.ResponseWriter, r *http.Request) {
		origin, foreign := s.signupOrigin(r)
		if !foreign {
			next(w, r)
			return
		}
		pubs, err := s.publications(r.Context())
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if origin == "" || !slices.ContainsFunc(pubs, func(p *newsletter.Publication) bool { return p.AllowsOrigin(origin) }) {
			s.log.Info("cross-site form post refused", "path", r.URL.Path, "origin", r.Header.Get("Origin"),
				"sec_fetch_site", r.Header.Get("Sec-Fetch-Site"))
			s.errorPage(w, r, http.StatusForbidden)
			return
		}
		next(w, r)
	})
}

// signupOrigin tells a post from another site (foreign), with the origin
// its browser named (empty when it named none, or "null").
func (s *Server) signupOrigin(r *http.Request) (origin string, foreign bool) {
	if s.csrf.Check(r) == nil || s.work.IsPublicationOrigin(r.Context(), r.Header.Get("Origin")) {
		return "", false
	}
	o, err := newsletter.ParseOrigin(r.Header.Get("Origin"))
	if err != nil {
		return "", true
	}
	return o, true
}

// chooseFrom is choose for a form posted from origin (empty: this site's
// own pages). From another site, only publications that allow it may be
// asked for; ok is false when the form names one that does not. With no
// publication named, the only publication that allows the origin is chosen.
func chooseFrom(pubs []*newsletter.Publication, slugs []string, origin string) (chosen []*newsletter.Publication, ok bool) {
	if origin == "" {
		return choose(pubs, slugs), true
	}
	var allowed []*newsletter.Publication
	for _, p := range pubs {
		if p.AllowsOrigin(origin) {
			allowed = append(allowed, p)
		} else if slices.Contains(slugs, p.Slug) {
			return nil, false
		}
	}
	if len(allowed) == 1 && len(slugs) == 0 {
		return allowed, true
	}
	return choose(allowed, slugs), true
}

// signupReturn is where a well-formed subscription sends the reader: the
// form's redirect (or return_to) field when it is on a signup origin of one
// of the chosen publications, else this site's page saying the email is on
// its way. It is never an address elsewhere.
func signupReturn(r *http.Request, chosen []*newsletter.Publication) string {
	raw := r.PostForm.Get("redirect")
	if raw == "" {
		raw = r.PostForm.Get("return_to")
	}
	if raw != "" {
		for _, p := range chosen {
			if u, ok := p.SignupReturn(raw); ok {
				return u
			}
		}
	}
	return "/subscribe/sent"
}
