// Package workspace is masthead's operations layer: every change the database
// undergoes on a person's behalf goes through it, whichever front end asked.
// The command line (internal/cli), the editor's admin pages (admin), the JSON
// API (api) and the public web edition (web) only parse input, call one of
// its operations and present the result, so the same operation gives the
// same result from each (an article added by the CLI, the admin or the API
// goes last in its section; an editor's "send now" starts the same way
// everywhere and wakes the same workers). It calls the packages in charge
// (store, assembly, newsletter, delivery's engine through Sends, auth for
// accounts, bounces for reports, the confirmation queue) and adds only the
// glue.
//
// The name stayed: it was already what the admin and the API called, and
// "the editor's day of work" now reaches the CLI and, for readers, the web
// edition's forms.
//
// # Who may change the database
//
// The store's methods that write are called only by:
//
//   - workspace: every change made for a person (an editor, an admin, a
//     reader on the web edition, a provider's bounce webhook);
//   - the parts that work on their own, each through an interface it
//     declares for what it needs, which *store.Store implements and the
//     wiring hands over: the delivery engine (delivery.Ledger,
//     delivery.OutboxStore), the scheduler (scheduler.Store), issue assembly
//     (assembly.Store), the bounce mailbox poller (bounces.Store), the
//     confirmation queue (confirm.Store), accounts and sign-in (auth.Store,
//     reached through workspace and web/httpauth), the shared rate limits
//     (internal/ratelimit), the metrics' reads, the click recorder
//     (engagement.Sink, the counted links' tables through workspace.Links),
//     and the feed poller (feeds/poller's Store; an editor's "poll now"
//     reaches it through workspace's PollFeed);
//   - the wiring in internal/cli, which opens the store and hands it to the
//     above, and its whole-database commands (db copy, db backup), the sample
//     publication (internal/sample, through workspace), and `masthead bench`,
//     which builds throwaway databases to measure;
//   - the store's own tests, and tests that set up their fixtures.
//
// Front ends never hold a *store.Store: they read through Reads, which has
// no method that writes, and change through the Service. admin, api and web
// import the store only for its query filters and its errors. Anyone can
// check all of it:
//
//	grep -rn --include=*.go '\*store\.Store' . | grep -v '_test.go:' | grep -v '^./store/' | grep -vE ':[0-9]+:\s*//'
//	    # only workspace/, internal/cli/wire.go and bench/
//	go list -f '{{.ImportPath}}: {{join .Imports " "}}' ./... | grep -w masthead/store
//	    # besides those: admin, api, web (filters, errors), scheduler (its run records), store/storetest
//	go list -deps ./store | grep -x net/http              # nothing: the store knows no HTTP
//	go list -deps ./web | grep -x masthead/delivery       # nothing
//	grep -rn --include=*.go '^func init()' .              # nothing
package workspace

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"masthead/assembly"
	"masthead/auth"
	"masthead/feeds/poller"
	"masthead/ledger"
	"masthead/media"
	"masthead/newsletter"
	"masthead/store"
	"masthead/templates"
)

// Sends is the delivery engine's control of a send (*delivery.Engine has
// it). Its starts and resumes also hand the issue to the delivery workers of
// the process (delivery.Config.Started), so production and tests wake them
// the same way.
type Sends interface {
	Start(ctx context.Context, issueID int64) (ledger.StartResult, error)
	Pause(ctx context.Context, issueID int64) error
	Resume(ctx context.Context, issueID int64) error
	Cancel(ctx context.Context, issueID int64) error
	DueNow(ctx context.Context, issueID int64) (int, error)
	TestSend(ctx context.Context, issueID int64, addr string) error
}

// Confirmations is the process's confirmation queue (subscribers/confirm),
// woken when a reader asks to subscribe so that the email goes out at once.
type Confirmations interface{ Wake() }

