package assembly

import (
	"context"
	"fmt"
	"html"

	"masthead/newsletter"
)

// Notice stores, for a date with no ready articles, a short issue that says
// there is no issue today, in the given status: assembled (to be sent, the
// "notice" empty-day policy) or held / skipped (a placeholder an editor acts
// on). An existing issue keeps its numbers and gets the notice as its content;
// a frozen one gives newsletter.ErrFrozen. Assembling the date again once it
// has ready articles replaces the notice with them.
func (a *Assembler) Notice(ctx context.Context, p *newsletter.Publication, d newsletter.Date,
	status newsletter.IssueStatus) (*newsletter.Issue, error) {
	theme, err := a.Theme(p)
	if err != nil {
		return nil, err
	}
	return a.store.AssembleIssue(ctx, p.ID, d, func(existing *newsletter.Issue, next newsletter.Numberer) (iss *newsletter.Issue, err error) {
		iss = &newsletter.Issue{Date: d, Status: status}
		if existing != nil {
			iss.Volume, iss.Number, iss.NumbersOverridden, iss.SendAt = existing.Volume, existing.Number, existing.NumbersOverridden, existing.SendAt
		} else if iss.Volume, iss.Number, err = p.Number(d, next); err != nil {
			return nil, err
		}
		text := fmt.Sprintf("There is no issue of %s today, %s. The next one comes on its usual day.", p.Name, d.Long())
		iss.Articles = []newsletter.IssueArticle{{
			Anchor: "notice", Title: "No issue today", Markdown: text,
			HTML: "<p>" + html.EscapeString(text) + "</p>", Text: text,
		}}
		view := a.View(p, iss)
		h, t, err := theme.RenderEmail(view)
		if err != nil {
			return nil, fmt.Errorf("render notice %s %s: %w", p.Slug, d, err)
		}
		iss.HTML, iss.Text = h, t
		iss.Subject = fmt.Sprintf("%s — %s: no issue today", p.Name, d.Long())
		return iss, nil
	})
}
