package web

import (
	"fmt"

	"masthead/templates"
)

// The theme's pages of the web edition (templates/theme/NAME.html).
const (
	pageError = "site-error"
)

// checkPages renders each page the server uses against sample data, so that
// a broken page (or a theme override of one) fails at start, naming its file
// and line.
func checkPages(t *templates.Theme) error {
	st := site{SiteName: "The Daily Planet", Tagline: "All the news that fits", HomeURL: "/", FeedURL: "/feed.atom"}
	samples := map[string]any{
		pageError: errorData{site: st, Status: 404, Title: "Page not found", Message: "Nothing here."},
	}
	for name, data := range samples {
		if err := t.Check(name, data); err != nil {
			return fmt.Errorf("page %s: %w", name, err)
		}
	}
	return nil
}
