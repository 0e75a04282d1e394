package delivery

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"masthead/ledger"
	"masthead/newsletter"
	"masthead/subscribers"
)

// Ledger is what the engine needs from the database (*store.Store implements
// it; the wiring hands it over).
type Ledger interface {
	Issue(ctx context.Context, id int64) (*newsletter.Issue, error)
	Publication(ctx context.Context, id int64) (*newsletter.Publication, error)
	IssueStatus(ctx context.Context, issueID int64) (newsletter.IssueStatus, error)

	StartSend(ctx context.Context, issueID int64, from []newsletter.IssueStatus, transport string) (ledger.StartResult, error)
	SendTransport(ctx context.Context, issueID int64) (string, error)
	PauseSend(ctx context.Context, issueID int64) error
	PauseSendFor(ctx context.Context, issueID int64, reason string) error
	ResumeSend(ctx context.Context, issueID int64) error
	CancelSend(ctx context.Context, issueID int64) error
	DueNow(ctx context.Context, issueID int64) (int, error)

	Claim(ctx context.Context, issueID int64, owner, transport string, n int, lease time.Duration) ([]*ledger.Delivery, error)
	RenewLeases(ctx context.Context, issueID int64, owner string, lease time.Duration) error
	Release(ctx context.Context, owner string, ids []int64) error
	LeaseOwners(ctx context.Context, issueID int64) ([]string, error)
	ExpireLeases(ctx context.Context, issueID int64, owner string) (int, error)
	Record(ctx context.Context, outcomes []ledger.Outcome, policy ledger.BouncePolicy) error
	FinishIfDone(ctx context.Context, issueID int64) (bool, error)
	Counts(ctx context.Context, issueID int64) (ledger.DeliveryCounts, error)
}

// Config tunes the engine. Zero values take the defaults in brackets.
type Config struct {
	Connections int           // workers, each with its own connection [4]
	ClaimBatch  int           // rows claimed per ledger transaction [max(256, 4 × Connections)]
	Lease       time.Duration // how long a claim holds a row; renewed every Lease/3 while working [30s]
	// RecordBatch outcomes are written per transaction, or fewer after
	// RecordEvery [32, 100ms]. With Connections, it bounds the duplicates a
	// crash can cause (see the package documentation).
	RecordBatch int
	RecordEvery time.Duration
	Retry       Backoff       // per-row retry schedule [1m doubling to 1h]
	GiveUpAfter time.Duration // retry a row this long after its first attempt, then fail it as a soft bounce [72h]
	// Bounces is the policy the bounces of recorded outcomes are judged by:
	// the same one as every bounce report's (serve's --soft-bounce-limit).
	Bounces ledger.BouncePolicy
	Breaker Backoff       // whole-send pause on 421 or a dead server [1s doubling to 2m]
	Poll    time.Duration // how often to look again when nothing is due, and at the issue's status [1s]
	// Links, when set, rewrites an issue's links to counted redirects once
	// per issue, when its messages are first composed, and stores the link
	// table before any message goes out (see engagement).
	Links Links
	// Started, when set, is called after a send was started or resumed
	// through this engine (Start, StartFrom, Resume), so that the process's
	// delivery workers take the issue at once rather than at their next
	// poll: serve passes its Workers' Wake. Editors' starts (workspace) and
	// the scheduler's fires go through it alike.
	Started func()
	// OnServerState, when set, is told when the breaker opens (the server
	// cannot be reached or said 421) and when a message gets through again:
	// once per change. It is called from a sending goroutine; keep it short.
	OnServerState func(ServerState)
	// OnPause, when set, is told when the engine pauses a send because the
	// server refuses our mail (see Pause). Called once per pause; keep it short.
	OnPause func(Pause)
	// A 5xx that would fail a row is held back for up to RepeatWindow before
	// it is recorded; the same refusal for RepeatDomains recipient domains
	// or RepeatRecipients recipients meanwhile, with no message accepted in
	// between, pauses the send instead (see repeats) [5s, 5, 20].
	RepeatWindow     time.Duration
	RepeatDomains    int
	RepeatRecipients int

	Rate        float64            // messages per second over all connections; 0: unlimited
	Burst       int                // tokens the global limit may save up [1]
	DomainRates map[string]float64 // messages per second to one recipient domain
	// SharedLimit, when set, makes Rate and DomainRates hold across every
	// process sending from the database rather than per process: it returns
	// the shared limit of that name (see internal/ratelimit).
	SharedLimit func(name string, perSecond float64, burst int) Waiter

	BaseURL string // web edition address; unsubscribe links live under it (a publication's own BaseURL first)
	// PublicLinks refuses to start or test-send an issue whose links would
	// not reach readers: not https on a public host (see CheckPublicLinks).
	// The command line sets it for SMTP unless --allow-local-links.
	PublicLinks bool
	Signer      *subscribers.Signer // signs unsubscribe links
	DKIM        *DKIM               // nil: unsigned (LoadDKIM)
	// FeedbackSender, when set, adds a Feedback-ID (ComposerConfig).
	FeedbackSender string

	// Transport identifies where this engine's messages go ("outbox",
	// "smtp://host:port"); default TransportOf(sender). A send records the
	// transport it is started with, and engines claim only rows of issues
	// started with theirs (or with none), so two processes configured for
	// different servers never send each other's issues. Set it when the
	// sender is wrapped (metrics) and so hides its own.
	Transport string
	// Owner names this process on its leases; default "host/pid/random".
	Owner string
	// ReclaimDead lets Run take over at once the rows held by a lease owner on
	// this host whose process is gone (a crashed earlier run), instead of
	// waiting for their leases to expire.
	ReclaimDead bool
	Now         func() time.Time
}

