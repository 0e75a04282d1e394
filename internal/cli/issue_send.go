package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"masthead/delivery"
	"masthead/internal/plural"
	"masthead/ledger"
	"masthead/newsletter"
	"masthead/store"
	"masthead/workspace"
)

// sendFlags are the flags of the commands that send (issue send, issue test).
type sendFlags struct {
	date, pub string
	edition   *string // --edition
	worker    workerOptions
	giveUp    time.Duration              // issue send: stop waiting after this long without progress
	onServer  func(delivery.ServerState) // issue send: told when the server goes down and comes back
}

func (a *app) sendFlags(fs *flag.FlagSet, full bool) *sendFlags {
	s := &sendFlags{worker: workerOptions{domainRates: rateMap{}}}
	fs.StringVar(&s.date, "date", "", "issue date YYYY-MM-DD (default today in the publication's zone)")
	fs.StringVar(&s.pub, "publication", "", "publication slug (needed only when there are several)")
	s.edition = editionFlag(fs)
	s.worker.dkim = a.dkimFlags(fs)
	if full {
		fs.IntVar(&s.worker.connections, "connections", 4, "SMTP connections")
		fs.Float64Var(&s.worker.rate, "rate", 0, "messages per second in total (0: unlimited)")
		fs.Var(s.worker.domainRates, "domain-rate", "DOMAIN=RATE: messages per second to one recipient domain (repeatable)")
		fs.DurationVar(&s.worker.lease, "lease", 30*time.Second, "how long a claimed row is held; a crashed run's rows are taken back after it")
		fs.DurationVar(&s.giveUp, "give-up", delivery.DefaultGiveUpAfter, "stop waiting after this long with no message settled (server unreachable, retries not yet due) and exit 4; the rows stay queued (rows waiting for their readers' local time do not count: with only them left it stops and exits 0)")
		a.softBounceFlag(fs, &s.worker.softBounceLimit)
	}
	return s
}

// sendWorkspace is the operations layer of issue send and issue test, over
// an engine with the command's flags; via says where the mail goes.
func (a *app) sendWorkspace(ctx context.Context, s *sendFlags, p *newsletter.Publication) (*workspace.Service, *delivery.Engine, string, error) {
	eng, via, err := a.engine(ctx, engineSpec{workerOptions: s.worker, pub: p, onServer: s.onServer})
	if err != nil {
		return nil, nil, "", err
	}
	work, err := a.workspace(ctx, eng)
	return work, eng, via, err
}

