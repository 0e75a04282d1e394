package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"text/tabwriter"

	"masthead/internal/plural"
	"masthead/newsletter"
	"masthead/store"
)

// pickDate resolves --publication and --date (default: today in the
// publication's zone).
func (a *app) pickDate(ctx context.Context, pubSlug, date string) (*newsletter.Publication, newsletter.Date, error) {
	p, err := a.findPublication(ctx, pubSlug, false)
	if err != nil {
		return nil, newsletter.Date{}, err
	}
	if date == "" {
		return p, p.Today(a.now()), nil
	}
	d, err := newsletter.ParseDate(date)
	if err != nil {
		return nil, newsletter.Date{}, usageErr("--date: %v", err)
	}
	return p, d, nil
}

// currentIssue is edition e of p's date d as it stands: assembled again
// unless its send began (workspace.CurrentEdition).
func (a *app) currentIssue(ctx context.Context, p *newsletter.Publication, d newsletter.Date, e int) (*newsletter.Issue, error) {
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return nil, err
	}
	return work.CurrentEdition(ctx, p, d, e)
}

// editionFlag is --edition: which issue of the date a command means, 0 (the
// default) the daily issue, N the date's extra N ('masthead issue extra').
func editionFlag(fs *flag.FlagSet) *string {
	return fs.String("edition", "0", "edition of the date: 0 the daily issue, N its extra N (masthead issue extra)")
}

// parseEdition reads --edition.
func parseEdition(s string) (int, error) {
	e, err := newsletter.ParseEdition(s)
	if err != nil {
		return 0, usageErr("--edition: %v", err)
	}
	return e, nil
}

// dateArgs are the flags that name edition e of d again, for hints:
// "--date 2009-07-09" or "--date 2009-07-09 --edition 1".
func dateArgs(d newsletter.Date, e int) string {
	if e == 0 {
		return "--date " + d.String()
	}
	return fmt.Sprintf("--date %s --edition %d", d, e)
}

func runIssueAssemble(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var date, pub string
	fs.StringVar(&date, "date", "", "issue date YYYY-MM-DD (default today in the publication's zone)")
	fs.StringVar(&pub, "publication", "", "publication slug (needed only when there are several)")
	edition := editionFlag(fs)
	if _, err := a.parse(fs, args); err != nil {
		return err
	}
	e, err := parseEdition(*edition)
	if err != nil {
		return err
	}
	p, d, err := a.pickDate(ctx, pub, date)
	if err != nil {
		return err
	}
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}
	iss, err := work.AssembleEdition(ctx, p, d, e)
	if errors.Is(err, newsletter.ErrEmptyIssue) && e > 0 {
		return fmt.Errorf("%s %s: the extra has no ready articles yet (masthead article add --date %s --edition %d)", p.Slug, d, d, e)
	}
	if errors.Is(err, newsletter.ErrEmptyIssue) {
		fmt.Fprintf(a.env.Stdout, "%s %s: no ready articles, so no issue; %s\n", p.Slug, d, emptyDayPlan(p.EmptyPolicy))
		return exitError{3}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.env.Stdout, "assembled %s %s: %s — %s, %s (%s)\n", p.Slug, iss.Ref(), iss.Label(), d.Long(),
		plural.Count(len(iss.Articles), "article", "articles"), iss.Status)
	return nil
}

// emptyDayPlan says what the schedule does on a date with no ready articles.
func emptyDayPlan(policy newsletter.EmptyPolicy) string {
	switch policy {
	case newsletter.EmptyNotice:
		return "at the scheduled time a short 'no issue today' notice goes out instead (--empty notice)"
	case newsletter.EmptyHold:
		return "at the scheduled time a placeholder is held for an editor (--empty hold)"
	}
	return "the schedule skips the day (--empty skip)"
}

func runIssuePreview(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var date, pub, format string
	fs.StringVar(&date, "date", "", "issue date YYYY-MM-DD (default today in the publication's zone)")
	fs.StringVar(&pub, "publication", "", "publication slug (needed only when there are several)")
	fs.StringVar(&format, "format", "html", "html, text or eml (the whole MIME message)")
	edition := editionFlag(fs)
	if _, err := a.parse(fs, args); err != nil {
		return err
	}
	if format != "html" && format != "text" && format != "eml" {
		return usageErr("--format %q: use html, text or eml", format)
	}
	e, err := parseEdition(*edition)
	if err != nil {
		return err
	}
	p, d, err := a.pickDate(ctx, pub, date)
	if err != nil {
		return err
	}
	iss, err := a.currentIssue(ctx, p, d, e)
	if errors.Is(err, newsletter.ErrEmptyIssue) {
		return fmt.Errorf("%s %s has no ready articles: nothing to preview", p.Slug, newsletter.EditionRef(d, e))
	}
	if err != nil {
		return err
	}
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}
	if format == "eml" {
		return a.writePreviewEML(ctx, p, iss, work.PreviewRecipient(p))
	}
	body, err := work.Preview(p, iss, format)
	if err != nil {
		return err
	}
	_, err = a.env.Stdout.Write(body)
	return err
}

func runIssueList(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var pub string
	var limit int
	fs.StringVar(&pub, "publication", "", "publication slug (needed only when there are several)")
	fs.IntVar(&limit, "limit", 30, "at most this many, newest first")
	if _, err := a.parse(fs, args); err != nil {
		return err
	}
	p, err := a.findPublication(ctx, pub, false)
	if err != nil {
		return err
	}
	list, err := a.read().Issues(ctx, store.IssueFilter{PublicationID: p.ID, Newest: true, Limit: limit})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDATE\tVOLUME\tNUMBER\tSTATUS\tARTICLES\tSUBJECT")
	for _, i := range list {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%d\t%s\n", i.ID, i.Date, i.Volume, i.NumberLabel(), i.Status, i.Stories(), i.Subject)
	}
	return tw.Flush()
}
