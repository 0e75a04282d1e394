package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"masthead/internal/plural"
	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
	"masthead/workspace"
)

// runSubscriberAdd is an editor adding one person: active at once (the
// editor vouches for consent) unless --pending asks for a confirmation first.
func runSubscriberAdd(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var name, zone, pubSlug string
	var pending bool
	fs.StringVar(&name, "name", "", "the subscriber's name")
	fs.StringVar(&zone, "timezone", "", "the subscriber's IANA time zone, such as Europe/London (default: the publication's)")
	fs.BoolVar(&pending, "pending", false, "wait for the subscriber to confirm (double opt-in) instead of active at once")
	fs.StringVar(&pubSlug, "publication", "", "publication slug (needed only when there are several)")
	email, err := a.parseOne(fs, args, "EMAIL")
	if err != nil {
		return err
	}
	p, err := a.findPublication(ctx, pubSlug, false)
	if err != nil {
		return err
	}
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}
	st := work.Reads()
	sub, err := work.AddSubscriber(ctx, p, email, name, zone, pending, subscribers.ViaEditor)
	if errors.Is(err, subscribers.ErrSuppressed) {
		return fmt.Errorf("%s: %w (masthead subscriber lift %s)", email, err, email)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.env.Stdout, "%s is %s on %s (subscriber %d)\n", sub.Email, subscriptionStatus(ctx, st, sub.ID, p.ID), p.Slug, sub.ID)
	a.printConfirmationsDue(ctx, st)
	return nil
}

// subscriptionStatus is a subscriber's status on one publication, for messages.
func subscriptionStatus(ctx context.Context, st workspace.Reads, subscriberID, pubID int64) subscribers.Status {
	subs, err := st.Subscriptions(ctx, subscriberID)
	if err != nil {
		return ""
	}
	for _, s := range subs {
		if s.PublicationID == pubID {
			return s.Status
		}
	}
	return ""
}

// runSubscriberImport streams a CSV file into a publication, reporting each
// refused row by line (on stderr, in the file's order) and a summary (on
// stdout). It exits 3 when rows were refused for what they hold (the good
// rows are imported all the same); suppressed addresses are not errors.
func runSubscriberImport(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var status, pubSlug string
	var quiet bool
	fs.StringVar(&status, "status", "active", "status of rows without one: active (you vouch for their consent) or pending (each must confirm)")
	fs.StringVar(&pubSlug, "publication", "", "publication slug (needed only when there are several)")
	fs.BoolVar(&quiet, "quiet", false, "no progress bar")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("want one FILE.csv (or - for stdin), got %d arguments", len(pos))
	}
	def, err := subscribers.ParseStatus(status)
	if err != nil || def != subscribers.Active && def != subscribers.Pending {
		return usageErr("--status %q: want active or pending", status)
	}
	p, err := a.findPublication(ctx, pubSlug, false)
	if err != nil {
		return err
	}
	in, src, err := a.input(pos[0])
	if err != nil {
		return err
	}
	defer in.Close()
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}

	var bar *importBar
	if !quiet {
		bar = a.progress(in, "importing "+src)
	}
	printed := 0
	opts := workspace.ImportOptions{Pending: def == subscribers.Pending, OnProblem: func(pr subscribers.Problem) {
		if printed++; printed > subscribers.MaxProblems {
			return
		}
		bar.clear()
		fmt.Fprintf(a.env.Stderr, "%s:%s\n", src, strings.TrimPrefix(pr.String(), "line "))
	}}
	var r io.Reader = in
	if bar != nil {
		r = io.TeeReader(in, bar.bar)
	}
	start := a.now()
	rep, err := work.Import(ctx, p, r, opts)
	bar.finish()
	if rep != nil {
		if printed > subscribers.MaxProblems {
			fmt.Fprintf(a.env.Stderr, "%s: ... and %d more refused rows\n", src, printed-subscribers.MaxProblems)
		}
		rows := "rows"
		if rep.Rows == 1 {
			rows = "row"
		}
		fmt.Fprintf(a.env.Stdout, "%s into %s: %d %s read in %s: %d added, %d updated, %d unchanged, %d suppressed (skipped), %d kept unsubscribed, %d bad\n",
			src, p.Slug, rep.Rows, rows, a.now().Sub(start).Round(10*time.Millisecond), rep.Added, rep.Updated, rep.Unchanged, rep.Suppressed, rep.KeptUnsubscribed, rep.Bad)
		if len(rep.Ignored) > 0 {
			fmt.Fprintf(a.env.Stdout, "%s: columns not read: %s (an import reads %s)\n", src, strings.Join(rep.Ignored, ", "), subscribers.KnownColumns)
		}
		a.printConfirmationsDue(ctx, work.Reads())
	}
	if err == nil && rep.Bad > 0 {
		return exitError{3} // the good rows are in; say that some were not
	}
	return err
}