// runIssueSend is 'masthead issue send': assemble the issue if needed, start
// it (snapshot the audience), and deliver it until every row is settled.
// Interrupted (Ctrl-C), it finishes what is in flight and stops; run it again
// to resume. It exits 0 when every row is sent or has definitively failed, or
// when the rows left all wait for their readers' local time (serve or worker
// delivers them at their hour); 4 when some are left otherwise (paused,
// cancelled, interrupted, retries pending). With --at-once the copies that
// wait for their readers' local time are made due at once and the command
// delivers the whole send.
func runIssueSend(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	s := a.sendFlags(fs, true)
	atOnce := fs.Bool("at-once", false, "deliver every copy now, not at each reader's local time")
	if pos, err := a.parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageErr("unexpected argument %q (use --date)", pos[0])
	}
	if s.worker.connections < 1 {
		return usageErr("--connections must be at least 1")
	}
	if s.giveUp <= 0 {
		return usageErr("--give-up must be positive, e.g. 10m")
	}
	if err := checkSoftBounceLimit(s.worker.softBounceLimit); err != nil {
		return err
	}
	out := a.env.Stdout
	srv := &serverWatch{out: out}
	s.onServer = srv.report
	e, err := parseEdition(*s.edition)
	if err != nil {
		return err
	}
	p, day, err := a.pickDate(ctx, s.pub, s.date)
	if err != nil {
		return err
	}
	// Without --edition the date's daily issue, never one of its extras.
	iss, err := a.currentIssue(ctx, p, day, e)
	d, again := newsletter.EditionRef(day, e), dateArgs(day, e)
	if errors.Is(err, newsletter.ErrEmptyIssue) {
		return fmt.Errorf("%s %s has no ready articles: nothing to send", p.Slug, d)
	}
	if err != nil {
		return err
	}
	work, eng, via, err := a.sendWorkspace(ctx, s, p)
	if err != nil {
		return err
	}
	if iss.Status == newsletter.Sent || iss.Status == newsletter.Cancelled {
		fmt.Fprintf(out, "%s %s (%s) is already %s\n", p.Slug, d, iss.Label(), iss.Status)
		return a.printCounts(ctx, iss.ID, "")
	}
	res, err := work.Start(ctx, p, iss)
	var other *ledger.TransportError
	if errors.As(err, &other) {
		return fmt.Errorf("%s %s is already sending via %s (a 'masthead serve' or 'masthead worker' with that mail setting sends it); "+
			"this command sends via %s: run it with the same --smtp (MASTHEAD_SMTP), or pause the issue first "+
			"('masthead issue pause %s') to move the rest of the send to %s", p.Slug, d, other.Have, other.Want, again, other.Want)
	}
	if errors.Is(err, workspace.ErrState) {
		return fmt.Errorf("%s %s cannot be sent: it is %s", p.Slug, d, iss.Status)
	}
	if err != nil {
		return err
	}
	switch {
	case res.Resumed:
		fmt.Fprintf(out, "resuming %s %s (%s) via %s\n", p.Slug, d, iss.Label(), via)
	case res.Queued > 0:
		fmt.Fprintf(out, "sending %s %s (%s) to %s via %s\n", p.Slug, d, iss.Label(), plural.Count(res.Queued, "subscriber", "subscribers"), via)
	default:
		fmt.Fprintf(out, "continuing %s %s (%s) via %s\n", p.Slug, d, iss.Label(), via)
	}
	if *atOnce {
		// An issue no longer sending (an empty audience is sent at once)
		// has no copy waiting.
		n, err := work.DeliverNow(ctx, iss)
		if err != nil && !errors.Is(err, workspace.ErrState) {
			return err
		}
		if n > 0 {
			fmt.Fprintf(out, "delivering %s now, not at each reader's local time\n", plural.Count(n, "waiting copy", "waiting copies"))
		}
	}
	runCtx, halt := context.WithCancel(ctx)
	defer halt()
	next := func(ctx context.Context) (time.Time, error) {
		pr, err := work.Progress(ctx, iss)
		if err != nil || pr.NextLocal == nil {
			return time.Time{}, err
		}
		return pr.NextLocal.At, nil
	}
	watch := a.watchProgress(runCtx, iss.ID, s.giveUp, next, halt)
	stop := a.showProgress(runCtx, iss.ID, srv.isDown)
	sum, err := eng.Run(runCtx, iss.ID)
	stop()
	if err != nil {
		return err
	}
	if watch.waiting.Load() {
		return a.leftForLocalTime(ctx, work, p, iss, sum, eng.Transport())
	}
	if watch.gaveUp.Load() {
		why := "no message settled"
		if st := srv.state(); st != nil {
			why = st.Reason
		}
		fmt.Fprintf(out, "gave up after %s of waiting (%s); %s queued, nothing is lost: "+
			"'masthead issue send %s' again, or a 'masthead serve' sending via %s, continues\n",
			s.giveUp, why, plural.Count(sum.Counts.Pending(), "row stays", "rows stay"), again, eng.Transport())
	}
	a.printSummary(sum, srv.isDown())
	c := sum.Counts
	if sum.Status == newsletter.Sent {
		return nil
	}
	if sum.Paused != "" {
		fmt.Fprintf(out, "paused by masthead: %s\nresume with 'masthead issue resume %s' once fixed; "+
			"'masthead subscriber lift --issue %s' undoes suppressions this send made\n", sum.Paused, again, d)
		return exitError{4}
	}
	if c.Pending() > 0 {
		fmt.Fprintf(out, "not finished: %s left; run 'masthead issue send %s' again (or keep 'masthead serve' running)\n", plural.Count(c.Pending(), "row", "rows"), again)
	}
	return exitError{4}
}