// Config is what a Service is made of. Store is required; the rest is
// needed by the operations that use it (ErrUnavailable without).
type Config struct {
	Store *store.Store
	// Sends starts, controls and test-sends issues; nil where nothing is
	// sent (most commands).
	Sends Sends
	// Assembler assembles and themes issues; nil: one over Store and BaseURL.
	Assembler *assembly.Assembler
	// Accounts keeps editors' accounts and API tokens.
	Accounts *auth.Service
	// Confirmations is the process's confirmation queue; nil where none
	// runs (the emails then go out from `masthead serve`, or
	// `masthead subscriber send-confirmations`).
	Confirmations Confirmations
	// Bounces is the policy a provider's reports are applied under (the
	// same as the delivery engine's and the mailbox poller's).
	Bounces ledger.BouncePolicy
	// Feeds polls a publication's feeds when an editor asks (the same
	// Poller serve runs); nil where no command polls.
	Feeds *poller.Poller
	// Pictures judges and renders uploads to the picture library; nil: one
	// with media's default limits.
	Pictures *media.Processor
	// BaseURL is the public address; previews link to it.
	BaseURL string
	Log     *slog.Logger
	Now     func() time.Time
}

// Service performs the operations.
type Service struct {
	st       *store.Store
	sends    Sends
	asm      *assembly.Assembler
	accounts *auth.Service
	confirm  Confirmations
	bounces  ledger.BouncePolicy
	feeds    *poller.Poller
	pictures *media.Processor
	baseURL  string
	log      *slog.Logger
	now      func() time.Time
	counts   *countsCache
}

// New returns a Service.
func New(c Config) (*Service, error) {
	if c.Store == nil {
		return nil, errors.New("workspace: a store is required")
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Pictures == nil {
		c.Pictures = media.New(media.Options{})
	}
	if c.Assembler == nil {
		c.Assembler = assembly.New(c.Store, c.BaseURL)
	}
	return &Service{
		st: c.Store, sends: c.Sends, asm: c.Assembler, accounts: c.Accounts, confirm: c.Confirmations,
		bounces: c.Bounces, feeds: c.Feeds, pictures: c.Pictures, baseURL: strings.TrimSuffix(c.BaseURL, "/"), log: c.Log, now: c.Now,
		counts: &countsCache{count: c.Store.Counts, clock: time.Now},
	}, nil
}

// ErrUnavailable is returned by an operation the Service was made without
// the part for (no Sends, no Accounts).
var ErrUnavailable = errors.New("not available here")

// Reads is the database the front ends read: listings, pages and lookups.
func (s *Service) Reads() Reads { return s.st }

// Assembler is the service's issue assembler (themes, web addresses).
func (s *Service) Assembler() *assembly.Assembler { return s.asm }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// ErrNoPublication is returned when there is no publication yet, or the one
// asked for does not exist.
var ErrNoPublication = errors.New("no such publication (create one with 'masthead publication set')")

// Publication returns the publication with the slug; with an empty slug, the
// first one by slug (most installations have one).
func (s *Service) Publication(ctx context.Context, slug string) (*newsletter.Publication, error) {
	if slug != "" {
		p, err := s.st.PublicationBySlug(ctx, slug)
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("%q: %w", slug, ErrNoPublication)
		}
		return p, err
	}
	list, err := s.st.Publications(ctx)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, ErrNoPublication
	}
	return list[0], nil
}

// Today is the date it is now in p's zone.
func (s *Service) Today(p *newsletter.Publication) newsletter.Date { return p.Today(s.now()) }

// NextFires lists the next n times p's daily schedule fires after now, in
// p's zone; none without a schedule.
func NextFires(p *newsletter.Publication, now time.Time, n int) ([]time.Time, error) {
	if p.Schedule == "" {
		return nil, nil
	}
	sched, err := newsletter.ParseSchedule(p.Schedule, p.TimeZone)
	if err != nil {
		return nil, err
	}
	loc := p.Location()
	var out []time.Time
	t := now
	for range n {
		t = sched.Next(t)
		if t.IsZero() {
			break
		}
		out = append(out, t.In(loc))
	}
	return out, nil
}

// SavePublication validates and stores a publication's settings (ID 0
// creates it). A theme override that does not load is refused now, naming
// its file and line, rather than at send time; so is a local-time delivery
// whose daily release comes after the readers' hour
// (*newsletter.LateRelease, which also reads as a FieldError of local-time).
func (s *Service) SavePublication(ctx context.Context, p *newsletter.Publication) error {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	if late := p.CheckLocalRelease(s.now()); late != nil {
		return late
	}
	if err := templates.CheckSubject(p.SubjectTemplate); err != nil {
		return &newsletter.FieldError{Field: "subject-template", Msg: err.Error()}
	}
	if p.TemplateDir != "" {
		if _, err := s.asm.Theme(p); err != nil {
			return &newsletter.FieldError{Field: "templates", Msg: err.Error()}
		}
	}
	return s.st.SavePublication(ctx, p)
}
