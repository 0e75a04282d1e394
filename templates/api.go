// Package templates is masthead's theme: the embedded default templates for the
// HTML and plain-text email and the web edition's pages, their loading (with a
// publication's override directory), Markdown rendering, and the per-recipient
// slots that are filled into an issue rendered once.
package templates

import (
	"fmt"
	"html/template"
)

// Issue is what the email and web issue templates see.
type Issue struct {
	PublicationName string
	Tagline         string
	Volume          int
	Number          int
	// Edition is an extra edition's name ("Breaking news"), shown after the
	// number; "" for the daily issue. Mark is its letter ("B").
	Edition, Mark string
	Date          string // "Thursday, July 9, 2009"
	ISODate       string // "2009-07-09"
	Copyright     string // full copyright line
	Address       string // postal address
	WebURL        string // this issue's web edition ("view in your browser")
	HomeURL       string // the web edition's main page
	Articles      []Article
	// The publication's wording (newsletter.Wording): Lang is the BCP 47
	// tag of <html lang>; Greeting is said before the recipient's name
	// ("" for none); Promise ends the web page's "Get NAME ..." line;
	// BackToTop follows each article and GoToTop each headline ("" for
	// none).
	Lang, Greeting, Promise, BackToTop, GoToTop string
}

// Language is the issue's language, "en" when unset (the layout's lang).
func (iss Issue) Language() string { return iss.Lang }

// Numbers is the dateline's "Volume 3, Number 153", with an extra's name
// after it: "Volume 3, Number 153 — Breaking news".
func (iss Issue) Numbers() string {
	n := fmt.Sprintf("Volume %d, Number %d", iss.Volume, iss.Number)
	if iss.Edition != "" {
		n += " — " + iss.Edition
	}
	return n
}

// Article is one article of an Issue.
type Article struct {
	Anchor  string // in-page anchor id, unique in the issue
	Section string
	Title   string
	Deck    string
	Author  string
	HTML    template.HTML // sanitised body
	Text    string        // plain-text body, wrapped at 78 columns
	// SourceURL is the article's page on the newsroom's site ("Read on the
	// site"), SourceImage the lead image its feed gives; "" for none.
	SourceURL   string
	SourceImage string
	// Image is the lead image, shown with the headline; nil for none.
	Image *Image
}

// Image is a picture as a template draws it: its public URL, the width and
// height attributes (CSS pixels), what it shows, and its caption.
type Image struct {
	URL           string
	Width, Height int
	Alt           string
	Caption       string
}

// Personal is what differs per recipient; it fills an issue's slots.
type Personal struct {
	Name           string
	Email          string
	UnsubscribeURL string
	// Recipient is the per-message part of rewritten links (the "rcpt"
	// slot, written by engagement's rewriter only for publications with
	// per-subscriber figures): URL-safe base64, written as it is.
	Recipient string
}