// printSummary is the last line of 'issue send': where the send stands.
// While down says the server cannot be reached, every row left that is due
// counts as retrying.
func (a *app) printSummary(sum delivery.Summary, down bool) {
	c := sum.Counts
	if down {
		c.Retrying = c.Pending() - c.Waiting // each waits for the server
	}
	waiting := ""
	if c.Waiting > 0 {
		waiting = fmt.Sprintf(", %d waiting for local time", c.Waiting)
	}
	fmt.Fprintf(a.env.Stdout, "%s after %s: %d sent, %d failed, %d skipped, %d cancelled, %d pending (%d retrying%s) of %d\n",
		sum.Status, sum.Elapsed.Round(time.Millisecond), c.Sent, c.Failed, c.Skipped, c.Cancelled, c.Pending(), c.Retrying, waiting, c.Total)
}

// leftForLocalTime ends an 'issue send' whose rows left all wait for their
// readers' local time: the command did what it could, and the processes that
// keep running (serve, worker) sending via the same transport deliver the
// rest at each reader's hour, so it says when and exits 0.
func (a *app) leftForLocalTime(ctx context.Context, work *workspace.Service, p *newsletter.Publication, iss *newsletter.Issue, sum delivery.Summary, transport string) error {
	a.printSummary(sum, false)
	pr, err := work.Progress(ctx, iss)
	if err != nil {
		return err
	}
	hour := "local time"
	if c, ok := p.ReaderClock(pr.Started); ok {
		hour = c.String()
	}
	next := ""
	if pr.NextLocal != nil {
		next = fmt.Sprintf(" (next at %s)", pr.NextLocal)
	}
	failed := ""
	if pr.Failed > 0 {
		failed = fmt.Sprintf(", %d failed", pr.Failed)
	}
	wait := fmt.Sprintf("%d wait for their readers'", pr.Waiting)
	if pr.Waiting == 1 {
		wait = "1 waits for its reader's"
	}
	fmt.Fprintf(a.env.Stdout, "started: %d sent now%s, %s %s%s; "+
		"'masthead serve' (or 'masthead worker') sending via %s delivers them at their hour\n", pr.Sent, failed, wait, hour, next, transport)
	return nil
}

// showProgress reports an issue's counts until the returned stop is called:
// a progress bar on a terminal, a log line every few seconds otherwise; rows
// waiting for their readers' local time are counted apart. While down says
// the server cannot be reached, every row left that is due counts as
// retrying.
func (a *app) showProgress(ctx context.Context, issueID int64, down func() bool) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	errf, tty := a.env.Stderr.(*os.File)
	tty = tty && term.IsTerminal(int(errf.Fd()))
	go func() {
		defer close(done)
		var bar *progressbar.ProgressBar
		every := 5 * time.Second
		if tty {
			every = 200 * time.Millisecond
		}
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				if bar != nil {
					bar.Finish()
					fmt.Fprintln(errf)
				}
				return
			case <-t.C:
			}
			began := time.Now()
			c, err := a.read().Counts(ctx, issueID)
			// Counting reads every row of the ledger (0.4 s for a million):
			// poll no more than a fifth of the time, not to slow the send.
			t.Reset(max(every, 5*time.Since(began)))
			if err != nil || c.Total == 0 {
				continue
			}
			settled := c.Total - c.Pending()
			if down() {
				c.Retrying = c.Pending() - c.Waiting // each due row waits for the server
			}
			if !tty {
				a.log.Info("sending", "issue", issueID, "sent", c.Sent, "failed", c.Failed, "retrying", c.Retrying,
					"waiting", c.Waiting, "pending", c.Pending(), "total", c.Total)
				continue
			}
			if bar == nil {
				bar = progressbar.NewOptions(c.Total, progressbar.OptionSetWriter(errf), progressbar.OptionShowCount(),
					progressbar.OptionShowIts(), progressbar.OptionSetItsString("msg"), progressbar.OptionSetPredictTime(true),
					progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionFullWidth())
			}
			desc := fmt.Sprintf("sent %d failed %d retrying %d", c.Sent, c.Failed, c.Retrying)
			if c.Waiting > 0 {
				desc += fmt.Sprintf(" waiting for local time %d", c.Waiting)
			}
			bar.Describe(desc)
			bar.Set(settled)
		}
	}()
	return func() { cancel(); <-done }
}

