package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"masthead/newsletter"
	"masthead/store"
	"masthead/workspace"
)

// editorAction is one of the issue schedule commands: it resolves the
// publication and date, runs act, and prints where the issue stands.
func (a *app) editorAction(ctx context.Context, args []string, withAt bool,
	act func(work *workspace.Service, p *newsletter.Publication, d newsletter.Date, e int, at time.Time) (*newsletter.Issue, error)) error {
	fs := a.flags()
	var date, pub, at string
	fs.StringVar(&date, "date", "", "issue date YYYY-MM-DD (default today in the publication's zone)")
	fs.StringVar(&pub, "publication", "", "publication slug (needed only when there are several)")
	if withAt {
		fs.StringVar(&at, "at", "", "send time: HH:MM on the issue's date in the publication's zone, or RFC 3339 (required)")
	}
	edition := editionFlag(fs)
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	e, err := parseEdition(*edition)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErr("unexpected argument %q (use --date)", pos[0])
	}
	if withAt && at == "" {
		return usageErr("--at is required, e.g. --at 06:30")
	}
	p, d, err := a.pickDate(ctx, pub, date)
	if err != nil {
		return err
	}
	var when time.Time
	if withAt {
		if when, err = workspace.ParseAt(p, d, at); err != nil {
			var fe *newsletter.FieldError
			if errors.As(err, &fe) {
				err = errors.New(fe.Msg)
			}
			return usageErr("--at: %v", err)
		}
	}
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}
	iss, err := act(work, p, d, e, when)
	var removed *placeholderRemoved
	switch {
	case errors.As(err, &removed):
		fmt.Fprintf(a.env.Stdout, "%s %s: released; %s\n", p.Slug, d, removed.note)
		return nil
	case errors.Is(err, store.ErrNotFound) && e > 0:
		return fmt.Errorf("%s has no extra edition %d for %s", p.Slug, e, d)
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("%s has no issue for %s yet", p.Slug, d)
	case errors.Is(err, newsletter.ErrEmptyIssue):
		return fmt.Errorf("%s %s has no ready articles: add some first", p.Slug, d)
	case err != nil:
		return err
	}
	line := fmt.Sprintf("%s %s: %s — %s", p.Slug, iss.Ref(), iss.Label(), iss.Status)
	if iss.Status == newsletter.Scheduled {
		line += ", goes at " + iss.SendAt.In(p.Location()).Format("2006-01-02 15:04:05 MST")
	}
	fmt.Fprintln(a.env.Stdout, line)
	if iss.Status == newsletter.Scheduled && !iss.IsExtra() {
		if late := p.LateOwnReaders(iss.SendAt, d); late != "" {
			fmt.Fprintln(a.env.Stdout, "note: "+late)
		}
	}
	if iss.Status == newsletter.Assembled && iss.IsExtra() {
		fmt.Fprintf(a.env.Stdout, "an extra edition goes out when sent: 'masthead issue send %s'\n", dateArgs(d, e))
	} else if iss.Status == newsletter.Assembled && !d.Before(p.Today(a.now())) {
		fmt.Fprintln(a.env.Stdout, "the daily schedule sends it at its time, if that time for the date is still to come;"+
			" otherwise send it with 'masthead issue send' or give it a time with 'masthead issue schedule --at'")
	}
	return nil
}

// placeholderRemoved is a release that removed the date's placeholder
// (workspace.Release): not a failure, said by editorAction.
type placeholderRemoved struct{ note string }

func (e *placeholderRemoved) Error() string { return e.note }

func runIssueSchedule(ctx context.Context, a *app, args []string) error {
	return a.editorAction(ctx, args, true, func(work *workspace.Service, p *newsletter.Publication, d newsletter.Date, e int, at time.Time) (*newsletter.Issue, error) {
		return work.ScheduleEdition(ctx, p, d, e, at)
	})
}

func runIssueUnschedule(ctx context.Context, a *app, args []string) error {
	return a.editorAction(ctx, args, false, func(work *workspace.Service, p *newsletter.Publication, d newsletter.Date, e int, _ time.Time) (*newsletter.Issue, error) {
		return work.UnscheduleEdition(ctx, p, d, e)
	})
}

func runIssueHold(ctx context.Context, a *app, args []string) error {
	return a.editorAction(ctx, args, false, func(work *workspace.Service, p *newsletter.Publication, d newsletter.Date, e int, _ time.Time) (*newsletter.Issue, error) {
		return work.HoldEdition(ctx, p, d, e)
	})
}

func runIssueRelease(ctx context.Context, a *app, args []string) error {
	return a.editorAction(ctx, args, false, func(work *workspace.Service, p *newsletter.Publication, d newsletter.Date, e int, _ time.Time) (*newsletter.Issue, error) {
		iss, removed, err := work.ReleaseEdition(ctx, p, d, e)
		if removed {
			return nil, &placeholderRemoved{note: workspace.RemovedNote(p)}
		}
		return iss, err
	})
}

func runIssueSkip(ctx context.Context, a *app, args []string) error {
	return a.editorAction(ctx, args, false, func(work *workspace.Service, p *newsletter.Publication, d newsletter.Date, e int, _ time.Time) (*newsletter.Issue, error) {
		return work.SkipEdition(ctx, p, d, e)
	})
}
