// Package confirm sends the double opt-in emails: the confirmation queue.
// Every pending subscription whose confirmation email has not gone out is in
// the store's queue, whoever made it (the subscribe form, an editor, a CSV
// import, the API). `masthead serve` runs Queue.Run, which sends at once when
// woken (the subscribe form wakes it through workspace) and every Poll for the
// rest; `masthead subscriber send-confirmations` runs Queue.SendAll once.
// The same queue sends the welcome email of a publication that has one
// after a subscription is confirmed (welcome.go).
//
// Each subscriber gets one email with a link per pending publication, sent
// through a Mailer (delivery.Mailer: the SMTP server, or the built-in outbox)
// and marked sent in the database as soon as the server accepted it. A crash
// between the two sends that one email again once its claim runs out: at most
// one duplicate per crashed sender. An address the server refuses for good
// (a 5xx) is not tried again; any other failure leaves the rest queued.
package confirm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/wneessen/go-mail"

	"masthead/assembly"
	"masthead/newsletter"
	"masthead/subscribers"
)

const (
	batch      = 50              // subscribers claimed per transaction
	claimLease = 5 * time.Minute // a claim's hold; a crashed sender's claims come back after it
	later      = 10 * time.Minute
)

// Store is what the queue needs from the database (*store.Store implements
// it; the wiring hands it over).
type Store interface {
	ClaimConfirmations(ctx context.Context, n int, lease time.Duration) ([]*subscribers.DueConfirmation, error)
	ConfirmationSent(ctx context.Context, c *subscribers.DueConfirmation) error
	RetryConfirmation(ctx context.Context, c *subscribers.DueConfirmation, at time.Time) error
	ClaimWelcomes(ctx context.Context, n int, lease time.Duration) ([]*subscribers.DueWelcome, error)
	WelcomeSent(ctx context.Context, w *subscribers.DueWelcome) error
	RetryWelcome(ctx context.Context, w *subscribers.DueWelcome, at time.Time) error
	Publication(ctx context.Context, id int64) (*newsletter.Publication, error)
}

// Mailer sends the confirmation emails, which go through no issue's ledger.
// delivery.Mailer (over the SMTP server, or the outbox) is one.
type Mailer interface {
	// Session opens one connection for a batch: send sends one message over
	// it, close ends it. A refusal the server gave for good is an error with
	// a method Permanent() bool that says so.
	Session(ctx context.Context) (send func(context.Context, *mail.Msg) error, close func() error, err error)
}

// Config is what a Queue is made of. Store, Mailer, Assembler, Signer and
// BaseURL are required.
type Config struct {
	Store     Store
	Mailer    Mailer
	Assembler *assembly.Assembler // the themes the email's HTML part is rendered with
	Signer    *subscribers.Signer // signs the confirm links
	// BaseURL is the public address of the web edition, where the links go.
	BaseURL string
	// SiteName names the web edition in an email about several publications
	// (as web.Deps.SiteName does on its pages); empty: their names.
	SiteName string
	// TTL is how long a link works; 0: 7 days.
	TTL time.Duration
	// Limit paces the emails (serve gives the delivery engine's global rate,
	// shared by every process); nil: unpaced.
	Limit interface {
		Wait(ctx context.Context) error
	}
	// Poll is how often Run looks for confirmations queued elsewhere
	// (editors, imports, the API, other processes); 0: 2s.
	Poll time.Duration
	Log  *slog.Logger
	Now  func() time.Time
}

// Report is what SendAll did.
type Report struct {
	Sent     int // confirmation emails accepted by the server (or the outbox)
	Welcomes int // welcome emails accepted
	Refused  int // refused for good (5xx): not tried again
	Deferred int // left for later (the message could not be built)
}

// Queue sends the confirmation queue. It is safe for concurrent use.
type Queue struct {
	cfg  Config
	wake chan struct{}
}

// DefaultTTL is how long a confirmation link works by default.
const DefaultTTL = 7 * 24 * time.Hour

// New checks cfg and the theme's confirmation email, and returns a Queue.
func New(cfg Config) (*Queue, error) {
	if cfg.Store == nil || cfg.Mailer == nil || cfg.Assembler == nil || cfg.Signer == nil || cfg.BaseURL == "" {
		return nil, errors.New("confirm: a store, a mailer, an assembler, a signer and a base URL are required")
	}
	if cfg.TTL <= 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 2 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	theme, err := cfg.Assembler.Theme(&newsletter.Publication{})
	if err != nil {
		return nil, fmt.Errorf("confirm: %w", err)
	}
	if err := checkPage(theme); err != nil {
		return nil, fmt.Errorf("confirm: %w", err)
	}
	if err := checkWelcome(theme); err != nil {
		return nil, fmt.Errorf("confirm: %w", err)
	}
	return &Queue{cfg: cfg, wake: make(chan struct{}, 1)}, nil
}

// TTL is how long the links of the queue's emails work.
func (q *Queue) TTL() time.Duration { return q.cfg.TTL }