// issueByDate finds the stored issue of --publication/--date without
// assembling it.
func (a *app) issueByDate(ctx context.Context, fs *flag.FlagSet, args []string) (*newsletter.Publication, *newsletter.Issue, error) {
	var date, pub string
	fs.StringVar(&date, "date", "", "issue date YYYY-MM-DD (default today in the publication's zone)")
	fs.StringVar(&pub, "publication", "", "publication slug (needed only when there are several)")
	edition := editionFlag(fs)
	pos, err := a.parse(fs, args)
	if err != nil {
		return nil, nil, err
	}
	if len(pos) > 0 {
		return nil, nil, usageErr("unexpected argument %q (use --date)", pos[0])
	}
	e, err := parseEdition(*edition)
	if err != nil {
		return nil, nil, err
	}
	p, d, err := a.pickDate(ctx, pub, date)
	if err != nil {
		return nil, nil, err
	}
	iss, err := a.read().IssueByEdition(ctx, p.ID, d, e)
	if errors.Is(err, store.ErrNotFound) && e > 0 {
		return nil, nil, fmt.Errorf("%s has no extra edition %d for %s", p.Slug, e, d)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, fmt.Errorf("%s has no issue for %s", p.Slug, d)
	}
	return p, iss, err
}

// runIssueStatus is 'masthead issue status': an issue's state and its ledger.
func runIssueStatus(ctx context.Context, a *app, args []string) error {
	p, iss, err := a.issueByDate(ctx, a.flags(), args)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.env.Stdout, "%s %s: %s — %s\n", p.Slug, iss.Ref(), iss.Label(), iss.Status)
	if iss.Status == newsletter.Paused && iss.PauseReason != "" {
		fmt.Fprintf(a.env.Stdout, "paused by masthead: %s\n", iss.PauseReason)
	}
	waiting := ""
	if iss.Status == newsletter.Sending || iss.Status == newsletter.Paused {
		work, err := a.workspace(ctx, nil)
		if err != nil {
			return err
		}
		pr, err := work.Progress(ctx, iss)
		if err != nil {
			return err
		}
		waiting = pr.WaitingLine()
	}
	return a.printCounts(ctx, iss.ID, waiting)
}

// printCounts prints the issue's ledger by status, then note (the rows
// waiting for their readers' local time) when there is one, then the first
// failures.
func (a *app) printCounts(ctx context.Context, issueID int64, note string) error {
	c, err := a.read().Counts(ctx, issueID)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "sent\t%d\nfailed\t%d\nskipped\t%d\ncancelled\t%d\nqueued\t%d\t(%d retrying)\nsending\t%d\ntotal\t%d\n",
		c.Sent, c.Failed, c.Skipped, c.Cancelled, c.Queued, c.Retrying, c.Sending, c.Total)
	if err := w.Flush(); err != nil {
		return err
	}
	if note != "" {
		fmt.Fprintln(a.env.Stdout, note)
	}
	failed, err := a.read().Deliveries(ctx, store.DeliveryFilter{IssueID: issueID, Status: ledger.DeliveryFailed, Limit: 10})
	if err != nil || len(failed) == 0 {
		return err
	}
	fmt.Fprintln(a.env.Stdout, "failed (first 10):")
	for _, d := range failed {
		fmt.Fprintf(a.env.Stdout, "  %s: %s\n", d.Email, d.LastReply)
	}
	return nil
}

// runIssueControl makes 'masthead issue pause|resume|cancel'.
func runIssueControl(verb string, act func(work *workspace.Service, ctx context.Context, iss *newsletter.Issue) error) func(context.Context, *app, []string) error {
	return func(ctx context.Context, a *app, args []string) error {
		p, iss, err := a.issueByDate(ctx, a.flags(), args)
		if err != nil {
			return err
		}
		eng, _, err := a.engine(ctx, engineSpec{})
		if err != nil {
			return err
		}
		work, err := a.workspace(ctx, eng)
		if err != nil {
			return err
		}
		if err := act(work, ctx, iss); err != nil {
			if errors.Is(err, workspace.ErrState) {
				which := ""
				if pubs, err := a.read().Publications(ctx); err == nil && len(pubs) > 1 {
					which = " --publication " + p.Slug
				}
				return fmt.Errorf("%s %s is %s: cannot %s it%s", p.Slug, iss.Date, iss.Status, verb, controlHint(verb, iss, which))
			}
			return err
		}
		st, _ := a.read().IssueStatus(ctx, iss.ID)
		fmt.Fprintf(a.env.Stdout, "%s %s: %s\n", p.Slug, iss.Date, st)
		if verb == "resume" {
			fmt.Fprintln(a.env.Stdout, "a running 'masthead serve' or 'masthead worker' picks it up; or run 'masthead issue send --date "+iss.Date.String()+"'")
		}
		return nil
	}
}