func (c *Config) defaults() {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.Connections, 4)
	def(&c.ClaimBatch, max(256, 4*c.Connections))
	def(&c.RecordBatch, 32)
	def(&c.RepeatDomains, 5)
	def(&c.RepeatRecipients, 20)
	defDur(&c.RepeatWindow, 5*time.Second)
	defDur(&c.Lease, 30*time.Second)
	defDur(&c.RecordEvery, 100*time.Millisecond)
	defDur(&c.Retry.Base, time.Minute)
	defDur(&c.Retry.Max, time.Hour)
	defDur(&c.GiveUpAfter, DefaultGiveUpAfter)
	defDur(&c.Breaker.Base, time.Second)
	defDur(&c.Breaker.Max, 2*time.Minute)
	defDur(&c.Poll, time.Second)
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Owner == "" {
		c.Owner = newOwner()
	}
}

// DefaultGiveUpAfter is Config.GiveUpAfter's default: a row still failing
// this long after its first attempt fails for good.
const DefaultGiveUpAfter = 72 * time.Hour

// Engine delivers issues: it snapshots audiences, claims rows, sends them over
// reused connections and records every outcome.
type Engine struct {
	ledger Ledger
	sender Sender
	cfg    Config
	owner  string
	log    *slog.Logger
}

// New returns an engine that sends through sender and keeps its ledger in l.
func New(l Ledger, sender Sender, cfg Config, log *slog.Logger) (*Engine, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg.defaults()
	if cfg.Transport == "" {
		cfg.Transport = TransportOf(sender)
	}
	if cfg.Signer == nil {
		return nil, errors.New("delivery: Config.Signer is required")
	}
	if cfg.BaseURL == "" {
		return nil, errors.New("delivery: Config.BaseURL is required")
	}
	return &Engine{ledger: l, sender: sender, cfg: cfg, owner: cfg.Owner, log: log.With("owner", cfg.Owner)}, nil
}

// Owner is the name on this engine's leases.
func (e *Engine) Owner() string { return e.owner }

// Transport is where this engine's messages go (Config.Transport).
func (e *Engine) Transport() string { return e.cfg.Transport }

// Composer prepares an issue for sending (or previewing as a message).
func (e *Engine) Composer(ctx context.Context, issueID int64) (*Composer, error) {
	iss, err := e.ledger.Issue(ctx, issueID)
	if err != nil {
		return nil, fmt.Errorf("issue %d: %w", issueID, err)
	}
	pub, err := e.ledger.Publication(ctx, iss.PublicationID)
	if err != nil {
		return nil, fmt.Errorf("publication of issue %d: %w", issueID, err)
	}
	cc := ComposerConfig{BaseURL: pub.LinkBase(e.cfg.BaseURL), Signer: e.cfg.Signer, DKIM: e.cfg.DKIM, Now: e.cfg.Now, FeedbackSender: e.cfg.FeedbackSender}
	if len(pub.DKIMKeys) > 0 {
		// The publication's own keys, read for each issue's send so that a
		// key changed on disk (rotated) is used from the next issue on.
		if cc.DKIM, err = PublicationDKIM(pub); err != nil {
			return nil, fmt.Errorf("publication %s: %w", pub.Slug, err)
		}
	}
	if e.cfg.Links != nil {
		if iss, err = e.cfg.Links.Prepare(ctx, pub, iss); err != nil {
			return nil, fmt.Errorf("links of issue %d: %w", issueID, err)
		}
		if pub.PerSubscriberFigures {
			cc.RecipientPart = e.cfg.Links.RecipientPart
		}
	}
	return NewComposer(pub, iss, cc)
}

// Links rewrites an issue's links for counting (workspace.Links).
type Links interface {
	// Prepare returns the issue with its links rewritten, once its link
	// table is stored.
	Prepare(ctx context.Context, pub *newsletter.Publication, iss *newsletter.Issue) (*newsletter.Issue, error)
	// RecipientPart is the per-message part of the links of a publication
	// with per-subscriber figures.
	RecipientPart(issueID, subscriberID int64, at time.Time) string
}

func newOwner() string {
	host, _ := os.Hostname()
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}