// SendAll sends every due confirmation email, a batch at a time, one email
// per subscriber with a link per pending publication, each marked sent in
// the database as soon as the server accepted it; then the due welcome
// emails (welcome.go) the same way. It stops at the first
// failure that is not the recipient's (the server cannot be reached, ...)
// and returns it; the rest stay queued.
func (q *Queue) SendAll(ctx context.Context) (Report, error) {
	var rep Report
	for ctx.Err() == nil {
		n, err := q.sendBatch(ctx, &rep)
		if err != nil {
			return rep, err
		}
		if n == 0 {
			break
		}
	}
	for ctx.Err() == nil {
		n, err := q.sendWelcomes(ctx, &rep)
		if err != nil || n == 0 {
			return rep, err
		}
	}
	return rep, ctx.Err()
}

// Run sends due confirmation emails until ctx is done: at once when woken
// (Wake), and every Poll for those queued elsewhere. After a failure it
// waits, twice as long each time up to 5 minutes, before trying again.
func (q *Queue) Run(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	backoff := time.Duration(0)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-q.wake:
			if backoff > 0 {
				continue // the timer ends the pause
			}
		}
		rep, err := q.SendAll(ctx)
		if ctx.Err() != nil {
			return
		}
		next := q.cfg.Poll
		if err != nil {
			backoff = min(max(2*backoff, q.cfg.Poll), 5*time.Minute)
			next = backoff
			q.cfg.Log.Warn("confirmation emails: sending failed; the rest stay queued", "err", err,
				"sent", rep.Sent, "retry_in", next.String())
		} else {
			backoff = 0
		}
		t.Reset(next)
	}
}

// Wake makes Run look at the queue now: someone just asked to subscribe.
func (q *Queue) Wake() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// sendBatch claims and sends one batch; it returns how many it claimed.
func (q *Queue) sendBatch(ctx context.Context, rep *Report) (int, error) {
	st, log, now := q.cfg.Store, q.cfg.Log, q.cfg.Now
	claimed, err := st.ClaimConfirmations(ctx, batch, claimLease)
	if err != nil || len(claimed) == 0 {
		return 0, err
	}
	// Marks are written even if ctx ends meanwhile: an email that went out
	// and is not marked is sent again.
	work := context.WithoutCancel(ctx)
	giveBack := func(rest []*subscribers.DueConfirmation, at time.Time) {
		for _, c := range rest {
			if err := st.RetryConfirmation(work, c, at); err != nil {
				log.Warn("confirmation emails: give back failed; it comes back when its claim runs out",
					"subscriber", c.SubscriberID, "err", err)
			}
		}
	}
	send, closeConn, err := q.cfg.Mailer.Session(ctx)
	if err != nil {
		giveBack(claimed, now())
		return 0, err
	}
	defer closeConn()
	pubs := map[int64]*newsletter.Publication{}
	start := time.Now()
	for i, c := range claimed {
		if ctx.Err() != nil || time.Since(start) > claimLease/2 {
			giveBack(claimed[i:], now()) // before the claims run out
			return len(claimed), ctx.Err()
		}
		if q.cfg.Limit != nil {
			if err := q.cfg.Limit.Wait(ctx); err != nil {
				giveBack(claimed[i:], now())
				return len(claimed), err
			}
		}
		msg, err := q.messageFor(ctx, c, pubs)
		if err != nil {
			log.Error("confirmation email not built; tried again later", "subscriber", c.SubscriberID, "err", err)
			giveBack(claimed[i:i+1], now().Add(later))
			rep.Deferred++
			continue
		}
		err = send(ctx, msg)
		switch {
		case err == nil:
			rep.Sent++
			log.Info("confirmation sent", "subscriber", c.SubscriberID, "publications", len(c.PublicationIDs))
		case permanent(err):
			rep.Refused++
			log.Warn("confirmation email refused; not tried again", "subscriber", c.SubscriberID, "err", err)
		default:
			giveBack(claimed[i:], now())
			return len(claimed), fmt.Errorf("send confirmation to subscriber %d: %w", c.SubscriberID, err)
		}
		if err := st.ConfirmationSent(work, c); err != nil {
			// Its claim runs out and it is sent once more: the one duplicate.
			return len(claimed), err
		}
	}
	return len(claimed), nil
}

// permanent reports whether err is a refusal the server gave for good.
func permanent(err error) bool {
	var p interface{ Permanent() bool }
	return errors.As(err, &p) && p.Permanent()
}

// messageFor builds c's email; pubs caches publications across a batch.
func (q *Queue) messageFor(ctx context.Context, c *subscribers.DueConfirmation, pubs map[int64]*newsletter.Publication) (*mail.Msg, error) {
	var list []*newsletter.Publication
	for _, id := range c.PublicationIDs {
		p := pubs[id]
		if p == nil {
			var err error
			if p, err = q.cfg.Store.Publication(ctx, id); err != nil {
				return nil, err
			}
			pubs[id] = p
		}
		list = append(list, p)
	}
	return q.message(&subscribers.Subscriber{ID: c.SubscriberID, Email: c.Email, Name: c.Name}, list)
}