// controlHint points at what does apply to an issue that pause, resume or
// cancel do not (they act on a send under way).
// which is " --publication SLUG" when the database has several.
func controlHint(verb string, iss *newsletter.Issue, which string) string {
	d := iss.Date.String() + which
	switch {
	case verb != "resume" && (iss.Status == newsletter.Scheduled || iss.Status == newsletter.Assembled):
		return fmt.Sprintf(" (nothing is being sent yet); to keep it from going out: 'masthead issue hold --date %s' or 'masthead issue skip --date %s'", d, d)
	case verb != "resume" && iss.Status == newsletter.Held:
		return fmt.Sprintf(" (nothing is being sent); it stays held until 'masthead issue release --date %s'", d)
	case verb == "resume" && iss.Status == newsletter.Sending:
		return " (it is sending already)"
	}
	return ""
}

var (
	runIssuePause  = runIssueControl("pause", (*workspace.Service).Pause)
	runIssueResume = runIssueControl("resume", (*workspace.Service).Resume)
	runIssueCancel = runIssueControl("cancel", (*workspace.Service).Cancel)
)

// runIssueTest is 'masthead issue test --to ADDR': one message of the issue
// to one address, outside the ledger.
func runIssueTest(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	s := a.sendFlags(fs, false)
	var to string
	fs.StringVar(&to, "to", "", "address to send the test to (required)")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 1 && to == "" {
		to = pos[0]
	} else if len(pos) > 0 {
		return usageErr("unexpected argument %q", pos[0])
	}
	if to == "" {
		return usageErr("--to ADDRESS is required")
	}
	if _, err := newsletter.ParseAddress(to); err != nil {
		return usageErr("--to %q: %v", to, err)
	}
	e, err := parseEdition(*s.edition)
	if err != nil {
		return err
	}
	p, day, err := a.pickDate(ctx, s.pub, s.date)
	if err != nil {
		return err
	}
	// Without --edition the date's daily issue, never one of its extras.
	iss, err := a.currentIssue(ctx, p, day, e)
	d := newsletter.EditionRef(day, e)
	if errors.Is(err, newsletter.ErrEmptyIssue) {
		return fmt.Errorf("%s %s has no ready articles: nothing to send", p.Slug, d)
	}
	if err != nil {
		return err
	}
	s.worker.connections = 1
	work, _, via, err := a.sendWorkspace(ctx, s, p)
	if err != nil {
		return err
	}
	if err := work.TestSend(ctx, iss, to); err != nil {
		return err
	}
	fmt.Fprintf(a.env.Stdout, "sent a test of %s %s (%s) to %s via %s\n", p.Slug, d, iss.Label(), to, via)
	return nil
}

// runOutboxList is 'masthead outbox list': what the built-in outbox holds.
func runOutboxList(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var limit int
	var to string
	fs.IntVar(&limit, "limit", 50, "at most this many, newest first (0: all)")
	fs.StringVar(&to, "to", "", "only messages to this address")
	if _, err := a.parse(fs, args); err != nil {
		return err
	}
	st, err := a.reads(ctx)
	if err != nil {
		return err
	}
	filter := store.OutboxFilter{Recipient: to, Limit: limit}
	list, err := st.Outbox(ctx, filter)
	if err != nil {
		return err
	}
	total := len(list)
	if limit > 0 && len(list) == limit {
		if total, err = st.OutboxCount(ctx, filter); err != nil {
			return err
		}
	}
	if len(list) == 0 {
		fmt.Fprintln(a.env.Stdout, "the outbox is empty")
		return nil
	}
	w := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tQUEUED\tTO\tSIZE\tSUBJECT")
	for _, m := range list {
		fmt.Fprintf(w, "%d\t%s\t%s\t%d\t%s\n", m.ID, m.CreatedAt.Format("2006-01-02 15:04:05 MST"), m.Recipient, m.Size, m.ReadableSubject())
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(a.env.Stdout, "print one with 'masthead outbox show ID'")
	if total > len(list) {
		fmt.Fprintf(a.env.Stdout, "showing the newest %d of %d; --limit %d shows more (0: all)\n", len(list), total, total)
	}
	return nil
}