// importBar is a progress bar by bytes read, shown only on a terminal.
type importBar struct{ bar *progressbar.ProgressBar }

// progress returns a bar for reading in when stderr is a terminal and in is a
// file of known size; nil otherwise (its methods do nothing on nil).
func (a *app) progress(in io.Reader, what string) *importBar {
	errf, ok := a.env.Stderr.(*os.File)
	if !ok || !term.IsTerminal(int(errf.Fd())) {
		return nil
	}
	f, ok := in.(*os.File)
	if !ok {
		return nil
	}
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return nil
	}
	return &importBar{bar: progressbar.NewOptions64(info.Size(),
		progressbar.OptionSetWriter(errf), progressbar.OptionSetDescription(what), progressbar.OptionShowBytes(true),
		progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish(), progressbar.OptionSetPredictTime(true))}
}

func (b *importBar) clear() {
	if b != nil {
		b.bar.Clear()
	}
}

func (b *importBar) finish() {
	if b != nil {
		b.bar.Finish()
	}
}

// runSubscriberExport streams subscribers as CSV to stdout.
func runSubscriberExport(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var pubSlug, status string
	fs.StringVar(&pubSlug, "publication", "", "only subscribers of this publication (their status there in the status column)")
	fs.StringVar(&status, "status", "", "only this status: pending, active, unsubscribed, bounced, complained")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErr("no arguments expected (the CSV goes to stdout)")
	}
	f, err := a.subscriberFilter(ctx, pubSlug, status)
	if err != nil {
		return err
	}
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}
	var p *newsletter.Publication
	if pubSlug != "" {
		if p, err = a.findPublication(ctx, pubSlug, false); err != nil {
			return err
		}
	}
	w := bufio.NewWriterSize(a.env.Stdout, 64<<10)
	if err := work.Export(ctx, w, p, f.Status); err != nil {
		return err
	}
	return w.Flush()
}

// subscriberFilter turns --publication and --status into a filter. Without
// --publication, lists and exports cover every publication.
func (a *app) subscriberFilter(ctx context.Context, pubSlug, status string) (store.SubscriberFilter, error) {
	var f store.SubscriberFilter
	if status != "" {
		s, err := subscribers.ParseStatus(status)
		if err != nil {
			return f, usageErr("--status: %v", err)
		}
		f.Status = s
	}
	if pubSlug != "" {
		p, err := a.findPublication(ctx, pubSlug, false)
		if err != nil {
			return f, err
		}
		f.PublicationID = p.ID
	}
	return f, nil
}

