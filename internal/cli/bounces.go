package cli

import (
	"context"
	"flag"
	"fmt"
	"time"

	"masthead/bounces"
	"masthead/internal/plural"
	"masthead/ledger"
	"masthead/subscribers"
)

// bounceFlags are the mailbox poller's settings, shared by "bounces poll" and
// serve (which runs the poller when --imap or MASTHEAD_IMAP is set).
type bounceFlags struct {
	url      string
	interval time.Duration
	moveTo   string
}

// bounceFlags puts the poller's flags on fs; intervalName names the flag for
// the time between polls ("interval" for bounces poll, "imap-interval" in serve).
func (a *app) bounceFlags(fs *flag.FlagSet, intervalName string) *bounceFlags {
	b := &bounceFlags{}
	fs.StringVar(&b.url, "imap", a.env.Getenv("MASTHEAD_IMAP"),
		"mailbox of bounce and complaint reports: imaps://user:pass@host[:993]/MAILBOX, or imap://...[?tls=none] for STARTTLS or plain (MASTHEAD_IMAP)")
	fs.DurationVar(&b.interval, intervalName, bounces.DefaultInterval, "time between polls of the --imap mailbox")
	fs.StringVar(&b.moveTo, "imap-move-to", "", "mailbox to move processed reports to (default: leave them in place, flagged \\Seen and $MastheadProcessed)")
	return b
}

// softBounceFlag puts --soft-bounce-limit on fs: the bounce policy of every
// command that applies bounces (serve, worker, issue send, bounces poll).
func (a *app) softBounceFlag(fs *flag.FlagSet, limit *int) {
	fs.IntVar(limit, "soft-bounce-limit", ledger.DefaultSoftBounceLimit,
		"soft bounces in a row that make an address bounced, whether delivery gave up on them or a report (mailbox, webhook) said so")
}

// checkSoftBounceLimit refuses a limit below 1.
func checkSoftBounceLimit(limit int) error {
	if limit < 1 {
		return usageErr("--soft-bounce-limit must be at least 1")
	}
	return nil
}

// poller returns the poller the flags ask for, or nil when --imap is unset;
// it applies reports under policy. Call it after a.parse. serve runs it with:
// go p.Run(ctx).
func (b *bounceFlags) poller(ctx context.Context, a *app, policy ledger.BouncePolicy) (*bounces.Poller, error) {
	if b.url == "" {
		return nil, nil
	}
	if b.interval <= 0 {
		return nil, usageErr("the interval between polls must be positive, e.g. 5m")
	}
	st, err := a.store(ctx)
	if err != nil {
		return nil, err
	}
	// Unsubscribe requests mailed to a publication's unsubscribe address
	// go through the workspace, as the one-click link's do.
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return nil, err
	}
	secret, err := a.secret(ctx)
	if err != nil {
		return nil, err
	}
	p, err := bounces.NewPoller(bounces.Config{
		URL: b.url, Interval: b.interval, Bounces: policy, MoveTo: b.moveTo,
		Unsubscribe: work, Signer: subscribers.NewSigner(secret), Now: a.now,
	}, st, a.log)
	if err != nil {
		return nil, usageErr("--imap: %v", err)
	}
	return p, nil
}

// runBouncesPoll reads bounce and complaint reports from a mailbox and
// applies them: once, or every --interval until interrupted.
func runBouncesPoll(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	b := a.bounceFlags(fs, "interval")
	var once bool
	var softLimit int
	a.softBounceFlag(fs, &softLimit)
	fs.BoolVar(&once, "once", false, "poll once and exit, printing what was done")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErr("bounces poll takes no arguments, got %q", pos[0])
	}
	if b.url == "" {
		return usageErr("--imap (or MASTHEAD_IMAP) is required")
	}
	if err := checkSoftBounceLimit(softLimit); err != nil {
		return err
	}
	p, err := b.poller(ctx, a, ledger.BouncePolicy{SoftLimit: softLimit})
	if err != nil {
		return err
	}
	if !once {
		return p.Run(ctx)
	}
	res, err := p.Poll(ctx)
	fmt.Fprintf(a.env.Stdout, "%s: %s (%d applied, %d applied before, %d with nothing to do, %d not our subscribers); %s; %d left in the mailbox\n",
		plural.Count(res.Messages, "message", "messages"), plural.Count(res.Reports, "report", "reports"),
		res.Applied, res.Repeated, res.Ignored, res.Unknown,
		plural.Count(res.Unsubscribes, "unsubscribe request", "unsubscribe requests"), res.Unparseable)
	return err
}
