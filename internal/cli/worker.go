package cli

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"masthead/delivery"
	"masthead/newsletter"
	"masthead/scheduler"
	"masthead/store"
)

// workerOptions are the flags of the processes that send (worker and serve).
type workerOptions struct {
	leaderLease time.Duration // serve: the scheduler's leader lease
	connections int
	claimBatch  int
	lease       time.Duration
	poll        time.Duration
	rate        float64
	domainRates rateMap
	exitIdle    bool
	dkim        *dkimFlags
	// softBounceLimit is the bounce policy's (--soft-bounce-limit): the soft
	// bounces in a row that make an address bounced, whatever reported them.
	softBounceLimit int
}

// runWorker is `masthead worker`: a process that only sends. It finds every
// issue in status sending and delivers it alongside any other serve or worker
// processes of the same database (rows are claimed under leases; a dead
// process's rows are taken over when its leases run out), with rate limits
// that hold across all of them. No web server, no scheduler.
func runWorker(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var o workerOptions
	o.domainRates = rateMap{}
	fs.IntVar(&o.connections, "connections", 4, "SMTP connections (one sending goroutine each)")
	fs.IntVar(&o.claimBatch, "claim-batch", 0, "rows claimed per transaction (default max(256, 4 × connections))")
	fs.DurationVar(&o.lease, "lease", 30*time.Second, "how long a claimed row is held; another process takes over a dead one's rows after it")
	fs.DurationVar(&o.poll, "poll", time.Second, "how often to look for issues to send")
	fs.Float64Var(&o.rate, "rate", 0, "messages per second in total over every process of this database (0: unlimited)")
	fs.Var(o.domainRates, "domain-rate", "DOMAIN=RATE: messages per second to one recipient domain over every process (repeatable)")
	fs.BoolVar(&o.exitIdle, "exit-when-idle", false, "exit when no issue is left sending (batch jobs, tests)")
	o.dkim = a.dkimFlags(fs)
	a.softBounceFlag(fs, &o.softBounceLimit)
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return usageErr("worker takes no arguments, got %q", pos[0])
	case o.connections < 1:
		return usageErr("--connections must be at least 1")
	case o.lease < time.Second:
		return usageErr("--lease must be at least 1s")
	case o.poll <= 0:
		return usageErr("--poll must be positive")
	case o.rate < 0:
		return usageErr("--rate must not be negative")
	}
	if err := checkSoftBounceLimit(o.softBounceLimit); err != nil {
		return err
	}
	st, err := a.reads(ctx)
	if err != nil {
		return err
	}
	eng, _, err := a.engine(ctx, engineSpec{workerOptions: o})
	if err != nil {
		return err
	}
	a.log.Info("worker started", "owner", eng.Owner(), "db", st.Backend(), "connections", o.connections,
		"rate", o.rate, "lease", o.lease.String())
	return work(ctx, st, eng, o, a.log)
}

// work keeps a delivery run going for every sending issue (scheduler.Workers)
// until ctx is done, when the runs finish and record what is in flight, or,
// with --exit-when-idle, until nothing is sending.
func work(ctx context.Context, st scheduler.WorkerStore, eng *delivery.Engine, o workerOptions, log *slog.Logger) error {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	w := &scheduler.Workers{Store: st, Log: log, Poll: o.poll, Transport: eng.Transport(),
		Runner: scheduler.RunnerFunc(func(ctx context.Context, id int64) error {
			sum, err := eng.Run(ctx, id)
			if err == nil {
				log.Info("delivery run ended", "issue", id, "status", sum.Status, "sent_here", sum.Sent,
					"failed_here", sum.Failed, "retried_here", sum.Retried, "pending", sum.Counts.Pending(),
					"elapsed", sum.Elapsed.Round(time.Millisecond).String())
			}
			return err
		})}
	if o.exitIdle {
		go func() {
			t := time.NewTicker(o.poll)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
				list, err := st.Issues(ctx, store.IssueFilter{Statuses: []newsletter.IssueStatus{newsletter.Sending}})
				if err == nil && len(list) == 0 && w.Running() == 0 {
					log.Info("nothing is sending: worker exits")
					stop()
					return
				}
			}
		}()
	}
	return w.Run(ctx)
}

// rateMap is a repeatable DOMAIN=RATE flag.
type rateMap map[string]float64

var _ flag.Value = rateMap{}

func (m rateMap) String() string {
	var parts []string
	for d, r := range m {
		parts = append(parts, d+"="+strconv.FormatFloat(r, 'g', -1, 64))
	}
	return strings.Join(parts, ",")
}

func (m rateMap) Set(v string) error {
	d, r, ok := strings.Cut(v, "=")
	d = strings.ToLower(strings.TrimSpace(d))
	rate, err := strconv.ParseFloat(strings.TrimSpace(r), 64)
	if !ok || d == "" || strings.Contains(d, "@") || err != nil || rate <= 0 {
		return fmt.Errorf("want DOMAIN=RATE with RATE > 0 messages per second, got %q", v)
	}
	m[d] = rate
	return nil
}
