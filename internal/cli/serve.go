package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"masthead/internal/sample"
	"masthead/workspace"
)

// sampleDelay is how long after start the sample publication's first issue
// goes out: long enough to read the log line that announces it.
const sampleDelay = 5 * time.Second

// runServe runs the web server, the scheduler and the delivery workers in one
// process until ctx is done (SIGINT or SIGTERM), then stops claiming work, lets
// the messages in flight finish and be recorded, and closes the store.
func runServe(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var err error
	var catchUp time.Duration
	var noSample bool
	var wo webOptions
	if v := a.env.Getenv("MASTHEAD_TRUST_PROXY"); v != "" {
		if wo.trustProxy, err = strconv.ParseBool(v); err != nil {
			return usageErr("MASTHEAD_TRUST_PROXY=%q: want 1 or 0", v)
		}
	}
	o := workerOptions{lease: 30 * time.Second, poll: time.Second, domainRates: rateMap{}}
	fs.DurationVar(&catchUp, "catch-up", 3*time.Hour, "send an issue whose time passed while masthead was down if it is at most this late; later ones are marked missed for an editor")
	fs.BoolVar(&noSample, "no-sample", false, "do not create the sample publication on an empty database")
	fs.BoolVar(&wo.trustProxy, "trust-proxy", wo.trustProxy, "behind a reverse proxy: take each client's address from the last X-Forwarded-For hop, which the proxy adds, for rate limits and logs (MASTHEAD_TRUST_PROXY=1); never without one, as clients could then pick their own address")
	fs.BoolVar(&wo.publicMetrics, "public-metrics", false, "serve /metrics without credentials (by default a scraper sends an API token: Authorization: Bearer TOKEN)")
	fs.IntVar(&o.connections, "connections", 4, "SMTP connections (one sending goroutine each) per issue")
	fs.Float64Var(&o.rate, "rate", 0, "messages per second in total over every process of this database (0: unlimited)")
	fs.Var(o.domainRates, "domain-rate", "DOMAIN=RATE: messages per second to one recipient domain over every process (repeatable)")
	fs.DurationVar(&o.leaderLease, "leader-lease", 30*time.Second, "with several serve processes on one database, how soon another takes over the schedules when the one firing them dies")
	o.dkim = a.dkimFlags(fs)
	a.softBounceFlag(fs, &o.softBounceLimit)
	bf := a.bounceFlags(fs, "imap-interval")
	feedsAllowPrivate := a.feedsAllowPrivateFlag(fs)
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErr("serve takes no arguments, got %q", pos[0])
	}
	wo.feedsAllowPrivate = *feedsAllowPrivate
	switch {
	case catchUp <= 0:
		return usageErr("--catch-up must be positive, e.g. 3h")
	case o.connections < 1:
		return usageErr("--connections must be at least 1")
	case o.rate < 0:
		return usageErr("--rate must not be negative")
	}
	if err := checkSoftBounceLimit(o.softBounceLimit); err != nil {
		return err
	}
	log := a.log
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.cfg.Addr, err)
	}
	defer ln.Close()
	st, err := a.store(ctx)
	if err != nil {
		return err
	}
	if err := a.recordServerAddress(ctx, st); err != nil {
		return fmt.Errorf("record the server's address: %w", err)
	}
	pt, err := a.serveParts(ctx, st, o, catchUp, wo)
	if err != nil {
		return err
	}
	poller, err := bf.poller(ctx, a, o.bounces())
	if err != nil {
		return err
	}
	if !noSample {
		if err := a.seed(ctx, pt.work, pt.via); err != nil {
			return err
		}
	}

	// The web server's timeouts and header limit; the few routes that take
	// longer (subscriber import and export) extend their own deadlines, and no
	// route streams (the admin's live progress polls).
	httpSrv := pt.web.HTTPServer(ln.Addr().String())
	httpSrv.Handler = pt.handler
	log.Info("masthead serving", "addr", ln.Addr().String(), "base_url", a.cfg.BaseURL, "db", st.Backend(),
		"mail", pt.via, "catch_up", catchUp.String(), "trust_proxy", wo.trustProxy, "public_metrics", wo.publicMetrics)

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	errc := make(chan error, 1)
	wg.Go(func() {
		if err := httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("web server: %w", err)
			stop()
		}
	})
	wg.Go(func() { pt.sched.Run(runCtx) })
	wg.Go(func() { pt.workers.Run(runCtx) })
	wg.Go(func() { pt.confirm.Run(runCtx) })
	wg.Go(func() { pt.runEngagement(runCtx, log) })
	wg.Go(func() { pt.feeds.Run(runCtx) })
	if poller != nil {
		wg.Go(func() {
			if err := poller.Run(runCtx); err != nil {
				log.Error("bounce mailbox poller stopped", "err", err)
			}
		})
	}

	<-runCtx.Done()
	log.Info("shutting down: no new work is claimed; sends in flight finish and are recorded (a second Ctrl-C stops at once)")
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := httpSrv.Shutdown(shutCtx); err != nil {
		log.Warn("web server did not stop cleanly", "err", err)
	}
	wg.Wait()
	log.Info("stopped")
	select {
	case err := <-errc:
		return err
	default:
		return nil
	}
}

// seed creates the sample publication on an empty database and, when mail goes
// to the built-in outbox, schedules its first issue a few seconds from now.
func (a *app) seed(ctx context.Context, work *workspace.Service, via string) error {
	p, created, err := sample.Seed(ctx, work, a.now())
	if err != nil || !created {
		return err
	}
	if via != "outbox" {
		a.log.Info("sample publication created; it is not sent automatically because --smtp is set (its subscribers are at example.org)",
			"publication", p.Slug)
		return nil
	}
	at := a.now().Add(sampleDelay).Truncate(time.Second)
	iss, err := work.Schedule(ctx, p, p.Today(a.now()), at)
	if err != nil {
		return fmt.Errorf("schedule the sample issue: %w", err)
	}
	a.log.Info(fmt.Sprintf("sample publication created; its first issue goes to the outbox at %s; see it with `masthead outbox list` or %s/admin/outbox",
		at.Format(time.TimeOnly), a.cfg.BaseURL), "publication", p.Slug, "issue", iss.ID, "subject", iss.Subject)
	return nil
}
