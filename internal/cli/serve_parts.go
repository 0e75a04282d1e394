package cli

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"masthead/admin"
	"masthead/api"
	"masthead/auth"
	"masthead/delivery"
	"masthead/metrics"
	"masthead/newsletter"
	"masthead/scheduler"
	"masthead/store"
	"masthead/subscribers"
	"masthead/web"
	"masthead/workspace"
)

// serveParts are what `masthead serve` runs, wired together.
type serveParts struct {
	handler http.Handler // the web server with the admin, the API and /metrics mounted
	web     *web.Server  // for its hardened http.Server settings, and its confirmation emails
	sched   *scheduler.Scheduler
	workers *scheduler.Workers
	asm     *newsletter.Assembler
	via     string // where mail goes, for logs: "outbox" or the SMTP URL without password
}

// webOptions are serve's choices for the web server.
type webOptions struct {
	// trustProxy: the web server and the login limits take each client's
	// address from X-Forwarded-For (see auth.ClientIP).
	trustProxy bool
	// publicMetrics: /metrics answers without credentials (for a scraper
	// that can send none, on a network where only it reaches masthead).
	publicMetrics bool
}

// serveParts builds the delivery engine (its sender counted by the metrics),
// the workers and the scheduler that starts sends through it, and the web
// server with the editor's admin pages and API on the same operations.
func (a *app) serveParts(ctx context.Context, st *store.Store, o workerOptions, catchUp time.Duration, wo webOptions) (*serveParts, error) {
	log := a.log
	secret, err := a.secret(ctx)
	if err != nil {
		return nil, err
	}
	signer := subscribers.NewSigner(secret)
	asm := newsletter.NewAssembler(st, a.cfg.BaseURL)
	m := metrics.New(metrics.Options{DB: st, Log: log.With("component", "metrics")})

	sender, via, err := a.sender()
	if err != nil {
		return nil, err
	}
	dkim, err := o.dkim.load(nil)
	if err != nil {
		return nil, err
	}
	engine, err := delivery.New(st, m.WrapSender(sender, issuePublication(st)), delivery.Config{DKIM: dkim,
		Transport:   delivery.TransportOf(sender), // the metrics wrapper hides it
		Connections: o.connections, Lease: o.lease, Poll: o.poll, Rate: o.rate, DomainRates: o.domainRates,
		SharedLimit: sharedLimit(st, log), BaseURL: a.cfg.BaseURL, Signer: signer, ReclaimDead: true,
	}, log.With("component", "delivery"))
	if err != nil {
		return nil, err
	}
	workers := &scheduler.Workers{Store: st, Log: log.With("component", "delivery"), Poll: o.poll, Transport: engine.Transport(),
		Runner: scheduler.RunnerFunc(func(ctx context.Context, id int64) error {
			sum, err := engine.Run(ctx, id)
			if err == nil {
				log.Info("delivery run ended", "component", "delivery", "issue", id, "status", sum.Status,
					"sent_here", sum.Sent, "failed_here", sum.Failed, "retried_here", sum.Retried,
					"pending", sum.Counts.Pending(), "elapsed", sum.Elapsed.Round(time.Millisecond).String())
			}
			return err
		})}
	sends := wakingSends{Engine: engine, wake: workers.Wake}
	sched := scheduler.New(scheduler.Config{Store: st, Assembler: asm, Log: log, CatchUp: catchUp,
		Reload: 30 * time.Second, LeaseTTL: o.leaderLease, Starter: scheduler.StarterFunc(sends.StartFrom)})

	work, err := workspace.New(workspace.Config{Store: st, Sends: sends, Assembler: asm, BaseURL: a.cfg.BaseURL,
		Log: log.With("component", "workspace")})
	if err != nil {
		return nil, err
	}
	secure := strings.HasPrefix(a.cfg.BaseURL, "https://")
	authSvc := auth.New(st, auth.Options{Secure: secure, TrustProxy: wo.trustProxy, Log: log.With("component", "auth")})
	adm, err := admin.New(admin.Deps{Work: work, Auth: authSvc, Log: log.With("component", "admin"), Secure: secure,
		BaseURL: a.cfg.BaseURL})
	if err != nil {
		return nil, err
	}
	apiH := api.New(api.Deps{Work: work, Auth: authSvc, Log: log.With("component", "api")})
	metricsH := apiH.Guard(auth.Editor, m.Handler()) // a scraper sends an API token
	if wo.publicMetrics {
		metricsH = m.Handler()
	}
	srv, err := web.New(web.Deps{Store: st, Log: log.With("component", "web"), BaseURL: a.cfg.BaseURL, Signer: signer,
		Assembler: asm, Mailer: web.SenderMailer(sender), ConfirmLimit: confirmLimit(st, o, log),
		WebhookSecret: web.WebhookSecret(a.env.Getenv("MASTHEAD_WEBHOOK_SECRET"), secret),
		TrustProxy:    wo.trustProxy,
		Admin:         adm,
		API:           apiH,
		Metrics:       metricsH})
	if err != nil {
		return nil, err
	}
	return &serveParts{handler: m.Instrument(srv), web: srv, sched: sched, workers: workers, asm: asm, via: via}, nil
}

// wakingSends is the engine's send control whose Start and Resume also hand
// the issue to this process's workers at once (not at their next poll).
type wakingSends struct {
	*delivery.Engine
	wake func()
}

func (s wakingSends) Start(ctx context.Context, issueID int64) (store.StartResult, error) {
	res, err := s.Engine.Start(ctx, issueID)
	s.wake()
	return res, err
}

func (s wakingSends) StartFrom(ctx context.Context, issueID int64, from []newsletter.IssueStatus) (store.StartResult, error) {
	res, err := s.Engine.StartFrom(ctx, issueID, from)
	s.wake()
	return res, err
}

func (s wakingSends) Resume(ctx context.Context, issueID int64) error {
	err := s.Engine.Resume(ctx, issueID)
	s.wake()
	return err
}

// issuePublication names an issue's publication for the metrics.
func issuePublication(st *store.Store) metrics.IssuePublication {
	return func(ctx context.Context, issueID int64) (string, error) {
		iss, err := st.Issue(ctx, issueID)
		if err != nil {
			return "", err
		}
		p, err := st.Publication(ctx, iss.PublicationID)
		if err != nil {
			return "", err
		}
		return p.Slug, nil
	}
}

// sender is where messages go: the SMTP server of --smtp, or the built-in
// outbox. via describes it for logs (without a password).
func (a *app) sender() (delivery.Sender, string, error) {
	if a.cfg.SMTP == "" {
		st := a.st
		return delivery.NewOutbox(st), "outbox", nil
	}
	cfg, err := delivery.ParseSMTPURL(a.cfg.SMTP)
	if err != nil {
		return nil, "", usageErr("--smtp: %v", err)
	}
	return delivery.NewSMTP(cfg, a.log.With("component", "smtp")), cfg.String(), nil
}

// confirmLimit paces confirmation emails by the engine's global rate, shared
// with the issues' messages across every process (nil: no --rate).
func confirmLimit(st *store.Store, o workerOptions, log *slog.Logger) delivery.Waiter {
	if o.rate <= 0 {
		return nil
	}
	return sharedLimit(st, log)("global", o.rate, 1)
}