// runSubscriberList prints one page of subscribers, newest first, then the
// counts per status.
func runSubscriberList(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var pubSlug, status, text string
	var limit int
	var before int64
	fs.StringVar(&text, "search", "", "only addresses or names containing this")
	fs.StringVar(&status, "status", "", "only this status: pending, active, unsubscribed, bounced, complained")
	fs.StringVar(&pubSlug, "publication", "", "only subscribers of this publication")
	fs.IntVar(&limit, "limit", 50, "at most this many")
	fs.Int64Var(&before, "before", 0, "the next page: subscribers with an ID below this")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if a.cmd.name == "subscriber search" {
		if len(pos) != 1 {
			return usageErr("want one search TEXT, got %d arguments", len(pos))
		}
		text = pos[0]
	} else if len(pos) != 0 {
		return usageErr("no arguments expected (use --search TEXT)")
	}
	f, err := a.subscriberFilter(ctx, pubSlug, status)
	if err != nil {
		return err
	}
	f.Text, f.Limit, f.BeforeID = text, limit, before
	st, err := a.reads(ctx)
	if err != nil {
		return err
	}
	list, err := st.SearchSubscribers(ctx, f)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tSTATUS\tPUBLICATIONS\tSINCE")
	for _, l := range list {
		status := l.Status
		if f.PublicationID != 0 {
			status = l.StatusIn(f.PublicationID)
		}
		var pubs []string
		for _, s := range l.Subscriptions {
			pubs = append(pubs, s.PublicationSlug+":"+string(s.Status))
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", l.ID, l.Email, clip(l.Name, 40), status, strings.Join(pubs, " "),
			l.CreatedAt.Format("2006-01-02"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(list) == f.Limit && f.Limit > 0 {
		fmt.Fprintf(a.env.Stdout, "more: --before %d\n", list[len(list)-1].ID)
	}
	counts, err := st.SubscriberCounts(ctx, f.PublicationID)
	if err != nil {
		return err
	}
	var parts []string
	for _, s := range subscribers.Statuses {
		parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
	}
	fmt.Fprintln(a.env.Stdout, "in all: "+strings.Join(parts, ", "))
	return nil
}

// runSubscriberUnsubscribe ends a subscription (remove is the same command:
// the subscriber's history is kept, so they are never mailed by mistake and
// can come back).
func runSubscriberUnsubscribe(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var pubSlug string
	fs.StringVar(&pubSlug, "publication", "", "only from this publication (default: from every publication)")
	email, err := a.parseOne(fs, args, "EMAIL")
	if err != nil {
		return err
	}
	sub, _, err := a.subscriberArg(ctx, email)
	if err != nil {
		return err
	}
	var p *newsletter.Publication
	var pubID int64
	if pubSlug != "" {
		if p, err = a.findPublication(ctx, pubSlug, false); err != nil {
			return err
		}
		pubID = p.ID
	}
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}
	if err := work.Unsubscribe(ctx, pubID, sub.ID, subscribers.ViaEditor); err != nil {
		return err
	}
	where := "every publication"
	if p != nil {
		where = p.Slug
	}
	fmt.Fprintf(a.env.Stdout, "%s is unsubscribed from %s\n", sub.Email, where)
	return nil
}

// subscriberArg finds the subscriber an EMAIL argument names.
func (a *app) subscriberArg(ctx context.Context, email string) (*subscribers.Subscriber, workspace.Reads, error) {
	st, err := a.reads(ctx)
	if err != nil {
		return nil, nil, err
	}
	sub, err := st.SubscriberByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, fmt.Errorf("no subscriber %s", email)
	}
	return sub, st, err
}

// runSubscriberLift lifts a suppression: the address may be subscribed again
// (it is not mailed until it is). With --issue, it lifts every suppression
// that issue's send made by itself and puts those subscribers back as they
// were (see workspace.LiftSendSuppressions).
func runSubscriberLift(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var why, date, pub string
	fs.StringVar(&why, "reason", "", "why, for the subscriber's history")
	fs.StringVar(&date, "issue", "", "DATE (or DATE-extra-N, an extra edition): lift every suppression the send of that issue made (a relay that refused everyone), instead of one address")
	fs.StringVar(&pub, "publication", "", "with --issue: publication slug (needed only when there are several)")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if date != "" {
		if len(pos) > 0 {
			return usageErr("give an EMAIL or --issue DATE, not both")
		}
		return a.liftSend(ctx, pub, date)
	}
	if len(pos) != 1 {
		return usageErr("want one EMAIL (or --issue DATE), got %d arguments", len(pos))
	}
	email := pos[0]
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}
	if why == "" {
		why = "lifted from the command line"
	}
	err = work.LiftSuppression(ctx, email, subscribers.ViaEditor, why)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%s is not suppressed", email)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.env.Stdout, "%s is no longer suppressed; it is mailed again once subscribed (masthead subscriber add)\n", email)
	return nil
}

