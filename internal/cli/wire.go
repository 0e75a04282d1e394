package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"masthead/admin"
	"masthead/api"
	"masthead/assembly"
	"masthead/auth"
	"masthead/delivery"
	"masthead/engagement"
	"masthead/feeds"
	"masthead/feeds/poller"
	"masthead/internal/ratelimit"
	"masthead/ledger"
	"masthead/metrics"
	"masthead/newsletter"
	"masthead/scheduler"
	"masthead/store"
	"masthead/subscribers"
	"masthead/subscribers/confirm"
	"masthead/web"
	"masthead/web/httpauth"
	"masthead/workspace"
)

// The wiring: the one place of the command line that holds the store and
// builds masthead's parts on it. The commands work through the operations
// layer (workspace) and read through its Reads; see the rule in package
// workspace's comment.

// wiring is what a command has opened: the database.
type wiring struct {
	st *store.Store
	// feeds is the command's feed poller, once made (feedPoller); the
	// command's workspace polls through it.
	feeds *poller.Poller
}

// feedPoller makes the command's feed poller over its database: fetches
// bounded by the feeds package's defaults, private addresses refused unless
// allowPrivate.
func (a *app) feedPoller(ctx context.Context, allowPrivate bool) (*poller.Poller, error) {
	if a.feeds != nil {
		return a.feeds, nil
	}
	st, err := a.store(ctx)
	if err != nil {
		return nil, err
	}
	ua := feeds.DefaultUserAgent
	if strings.HasPrefix(a.cfg.BaseURL, "https://") {
		ua = "masthead (newsletter feed reader; +" + a.cfg.BaseURL + "/)"
	}
	p := poller.New(poller.Config{Store: st, Fetch: feeds.Options{AllowPrivate: allowPrivate, UserAgent: ua},
		Log: a.log.With("component", "feeds"), Now: a.now})
	a.feeds = p
	a.closers = append(a.closers, p.Close)
	return p, nil
}

// store opens the database once per command.
func (a *app) store(ctx context.Context) (*store.Store, error) {
	if a.st != nil {
		return a.st, nil
	}
	if !createsDatabase[a.cmd.name] {
		ok, err := store.Exists(a.cfg.DB)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("no database at %s (a mistyped --db or MASTHEAD_DB, or another directory?): "+
				"'masthead serve' or 'masthead publication set' creates one", a.cfg.DB)
		}
	}
	st, err := store.Open(ctx, a.cfg.DB, a.log)
	if err != nil {
		return nil, err
	}
	if a.cfg.Secret != "" {
		st.SetErasureKey([]byte(a.cfg.Secret)) // erased addresses are hashed with the secret that signs links
	}
	a.st = st
	a.closers = append(a.closers, func() { st.Close() })
	return st, nil
}

// secret is the key that signs links: MASTHEAD_SECRET or the database's own.
func (a *app) secret(ctx context.Context) ([]byte, error) {
	if a.cfg.Secret != "" {
		if len(a.cfg.Secret) < 16 {
			return nil, errors.New("MASTHEAD_SECRET must be at least 16 characters")
		}
		return []byte(a.cfg.Secret), nil
	}
	st, err := a.store(ctx)
	if err != nil {
		return nil, err
	}
	return st.Secret(ctx)
}

// serverAddressKey is the setting where serve records the public address
// it runs on, for the commands run without --base-url (user add's "sign in
// at").
const serverAddressKey = "serve_base_url"

// recordServerAddress is serve noting its public address in the database.
func (a *app) recordServerAddress(ctx context.Context, st *store.Store) error {
	return st.SetSetting(ctx, serverAddressKey, a.cfg.BaseURL)
}

// serverAddress is where editors reach masthead: the address given to this
// command (--base-url, --addr or their variables), else the one the last
// serve of this database ran on, else the default. known is false for the
// default (no serve has run, and nothing was given).
func (a *app) serverAddress(ctx context.Context) (url string, known bool) {
	if a.cfg.AddressGiven {
		return a.cfg.BaseURL, true
	}
	if st, err := a.store(ctx); err == nil {
		if v, err := st.Setting(ctx, serverAddressKey); err == nil && v != "" {
			return v, true
		}
	}
	return a.cfg.BaseURL, false
}

