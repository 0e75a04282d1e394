package templates

import "io"

// RenderWeb renders the web edition page of an issue (the "issue" page inside
// the web layout): masthead, contents, articles and footer, with a pointer to
// the subscribe form on HomeURL where the email has its unsubscribe link.
// Web pages have no slots: they show no recipient's data.
func (t *Theme) RenderWeb(w io.Writer, iss *Issue) error {
	return t.Page(w, pageIssue, iss)
}
