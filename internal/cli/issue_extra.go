package cli

import (
	"context"
	"fmt"
)

// runIssueExtra is 'masthead issue extra': it adds an extra edition to a
// date (breaking news), beside its daily issue. The extra has the daily's
// volume and number with its edition mark ("Number 153-B"), its own
// articles (article add --edition N) and subject, and goes to the same list
// only when sent ('issue send --date D --edition N'); the daily schedule
// never sends it.
func runIssueExtra(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var date, pub, title, subject string
	fs.StringVar(&date, "date", "", "the date YYYY-MM-DD (default today in the publication's zone)")
	fs.StringVar(&pub, "publication", "", "publication slug (needed only when there are several)")
	fs.StringVar(&title, "title", "", `the edition's name shown after its number (default "Extra")`)
	fs.StringVar(&subject, "subject", "", "its own subject line (default: the publication's subject template, led by the edition's name)")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErr("unexpected argument %q (use --title)", pos[0])
	}
	p, d, err := a.pickDate(ctx, pub, date)
	if err != nil {
		return err
	}
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}
	iss, err := work.CreateExtra(ctx, p, d, title, subject)
	if err != nil {
		return fmt.Errorf("no extra edition added: %w", err)
	}
	fmt.Fprintf(a.env.Stdout, "created issue %d: %s %s edition %d, %s (Number %s), subject %q\n",
		iss.ID, p.Slug, d, iss.Edition, iss.Label(), iss.NumberLabel(), iss.Subject)
	fmt.Fprintf(a.env.Stdout, "add its articles with 'masthead article add %s --title T', then 'masthead issue send %s'\n",
		dateArgs(d, iss.Edition), dateArgs(d, iss.Edition))
	return nil
}