// workspace is the operations layer over the command's database: every change
// a command makes for its user goes through it. sends starts, controls and
// test-sends issues (the command's delivery engine); nil for the commands
// that send nothing.
func (a *app) workspace(ctx context.Context, sends workspace.Sends) (*workspace.Service, error) {
	st, err := a.store(ctx)
	if err != nil {
		return nil, err
	}
	return workspace.New(workspace.Config{Store: st, Sends: sends, Assembler: assembly.New(st, a.cfg.BaseURL),
		Accounts: auth.New(st, auth.Options{Log: a.log}), Feeds: a.feeds, BaseURL: a.cfg.BaseURL, Log: a.log, Now: a.now})
}

// reads is what the commands read the database through.
func (a *app) reads(ctx context.Context) (workspace.Reads, error) {
	st, err := a.store(ctx)
	if err != nil {
		return nil, err
	}
	return st, nil
}

// read is the command's database for reading, once opened (a.store or
// a.reads ran before).
func (a *app) read() workspace.Reads { return a.st }

// sender is where messages go: the SMTP server of --smtp, or the built-in
// outbox. via describes it for logs (without a password).
func (a *app) sender(ctx context.Context) (delivery.Sender, string, error) {
	if a.cfg.SMTP == "" {
		st, err := a.store(ctx)
		if err != nil {
			return nil, "", err
		}
		return delivery.NewOutbox(st), "outbox", nil
	}
	cfg, err := delivery.ParseSMTPURL(a.cfg.SMTP)
	if err != nil {
		return nil, "", usageErr("--smtp: %v", err)
	}
	return delivery.NewSMTP(cfg, a.log.With("component", "smtp")), cfg.String(), nil
}

// engineSpec is what the engines of serve, worker, issue send and issue test
// are made of; each command fills what applies to it.
type engineSpec struct {
	workerOptions
	pub      *newsletter.Publication    // the default DKIM domain is its From's (issue send, issue test)
	onServer func(delivery.ServerState) // told when the server goes down and comes back
	started  func()                     // serve: its workers' Wake
	// wrap, when set, wraps the sender (serve: the metrics' counting one).
	wrap func(delivery.Sender) delivery.Sender
	log  *slog.Logger
}

// engine builds a delivery engine; via describes where its mail goes.
func (a *app) engine(ctx context.Context, s engineSpec) (*delivery.Engine, string, error) {
	m, err := a.mail(ctx)
	if err != nil {
		return nil, "", err
	}
	st, sender := m.st, m.sender
	dkim, err := s.dkim.load(s.pub)
	if err != nil {
		return nil, "", err
	}
	transport := delivery.TransportOf(sender)
	if s.wrap != nil {
		sender = s.wrap(sender) // which hides the sender's own transport
	}
	if s.log == nil {
		s.log = a.log
	}
	eng, err := delivery.New(st, sender, delivery.Config{
		DKIM: dkim, FeedbackSender: s.dkim.feedbackSender(), Transport: transport, Connections: s.connections, ClaimBatch: s.claimBatch, Lease: s.lease,
		Poll: s.poll, Rate: s.rate, DomainRates: s.domainRates, SharedLimit: sharedLimit(st, a.log),
		Bounces: s.bounces(), BaseURL: a.cfg.BaseURL, Signer: m.signer, ReclaimDead: true,
		PublicLinks:   a.cfg.SMTP != "" && !a.cfg.AllowLocalLinks,
		OnServerState: s.onServer, Started: s.started, Links: workspace.NewLinks(st, m.secret, a.cfg.BaseURL),
	}, s.log)
	return eng, m.via, err
}

// mailParts are what every part that sends mail is made of.
type mailParts struct {
	st     *store.Store
	signer *subscribers.Signer // signs the links in the messages
	secret []byte              // the server secret, which the counted links are signed with
	sender delivery.Sender
	via    string // where the mail goes, for people (no password)
}