// liftSend is 'masthead subscriber lift --issue DATE' (or DATE-extra-N, an
// extra edition of the date).
func (a *app) liftSend(ctx context.Context, pub, date string) error {
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}
	e := 0
	if day, edition, err := newsletter.ParseRef(date); err == nil && edition > 0 {
		date, e = day.String(), edition
	}
	p, d, err := a.pickDate(ctx, pub, date)
	if err != nil {
		return err
	}
	iss, err := work.Reads().IssueByEdition(ctx, p.ID, d, e)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%s has no issue for %s", p.Slug, newsletter.EditionRef(d, e))
	}
	if err != nil {
		return err
	}
	lift, err := work.LiftSendSuppressions(ctx, iss, subscribers.ViaEditor, "the command line")
	if err != nil {
		return err
	}
	for _, e := range lift.Lifted {
		fmt.Fprintf(a.env.Stdout, "lifted %s\n", e)
	}
	fmt.Fprintf(a.env.Stdout, "%s %s: lifted %s its send made; %d of their messages are queued again\n",
		p.Slug, d, plural.Count(len(lift.Lifted), "suppression", "suppressions"), lift.Requeued)
	if lift.Requeued > 0 && iss.Status == newsletter.Paused {
		fmt.Fprintf(a.env.Stdout, "resume the send with 'masthead issue resume --date %s'\n", d)
	}
	return nil
}

// runSubscriberShow prints one subscriber and their history.
func runSubscriberShow(ctx context.Context, a *app, args []string) error {
	email, err := a.parseOne(a.flags(), args, "EMAIL")
	if err != nil {
		return err
	}
	sub, st, err := a.subscriberArg(ctx, email)
	if err != nil {
		return err
	}
	subs, err := st.Subscriptions(ctx, sub.ID)
	if err != nil {
		return err
	}
	events, err := st.SubscriberEvents(ctx, sub.ID)
	if err != nil {
		return err
	}
	slugs := map[int64]string{}
	for _, s := range subs {
		slugs[s.PublicationID] = s.PublicationSlug
	}
	const when = "2006-01-02 15:04:05 MST"
	w := a.env.Stdout
	zone := sub.TimeZone
	if zone == "" {
		zone = "the publication's"
	}
	fmt.Fprintf(w, "%s (subscriber %d)\nname:    %s\nstatus:  %s\nzone:    %s\nsince:   %s\n", sub.Email, sub.ID, sub.Name, sub.Status, zone, sub.CreatedAt.Format(when))
	if sup, err := st.Suppression(ctx, sub.Email); err == nil {
		fmt.Fprintf(w, "suppressed: %s since %s %s (lift with: masthead subscriber lift %s)\n", sup.Reason, sup.CreatedAt.Format(when), sup.Detail, sub.Email)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nPUBLICATION\tSTATUS\tSINCE\tCHANGED")
	for _, s := range subs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.PublicationSlug, s.Status, s.CreatedAt.Format(when), s.UpdatedAt.Format(when))
	}
	fmt.Fprintln(tw, "\nWHEN\tWHAT\tPUBLICATION\tVIA\tDETAIL")
	for _, e := range events {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.At.Format(when), e.Kind, slugs[e.PublicationID], e.Via, clip(e.Detail, 80))
	}
	return tw.Flush()
}
