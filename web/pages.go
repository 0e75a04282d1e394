package web

import (
	"fmt"

	"masthead/templates"
)

// The theme's pages of the web edition (templates/theme/NAME.html).
const (
	pageError       = "site-error"
	pageHome        = "site-home"
	pageSent        = "site-subscribe-sent"
	pageConfirm     = "site-confirm"
	pageUnsubscribe = "site-unsubscribe"
)

// checkPages renders each page the server uses against sample data, so that
// a broken page (or a theme override of one) fails at start, naming its file
// and line.
func checkPages(t *templates.Theme) error {
	st := site{SiteName: "The Daily Planet", Tagline: "All the news that fits", HomeURL: "/", FeedURL: "/feed.atom"}
	home := homePage{site: st, Heading: "Latest issues", Multi: true, Archive: "/issues/planet/", From: "planet",
		Publications: []pubChoice{{Slug: "planet", Name: "The Daily Planet", Tagline: "News", Checked: true}, {Slug: "sport", Name: "Sport"}},
		Form:         subscribeForm{Email: "jane@example.org", Name: "Jane", Error: "Please enter a valid email address."},
		Issues: []issueLink{{URL: "/issues/planet/2009-07-09", Date: "Thursday, July 9, 2009", ISODate: "2009-07-09",
			Label: "Volume 3, Number 153", PublicationName: "The Daily Planet"}},
		Page: 2, Pages: 3, NewerURL: "/", OlderURL: "/?page=3"}
	unsub := unsubscribePage{site: st, Email: "jane@example.org", Action: "/unsubscribe/x",
		Choices: []unsubChoice{{ID: 1, Name: "The Daily Planet", Checked: true}, {ID: 2, Name: "Sport"}}, Left: []string{"Sport"}}
	unsubDone := unsub
	unsubDone.Done = true
	samples := []struct {
		name string
		data any
	}{
		{pageError, errorData{site: st, Status: 404, Title: "Page not found", Message: "Nothing here."}},
		{pageHome, home},
		{pageHome, homePage{site: st, Page: 1, Pages: 1}},
		{pageSent, sentPage{site: st, Days: 7}},
		{pageConfirm, confirmPage{site: st, Email: "jane@example.org", PublicationName: "The Daily Planet", Action: "/confirm/x"}},
		{pageConfirm, confirmPage{site: st, Email: "jane@example.org", PublicationName: "The Daily Planet", Done: true}},
		{pageUnsubscribe, unsub},
		{pageUnsubscribe, unsubDone},
		{pageUnsubscribe, unsubscribePage{site: st}},
		{pageUnsubscribe, unsubscribePage{site: st, Test: true}},
	}
	for _, p := range samples {
		if err := t.Check(p.name, p.data); err != nil {
			return fmt.Errorf("page %s: %w", p.name, err)
		}
	}
	return nil
}