// mail opens the database, the signing key and the sender of the command.
func (a *app) mail(ctx context.Context) (*mailParts, error) {
	st, err := a.store(ctx)
	if err != nil {
		return nil, err
	}
	secret, err := a.secret(ctx)
	if err != nil {
		return nil, err
	}
	sender, via, err := a.sender(ctx)
	if err != nil {
		return nil, err
	}
	return &mailParts{st: st, signer: subscribers.NewSigner(secret), secret: secret, sender: sender, via: via}, nil
}

// sharedLimit makes delivery's rate limits hold across every process of the
// database.
func sharedLimit(st *store.Store, log *slog.Logger) func(string, float64, int) delivery.Waiter {
	return func(name string, perSecond float64, burst int) delivery.Waiter {
		l, err := ratelimit.New(st, name, perSecond, burst)
		if err != nil {
			// Rates are checked when flags are parsed; this is a bug, and
			// sending unlimited would break a promise: refuse every send.
			log.Error("bad rate limit", "limit", name, "err", err)
			return refuse{err}
		}
		return l
	}
}

type refuse struct{ err error }

func (r refuse) Wait(context.Context) error { return r.err }

// confirmations is the confirmation queue over the command's mail settings,
// paced by the global rate when there is one (shared with the issues'
// messages across every process).
func (a *app) confirmations(ctx context.Context, o workerOptions, asm *assembly.Assembler) (*confirm.Queue, string, error) {
	m, err := a.mail(ctx)
	if err != nil {
		return nil, "", err
	}
	cfg := confirm.Config{Store: m.st, Mailer: delivery.NewMailer(m.sender), Assembler: asm, Signer: m.signer,
		BaseURL: a.cfg.BaseURL, Log: a.log.With("component", "confirmations"), Now: a.now}
	if o.rate > 0 {
		cfg.Limit = sharedLimit(m.st, a.log)("global", o.rate, 1)
	}
	q, err := confirm.New(cfg)
	return q, m.via, err
}

// serveParts are what `masthead serve` runs, wired together.
type serveParts struct {
	handler http.Handler // the web server with the admin, the API and /metrics mounted
	web     *web.Server  // for its hardened http.Server settings
	sched   *scheduler.Scheduler
	workers *scheduler.Workers
	confirm *confirm.Queue
	feeds   *poller.Poller
	work    *workspace.Service
	via     string // where mail goes, for logs: "outbox" or the SMTP URL without password
	// recorder counts the clicks of the redirect in batches (under serve's
	// context); ageOut deletes per-subscriber rows past their retention.
	recorder *engagement.Recorder
	ageOut   func(ctx context.Context, now time.Time) (int64, error)
}

// clicks builds the redirect of counted links and the recorder behind it:
// the link tables through a cache, the counts written in batches to the
// database and counted by the metrics.
func (a *app) clicks(st *store.Store, m *metrics.Metrics, secret []byte, log *slog.Logger) (*engagement.Recorder, *engagement.Redirector) {
	name := func(ctx context.Context, id int64) (string, error) {
		p, err := st.Publication(ctx, id)
		if err != nil {
			return "", err
		}
		return p.Slug, nil
	}
	sink := m.WrapSink(engagement.SinkFunc(st.WriteEngagement), name)
	rec := engagement.NewRecorder(sink, engagement.RecorderOptions{Logger: log.With("component", "engagement")})
	signer := workspace.NewLinks(st, secret, a.cfg.BaseURL).Signer()
	return rec, engagement.NewRedirector(signer, engagement.NewCache(st, 256, 30*time.Second), rec)
}

// webOptions are serve's choices for the web server.
type webOptions struct {
	// trustProxy: the web server and the login limits take each client's
	// address from X-Forwarded-For (see httpauth.ClientIP).
	trustProxy bool
	// publicMetrics: /metrics answers without credentials (for a scraper
	// that can send none, on a network where only it reaches masthead).
	publicMetrics bool
	// feedsAllowPrivate: feeds may be fetched from loopback and private
	// addresses.
	feedsAllowPrivate bool
}

