package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"masthead/newsletter"
	"masthead/store"
)

// homePage is the front page (every publication) and a publication's archive
// page: the latest issues, a page at a time, and the subscribe form.
type homePage struct {
	site
	Heading      string // the page's h1
	Publications []pubChoice
	Multi        bool   // several publications: the form offers a choice
	Archive      string // the archive's own path ("/" or "/issues/slug/")
	From         string // the publication of the archive page, "" on the front page
	Form         subscribeForm
	Issues       []issueLink
	Page, Pages  int
	NewerURL     string // "" on the first page
	OlderURL     string // "" on the last page
}

// pubChoice is one publication in the subscribe form.
type pubChoice struct {
	Slug, Name, Tagline string
	Checked             bool
}

// issueLink is one issue in the archive list.
type issueLink struct {
	URL             string
	Date            string // "Thursday, July 9, 2009"
	ISODate         string
	Label           string // "Volume 3, Number 153"
	PublicationName string
}

// subscribeForm is what the reader typed, shown again with Error when it
// could not be taken.
type subscribeForm struct {
	Email, Name string
	Error       string
}

// front is GET /: the latest issues of every publication.
func (s *Server) front(w http.ResponseWriter, r *http.Request) {
	s.showHome(w, r, "", subscribeForm{}, http.StatusOK)
}

// archive is GET /issues/{slug}/: one publication's issues.
func (s *Server) archive(w http.ResponseWriter, r *http.Request) {
	s.showHome(w, r, r.PathValue("slug"), subscribeForm{}, http.StatusOK)
}

// showHome renders the front page, or the archive of the publication slug.
func (s *Server) showHome(w http.ResponseWriter, r *http.Request, slug string, form subscribeForm, status int) {
	pubs, err := s.publications(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	page := 1
	if v := r.URL.Query().Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 {
			s.errorPage(w, r, http.StatusNotFound)
			return
		}
	}
	data, err := s.homeData(r.Context(), pubs, slug, page)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.errorPage(w, r, http.StatusNotFound)
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	data.Form = form
	s.render(w, r, status, s.siteTheme(pubs), pageHome, data)
}

// homeData reads one page of the archive. ErrNotFound for an unknown
// publication or a page past the end.
func (s *Server) homeData(ctx context.Context, pubs []*newsletter.Publication, slug string, page int) (*homePage, error) {
	d := &homePage{site: s.siteFor(pubs), Heading: "Latest issues", Multi: len(pubs) > 1, Archive: "/", Page: page}
	var pub *newsletter.Publication
	if slug != "" {
		for _, p := range pubs {
			if p.Slug == slug {
				pub = p
			}
		}
		if pub == nil {
			return nil, store.ErrNotFound
		}
		d.SiteName, d.Tagline = pub.Name, pub.Tagline
		d.Archive = "/issues/" + pub.Slug + "/"
		d.From = pub.Slug
		d.FeedURL = d.Archive + "feed.atom"
		d.Heading = "Archive of " + pub.Name
	}
	for i, p := range pubs {
		checked := p == pub || (pub == nil && i == 0)
		d.Publications = append(d.Publications, pubChoice{Slug: p.Slug, Name: p.Name, Tagline: p.Tagline, Checked: checked})
	}
	var pubID int64
	switch {
	case pub != nil:
		pubID = pub.ID
	case len(pubs) == 1:
		pubID = pubs[0].ID // the same list, read in order from its index with no sort
	}
	total, err := s.read.CountPublicIssues(ctx, pubID)
	if err != nil {
		return nil, err
	}
	d.Pages = max(1, (total+s.pageSize-1)/s.pageSize)
	if page > d.Pages {
		return nil, store.ErrNotFound
	}
	list, err := s.read.PublicIssues(ctx, pubID, s.pageSize, (page-1)*s.pageSize)
	if err != nil {
		return nil, err
	}
	for _, is := range list {
		label := "Volume " + strconv.Itoa(is.Volume) + ", Number " + strconv.Itoa(is.Number)
		if is.Edition > 0 {
			label += " — " + is.EditionTitle
		}
		d.Issues = append(d.Issues, issueLink{
			URL:  issuePath(is.PublicationSlug, is.Ref()),
			Date: is.Date.Long(), ISODate: is.Date.String(),
			Label:           label,
			PublicationName: is.PublicationName,
		})
	}
	if page > 1 {
		d.NewerURL = pageURL(d.Archive, page-1)
	}
	if page < d.Pages {
		d.OlderURL = pageURL(d.Archive, page+1)
	}
	return d, nil
}

func pageURL(archive string, page int) string {
	if page == 1 {
		return archive
	}
	return archive + "?page=" + strconv.Itoa(page)
}

// issuePath is an issue's stable address on the web edition (the same as
// assembly.Assembler.EditionURL, without the base URL): ref is its date, or
// for an extra edition its date and edition (newsletter.Issue.Ref).
func issuePath(slug, ref string) string {
	return "/issues/" + slug + "/" + ref
}
