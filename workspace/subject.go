package workspace

import (
	"context"
	"fmt"
	"strings"

	"masthead/newsletter"
	"masthead/templates"
)

// SetSubject gives iss, an issue of p, an editor's own subject line, or with
// "" takes it back to the publication's subject template. It is refused
// (newsletter.ErrFrozen) once the send has started: every reader of an
// issue gets the same subject. It returns the issue with its new subject.
func (s *Service) SetSubject(ctx context.Context, p *newsletter.Publication, iss *newsletter.Issue, subject string) (*newsletter.Issue, error) {
	subject = strings.Join(strings.Fields(subject), " ")
	if len(subject) > maxSubject {
		return nil, &newsletter.FieldError{Field: "subject", Msg: fmt.Sprintf("is longer than %d bytes", maxSubject)}
	}
	line := subject
	if line == "" {
		line = templates.Subject(s.asm.View(p, iss), p.SubjectTemplate)
	}
	if err := s.st.SetIssueSubject(ctx, iss.ID, subject, line); err != nil {
		return nil, err
	}
	s.log.Info("issue subject set", "publication", p.Slug, "issue", iss.ID, "own", subject != "")
	iss.CustomSubject, iss.Subject = subject, line
	return iss, nil
}
