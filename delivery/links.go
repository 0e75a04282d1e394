package delivery

import (
	"context"
	"errors"
	"fmt"

	"masthead/newsletter"
)

// ErrLocalLinks is the refusal of a send whose links would not reach its
// readers (Config.PublicLinks): its publication's address is not https on
// a public host. The rule is about the links' host, not the mail server's:
// a send through a relay on 127.0.0.1 is checked the same.
var ErrLocalLinks = errors.New("links would not reach readers")

// CheckPublicLinks says whether p's emails, with links made under base
// (p.LinkBase of the process's --base-url), can go to readers: nil when
// base is https on a public host (newsletter.PublicLinkProblem), else an
// ErrLocalLinks naming the setting that fixes it.
func CheckPublicLinks(p *newsletter.Publication, base string) error {
	problem := newsletter.PublicLinkProblem(base)
	if problem == "" {
		return nil
	}
	return fmt.Errorf("publication %s has no https base URL (its links would go to %s: %s): "+
		"set it with `masthead publication set %s --base-url https://...` "+
		"(or, for local testing only, --allow-local-links / MASTHEAD_ALLOW_LOCAL_LINKS=1): %w",
		p.Slug, base, problem, p.Slug, ErrLocalLinks)
}

// checkLinks is CheckPublicLinks for an issue, when Config.PublicLinks asks.
func (e *Engine) checkLinks(ctx context.Context, issueID int64) error {
	if !e.cfg.PublicLinks {
		return nil
	}
	iss, err := e.ledger.Issue(ctx, issueID)
	if err != nil {
		return fmt.Errorf("issue %d: %w", issueID, err)
	}
	p, err := e.ledger.Publication(ctx, iss.PublicationID)
	if err != nil {
		return fmt.Errorf("publication of issue %d: %w", issueID, err)
	}
	return CheckPublicLinks(p, p.LinkBase(e.cfg.BaseURL))
}
