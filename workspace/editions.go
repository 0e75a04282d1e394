package workspace

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"masthead/newsletter"
	"masthead/store"
)

// Extra editions. A date's daily issue (edition 0) is what the schedule
// assembles and sends; an editor may add extras beside it (breaking news),
// each with its own articles (newsletter.Article.Edition) and subject, the
// daily's volume and number with an edition mark ("153-B"), and its own
// ledger rows. An extra goes out only when an editor sends or schedules it.

// maxSubject bounds an editor's subject line.
const maxSubject = 300

// CreateExtra adds the next extra edition to p's date d, named title
// ("Breaking news"; "" is "Extra"), with subject as its subject line ("" for
// the theme's). It has no articles yet: add them with the edition's number,
// then send it.
func (s *Service) CreateExtra(ctx context.Context, p *newsletter.Publication, d newsletter.Date, title, subject string) (*newsletter.Issue, error) {
	title, err := newsletter.ExtraTitle(title)
	if err != nil {
		return nil, err
	}
	subject = strings.Join(strings.Fields(subject), " ")
	if len(subject) > maxSubject {
		return nil, &newsletter.FieldError{Field: "subject", Msg: fmt.Sprintf("is longer than %d bytes", maxSubject)}
	}
	iss, err := s.asm.CreateExtra(ctx, p, d, title, subject)
	if err != nil {
		return nil, err
	}
	s.log.Info("extra edition created", "publication", p.Slug, "date", d.String(), "edition", iss.Edition, "issue", iss.ID)
	return iss, nil
}

// Edition is edition e of p's date d: the daily issue (0) or an extra.
func (s *Service) Edition(ctx context.Context, p *newsletter.Publication, d newsletter.Date, e int) (*newsletter.Issue, error) {
	iss, err := s.st.IssueByEdition(ctx, p.ID, d, e)
	if errors.Is(err, store.ErrNotFound) && e > 0 {
		return nil, fmt.Errorf("%s has no extra edition %d: %w", d, e, store.ErrNotFound)
	}
	return iss, err
}

// checkEdition refuses an article of an extra edition that was not created.
func (s *Service) checkEdition(ctx context.Context, p *newsletter.Publication, a *newsletter.Article) error {
	if a.Edition == 0 {
		return nil
	}
	if a.Edition < 0 || a.Edition > newsletter.MaxEdition {
		return &newsletter.FieldError{Field: "edition", Msg: fmt.Sprintf("%d is not an edition: 0 (the daily issue) to %d", a.Edition, newsletter.MaxEdition)}
	}
	_, err := s.st.IssueByEdition(ctx, p.ID, a.Date, a.Edition)
	if errors.Is(err, store.ErrNotFound) {
		return &newsletter.FieldError{Field: "edition", Msg: fmt.Sprintf("%s has no extra edition %d (create it with 'masthead issue extra --date %s')", a.Date, a.Edition, a.Date)}
	}
	return err
}
