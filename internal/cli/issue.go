package cli

import (
	"context"
	"errors"
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

// currentIssue is the issue of p for d as it stands: assembled again unless
// its send began (workspace.CurrentIssue).
func (a *app) currentIssue(ctx context.Context, p *newsletter.Publication, d newsletter.Date) (*newsletter.Issue, error) {
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return nil, err
	}
	return work.CurrentIssue(ctx, p, d)
}

func runIssueAssemble(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var date, pub string
	fs.StringVar(&date, "date", "", "issue date YYYY-MM-DD (default today in the publication's zone)")
	fs.StringVar(&pub, "publication", "", "publication slug (needed only when there are several)")
	if _, err := a.parse(fs, args); err != nil {
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
	iss, err := work.Assemble(ctx, p, d)
	if errors.Is(err, newsletter.ErrEmptyIssue) {
		fmt.Fprintf(a.env.Stdout, "%s %s: no ready articles, so no issue; %s\n", p.Slug, d, emptyDayPlan(p.EmptyPolicy))
		return exitError{3}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.env.Stdout, "assembled %s %s: %s — %s, %s (%s)\n", p.Slug, d, iss.Label(), d.Long(),
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
	if _, err := a.parse(fs, args); err != nil {
		return err
	}
	if format != "html" && format != "text" && format != "eml" {
		return usageErr("--format %q: use html, text or eml", format)
	}
	p, d, err := a.pickDate(ctx, pub, date)
	if err != nil {
		return err
	}
	iss, err := a.currentIssue(ctx, p, d)
	if errors.Is(err, newsletter.ErrEmptyIssue) {
		return fmt.Errorf("%s %s has no ready articles: nothing to preview", p.Slug, d)
	}
	if err != nil {
		return err
	}
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}
	if format == "eml" {
		return a.writePreviewEML(ctx, p, iss, work.PreviewRecipient())
	}
	body, err := work.Preview(iss, format)
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
		fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%s\t%d\t%s\n", i.ID, i.Date, i.Volume, i.Number, i.Status, i.Stories(), i.Subject)
	}
	return tw.Flush()
}
