package assembly

import (
	"strings"

	"masthead/newsletter"
	"masthead/templates"
)

// Site is what every page of the web edition, and the confirmation email,
// shows in its header and footer.
type Site struct {
	SiteName string
	Tagline  string
	HomeURL  string // the front page
	FeedURL  string // the Atom feed of the page's issues
	// Lang is the pages' language: the one publication's, or the one all
	// share (else English); the lang attribute and the fixed wording.
	Lang string
}

// Language is the pages' language (the layout's lang attribute).
func (s Site) Language() string { return s.Lang }

// SiteOf describes the web edition: one publication's name and tagline, or
// siteName (else the publications' names) when there are several.
func SiteOf(siteName string, pubs []*newsletter.Publication) Site {
	st := Site{SiteName: siteName, HomeURL: "/", FeedURL: "/feed.atom", Lang: newsletter.DefaultLanguage}
	for i, p := range pubs {
		if i == 0 && p.Language != "" {
			st.Lang = p.Language
		} else if p.Language != st.Lang {
			st.Lang = newsletter.DefaultLanguage
			break
		}
	}
	if len(pubs) == 1 {
		if st.SiteName == "" {
			st.SiteName = pubs[0].Name
		}
		st.Tagline = pubs[0].Tagline
	}
	if st.SiteName == "" {
		names := make([]string, len(pubs))
		for i, p := range pubs {
			names[i] = p.Name
		}
		st.SiteName = strings.Join(names, " · ")
	}
	if st.SiteName == "" {
		st.SiteName = "masthead"
	}
	return st
}

// SiteTheme is the theme of the site's pages: the one publication's theme
// when it has its own (and it loads), else the built-in theme.
func (a *Assembler) SiteTheme(pubs []*newsletter.Publication) (*templates.Theme, error) {
	if len(pubs) == 1 && pubs[0].TemplateDir != "" {
		if t, err := a.Theme(pubs[0]); err == nil {
			return t, nil
		}
	}
	return a.Theme(&newsletter.Publication{})
}
