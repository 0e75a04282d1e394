package cli

import (
	"context"
	"errors"

	"masthead/newsletter"
	"masthead/templates"
)

func (a *app) writePreviewEML(ctx context.Context, p *newsletter.Publication, iss *newsletter.Issue, who *templates.Personal) error {
	return errors.New("eml preview: not built yet")
}
