package web

import (
	"bytes"
	"encoding/xml"
	"html"
	"net/http"
	"strings"
	"time"

	"masthead/newsletter"
)

// feedEntries is how many of the latest issues a feed carries.
const feedEntries = 20

// Atom (RFC 4287) elements, as much of them as the feed uses.
type atomFeed struct {
	XMLName  xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title    string      `xml:"title"`
	Subtitle string      `xml:"subtitle,omitempty"`
	ID       string      `xml:"id"`
	Updated  string      `xml:"updated"`
	Links    []atomLink  `xml:"link"`
	Author   atomPerson  `xml:"author"`
	Entries  []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	Title     string     `xml:"title"`
	ID        string     `xml:"id"`
	Updated   string     `xml:"updated"`
	Published string     `xml:"published,omitempty"`
	Links     []atomLink `xml:"link"`
	Author    atomPerson `xml:"author"`
	Summary   string     `xml:"summary,omitempty"`
	Content   atomText   `xml:"content"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

// feed is GET /feed.atom (every publication) and /issues/{slug}/feed.atom:
// the latest public issues, newest first, each with its articles.
func (s *Server) feed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	pubs, err := s.publications(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	byID := map[int64]*newsletter.Publication{}
	for _, p := range pubs {
		byID[p.ID] = p
	}
	st := s.siteFor(pubs)
	self, alt := s.baseURL+"/feed.atom", s.baseURL+"/"
	var pubID int64
	if len(pubs) == 1 {
		pubID = pubs[0].ID // the same list, read in order from its index with no sort
	}
	if slug := r.PathValue("slug"); slug != "" {
		pub, err := s.read.PublicationBySlug(ctx, slug)
		if err != nil {
			s.notFoundOr500(w, r, err)
			return
		}
		pubID = pub.ID
		st.SiteName, st.Tagline = pub.Name, pub.Tagline
		base := pub.LinkBase(s.baseURL)
		self, alt = base+"/issues/"+slug+"/feed.atom", base+"/issues/"+slug+"/"
	}
	// The list first, then each issue by its key: a sort over whole rows
	// would read every issue's bodies.
	list, err := s.read.PublicIssues(ctx, pubID, feedEntries, 0)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	issues := make([]*newsletter.Issue, 0, len(list))
	for _, is := range list {
		iss, err := s.read.Issue(ctx, is.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		issues = append(issues, iss)
	}
	feed := atomFeed{
		Title: st.SiteName, Subtitle: st.Tagline, ID: self,
		Links:  []atomLink{{Rel: "self", Type: "application/atom+xml", Href: self}, {Rel: "alternate", Type: "text/html", Href: alt}},
		Author: atomPerson{Name: st.SiteName},
	}
	var updated time.Time
	for _, iss := range issues {
		p := byID[iss.PublicationID]
		if p == nil {
			continue
		}
		e := s.feedEntry(p, iss)
		if t := issueTime(iss); t.After(updated) {
			updated = t
		}
		feed.Entries = append(feed.Entries, e)
	}
	if updated.IsZero() {
		updated = time.Unix(0, 0)
	}
	feed.Updated = updated.UTC().Format(time.RFC3339)
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(feed); err != nil {
		s.serverError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/atom+xml; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=300")
	w.Write(buf.Bytes())
}

// feedEntry is one issue in a feed: its title, link, and articles as HTML.
func (s *Server) feedEntry(p *newsletter.Publication, iss *newsletter.Issue) atomEntry {
	view := s.assembler.View(p, iss)
	var body, summary strings.Builder
	for i, a := range view.Articles {
		body.WriteString("<h2>" + html.EscapeString(a.Title) + "</h2>\n")
		if a.Author != "" {
			body.WriteString("<p><em>By " + html.EscapeString(a.Author) + "</em></p>\n")
		}
		body.WriteString(string(a.HTML) + "\n")
		if i > 0 {
			summary.WriteString("; ")
		}
		summary.WriteString(a.Title)
	}
	t := issueTime(iss).UTC().Format(time.RFC3339)
	return atomEntry{
		Title: p.Name + " — " + iss.Label() + " — " + iss.Date.Long(),
		ID:    view.WebURL, Updated: t, Published: t,
		Links:   []atomLink{{Rel: "alternate", Type: "text/html", Href: view.WebURL}},
		Author:  atomPerson{Name: p.Name},
		Summary: summary.String(),
		Content: atomText{Type: "html", Body: body.String()},
	}
}

// issueTime is when an issue was published: when its sending started, else
// its date.
func issueTime(iss *newsletter.Issue) time.Time {
	if !iss.StartedAt.IsZero() {
		return iss.StartedAt
	}
	return iss.Date.Time(time.UTC)
}