// serveParts builds the delivery engine (its sender counted by the metrics,
// its starts waking the workers), the workers and the scheduler that starts
// sends through it, the confirmation queue, the operations layer over all of
// them, and the web server with the editor's admin pages and API on it.
func (a *app) serveParts(ctx context.Context, st *store.Store, o workerOptions, catchUp time.Duration, wo webOptions) (*serveParts, error) {
	log := a.log
	feedPoller, err := a.feedPoller(ctx, wo.feedsAllowPrivate)
	if err != nil {
		return nil, err
	}
	secret, err := a.secret(ctx)
	if err != nil {
		return nil, err
	}
	asm := assembly.New(st, a.cfg.BaseURL)
	m := metrics.New(metrics.Options{DB: st, Log: log.With("component", "metrics")})
	workers := &scheduler.Workers{Store: st, Log: log.With("component", "delivery"), Poll: o.poll}
	engine, via, err := a.engine(ctx, engineSpec{workerOptions: o, started: workers.Wake, log: log.With("component", "delivery"),
		wrap: func(s delivery.Sender) delivery.Sender { return m.WrapSender(s, metrics.IssuePublicationOf(st)) }})
	if err != nil {
		return nil, err
	}
	workers.Transport = engine.Transport()
	workers.Runner = scheduler.RunnerFunc(func(ctx context.Context, id int64) error {
		sum, err := engine.Run(ctx, id)
		if err == nil {
			log.Info("delivery run ended", "component", "delivery", "issue", id, "status", sum.Status,
				"sent_here", sum.Sent, "failed_here", sum.Failed, "retried_here", sum.Retried,
				"pending", sum.Counts.Pending(), "elapsed", sum.Elapsed.Round(time.Millisecond).String())
		}
		return err
	})
	sched := scheduler.New(scheduler.Config{Store: st, Assembler: asm, Starter: engine, Log: log, CatchUp: catchUp,
		Reload: 30 * time.Second, LeaseTTL: o.leaderLease})
	queue, _, err := a.confirmations(ctx, o, asm)
	if err != nil {
		return nil, err
	}
	accounts := auth.New(st, auth.Options{Log: log.With("component", "auth")})
	work, err := workspace.New(workspace.Config{Store: st, Sends: engine, Assembler: asm, Accounts: accounts,
		Confirmations: queue, Bounces: o.bounces(), Feeds: feedPoller, BaseURL: a.cfg.BaseURL, Log: log.With("component", "workspace"), Now: a.now})
	if err != nil {
		return nil, err
	}
	secure := strings.HasPrefix(a.cfg.BaseURL, "https://")
	sessions := httpauth.New(accounts, httpauth.Options{Secure: secure, TrustProxy: wo.trustProxy})
	adm, err := admin.New(admin.Deps{Work: work, Auth: sessions, Log: log.With("component", "admin"), Secure: secure,
		BaseURL: a.cfg.BaseURL})
	if err != nil {
		return nil, err
	}
	apiH := api.New(api.Deps{Work: work, Auth: sessions, Log: log.With("component", "api")})
	metricsH := apiH.Guard(auth.Editor, m.Handler()) // a scraper sends an API token
	if wo.publicMetrics {
		metricsH = m.Handler()
	}
	recorder, redirects := a.clicks(st, m, secret, log)
	srv, err := web.New(web.Deps{Work: work, Log: log.With("component", "web"), BaseURL: a.cfg.BaseURL,
		Signer: subscribers.NewSigner(secret), ConfirmTTL: queue.TTL(),
		WebhookSecret: web.WebhookSecret(a.env.Getenv("MASTHEAD_WEBHOOK_SECRET"), secret),
		TrustProxy:    wo.trustProxy,
		Admin:         adm,
		API:           apiH,
		Metrics:       metricsH,
		Redirects:     redirects})
	if err != nil {
		return nil, err
	}
	return &serveParts{handler: m.Instrument(srv), web: srv, sched: sched, workers: workers, confirm: queue, feeds: feedPoller, work: work, via: via,
		recorder: recorder, ageOut: st.AgeOutReaders}, nil
}

// bounces is the bounce policy of the command's --soft-bounce-limit.
func (o workerOptions) bounces() ledger.BouncePolicy {
	return ledger.BouncePolicy{SoftLimit: o.softBounceLimit}
}
