// Package workspace is the editor's day of work as operations, shared by the
// admin UI and the JSON API so that both do exactly the same thing: pick the
// publication, save and arrange articles, assemble and preview an issue as a
// subscriber gets it, schedule, hold, skip, send, pause, resume and cancel it,
// follow its progress, and manage subscribers. It calls the packages in charge
// (store, newsletter, scheduler, delivery, subscribers) and adds only the glue.
package workspace

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"masthead/newsletter"
	"masthead/scheduler"
	"masthead/store"
)

// Sends is the delivery engine's control of a send (*delivery.Engine has it).
// The serve wiring passes one whose Start and Resume also hand the issue to
// the delivery workers of the process.
type Sends interface {
	Start(ctx context.Context, issueID int64) (store.StartResult, error)
	Pause(ctx context.Context, issueID int64) error
	Resume(ctx context.Context, issueID int64) error
	Cancel(ctx context.Context, issueID int64) error
	TestSend(ctx context.Context, issueID int64, addr string) error
}

// Config is what a Service is made of. Store is required.
type Config struct {
	Store *store.Store
	// Sends controls sends; nil for a front end that sends nothing (the
	// command line's subscriber commands): the send operations then fail
	// with ErrNoSends.
	Sends Sends
	// Assembler assembles and themes issues; nil: one over Store and BaseURL.
	Assembler *newsletter.Assembler
	// BaseURL is the public address; previews link to it.
	BaseURL string
	Log     *slog.Logger
	Now     func() time.Time
}

// Service performs the editor's operations.
type Service struct {
	st      *store.Store
	sends   Sends
	asm     *newsletter.Assembler
	sched   *scheduler.Editor
	baseURL string
	log     *slog.Logger
	now     func() time.Time
	counts  *countsCache
}

// New returns a Service.
func New(c Config) (*Service, error) {
	if c.Store == nil {
		return nil, errors.New("workspace: a store is required")
	}
	if c.Sends == nil {
		c.Sends = noSends{}
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Assembler == nil {
		c.Assembler = newsletter.NewAssembler(c.Store, c.BaseURL)
	}
	return &Service{
		st: c.Store, sends: c.Sends, asm: c.Assembler, baseURL: c.BaseURL, log: c.Log, now: c.Now,
		sched:  &scheduler.Editor{Store: c.Store, Assembler: c.Assembler, Now: c.Now},
		counts: &countsCache{count: c.Store.Counts, clock: time.Now},
	}, nil
}

// Store is the database the service works on (read-only listings go to it
// directly).
func (s *Service) Store() *store.Store { return s.st }

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

// SavePublication validates and stores a publication's settings.
func (s *Service) SavePublication(ctx context.Context, p *newsletter.Publication) error {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	return s.st.SavePublication(ctx, p)
}

// ErrNoSends: the Service was made without Sends.
var ErrNoSends = errors.New("this command does not send: use 'masthead issue send' or 'masthead serve'")

// noSends is the Sends of a Service made without one.
type noSends struct{}

func (noSends) Start(context.Context, int64) (store.StartResult, error) {
	return store.StartResult{}, ErrNoSends
}
func (noSends) Pause(context.Context, int64) error            { return ErrNoSends }
func (noSends) Resume(context.Context, int64) error           { return ErrNoSends }
func (noSends) Cancel(context.Context, int64) error           { return ErrNoSends }
func (noSends) TestSend(context.Context, int64, string) error { return ErrNoSends }
