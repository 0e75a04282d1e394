package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"masthead/newsletter"
)

// runIssueSubject is `masthead issue subject [TEXT]`: an issue's own subject
// line, or with --default the publication's subject template again; with
// neither, the subject it has. Refused once the send has started.
func runIssueSubject(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var date, pub string
	var edition int
	var reset bool
	fs.StringVar(&date, "date", "", "issue date YYYY-MM-DD (default today in the publication's zone)")
	fs.StringVar(&pub, "publication", "", "publication slug (needed only when there are several)")
	fs.IntVar(&edition, "edition", 0, "the date's extra edition N (default the daily issue)")
	fs.BoolVar(&reset, "default", false, "take the issue back to the publication's subject template")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if reset && len(pos) > 0 {
		return usageErr("give a subject or --default, not both")
	}
	p, d, err := a.pickDate(ctx, pub, date)
	if err != nil {
		return err
	}
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}
	iss, err := work.CurrentEdition(ctx, p, d, edition)
	if errors.Is(err, newsletter.ErrEmptyIssue) {
		return fmt.Errorf("%s %s has no ready articles: add some before its subject", p.Slug, d)
	}
	if err != nil {
		return err
	}
	if len(pos) == 0 && !reset {
		fmt.Fprintln(a.env.Stdout, iss.Subject)
		return nil
	}
	ref := iss.Ref()
	iss, err = work.SetSubject(ctx, p, iss, strings.Join(pos, " "))
	if errors.Is(err, newsletter.ErrFrozen) {
		return fmt.Errorf("%s %s: its send has started; every reader gets the subject it started with", p.Slug, ref)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.env.Stdout, "subject of %s %s: %s\n", p.Slug, iss.Ref(), iss.Subject)
	return nil
}
