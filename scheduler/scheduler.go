// Package scheduler is in charge of when issues go out: each publication's
// daily cron schedule (in the publication's own time zone), editors' one-off
// send times, runs missed while masthead was down (caught up within a window,
// otherwise marked missed for an editor), and empty days (the notice or the
// held placeholder, from package assembly). It decides and starts sends
// through a Starter (the delivery engine), and its Workers keep a delivery run
// going for every sending issue; it reaches the database through the Store
// and WorkerStore interfaces it declares. What an editor does to one issue's
// schedule (hold, release, skip, a one-off time) is an operation of package
// workspace.
//
// Exactly one issue per publication and date does not depend on timing: the
// database keeps one issue row per (publication, date), one schedule run per
// (publication, date), and starting a send is a conditional status change, so
// two fires, two processes or a restart at the wrong moment still make one
// issue and one send. A leader lease keeps the work on one process at a time.
package scheduler

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"masthead/assembly"
	"masthead/newsletter"
)

// Config is what a Scheduler needs. Store, Assembler and Starter are required.
type Config struct {
	Store     Store
	Assembler *assembly.Assembler
	Log       *slog.Logger
	// Starter starts sends: the delivery engine, whose starts also wake this
	// process's delivery workers.
	Starter Starter
	// Now is the clock; default time.Now. Tests pass a fake one and call Tick.
	Now func() time.Time
	// Owner names this scheduler in leases and run records; default host:pid:random.
	Owner string
	// CatchUp is how late a missed fire (or one-off) may still be sent after a
	// downtime; later ones are marked missed. Default 3h.
	CatchUp time.Duration
	// Interval is how often Run ticks; default 1s (the precision of sends).
	Interval time.Duration
	// Reload is how often publications (and so schedules) are read again; 0 is
	// every tick. Changing a schedule takes effect within it, without a restart.
	Reload time.Duration
	// LeaseTTL is how long the leader lease lasts without renewal (a dead
	// leader is replaced after it); default 30s.
	LeaseTTL time.Duration
	// NoLease makes every scheduler act on every tick, leader or not; the
	// database's rules alone then keep one issue and one send per date.
	NoLease bool
}

// leaseName is the leader lease of the schedulers of one database.
const leaseName = "scheduler"

// Scheduler fires schedules. Use New; Run it, or call Tick with a fake clock.
type Scheduler struct {
	cfg Config
	st  Store
	asm *assembly.Assembler
	log *slog.Logger

	mu       sync.Mutex // serialises ticks
	pubs     []*publication
	loadedAt time.Time
	leader   bool
	renewed  time.Time // last successful lease renewal
	tried    time.Time // last attempt to take the lease
	// handled is the last fire (its wall-clock reading) acted on, or seen
	// handled by another, per publication, so that a tick needs the database
	// only when a new fire came.
	handled map[int64]time.Time
	// retryAt holds back a publication whose last fire failed, retryIssue a
	// one-off whose start failed.
	retryAt    map[int64]time.Time
	retryIssue map[int64]time.Time
}

// publication is a publication with its parsed schedule.
type publication struct {
	*newsletter.Publication
	sched *wallSchedule // nil: no daily schedule
	loc   *time.Location
	// since is when the schedule came into force: fires before it are not
	// missed runs (the publication's creation, or when this process saw the
	// schedule change).
	since time.Time
	// quietFrom..quietUntil is a stretch with no fire to act on (the last
	// one is handled, the next is at quietUntil), so ticks in it skip the
	// schedule search.
	quietFrom, quietUntil time.Time
}

// New returns a Scheduler with cfg's defaults filled in.
func New(cfg Config) *Scheduler {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Owner == "" {
		cfg.Owner = DefaultOwner()
	}
	if cfg.CatchUp <= 0 {
		cfg.CatchUp = 3 * time.Hour
	}
	if cfg.Interval <= 0 {
		cfg.Interval = time.Second
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = 30 * time.Second
	}
	return &Scheduler{cfg: cfg, st: cfg.Store, asm: cfg.Assembler, log: cfg.Log.With("component", "scheduler"),
		handled: map[int64]time.Time{}, retryAt: map[int64]time.Time{}, retryIssue: map[int64]time.Time{}}
}

// DefaultOwner is a name unique to this process: host, pid and a random part.
func DefaultOwner() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	rand.Read(b)
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b))
}

// Owner is the name this scheduler uses in leases and run records.
func (s *Scheduler) Owner() string { return s.cfg.Owner }

// Run ticks every Interval until ctx is done, then gives up the leader lease.
func (s *Scheduler) Run(ctx context.Context) error {
	s.log.Info("scheduler started", "owner", s.cfg.Owner, "catch_up", s.cfg.CatchUp.String())
	t := time.NewTicker(s.cfg.Interval)
	defer t.Stop()
	for {
		if err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("scheduler tick failed", "err", err)
		}
		select {
		case <-ctx.Done():
			s.resign()
			s.log.Info("scheduler stopped")
			return nil
		case <-t.C:
		}
	}
}

// resign gives up the leader lease so that another process takes over at once.
func (s *Scheduler) resign() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.leader || s.cfg.NoLease {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.st.ReleaseLease(ctx, leaseName, s.cfg.Owner); err != nil {
		s.log.Warn("could not release the scheduler lease", "err", err)
	}
	s.leader = false
}

// Tick does what is due at the clock's now: as leader, each publication's
// daily fire and each due one-off send. It is safe to call from several
// goroutines or processes at once.
func (s *Scheduler) Tick(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	if ok, err := s.lead(ctx, now); err != nil || !ok {
		return err
	}
	if err := s.load(ctx, now); err != nil {
		return err
	}
	for _, p := range s.pubs {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.daily(ctx, p, now)
	}
	return s.oneOffs(ctx, now)
}

// lead takes or renews the leader lease; it reports whether this scheduler
// should act now.
func (s *Scheduler) lead(ctx context.Context, now time.Time) (bool, error) {
	if s.cfg.NoLease {
		return true, nil
	}
	if s.leader && now.Sub(s.renewed) < s.cfg.LeaseTTL/3 && !now.Before(s.renewed) {
		return true, nil
	}
	if !s.leader && now.Sub(s.tried) < s.cfg.LeaseTTL/3 && !now.Before(s.tried) {
		return false, nil
	}
	s.tried = now
	ok, err := s.st.AcquireLease(ctx, leaseName, s.cfg.Owner, s.cfg.LeaseTTL)
	if err != nil {
		return false, err
	}
	if ok != s.leader {
		if ok {
			s.log.Info("this process now fires the schedules", "owner", s.cfg.Owner)
		} else {
			s.log.Warn("another process took over the schedules", "owner", s.cfg.Owner)
		}
	}
	s.leader = ok
	if ok {
		s.renewed = now
	}
	return ok, nil
}

// load reads the publications and parses their schedules when Reload has
// passed since the last read.
func (s *Scheduler) load(ctx context.Context, now time.Time) error {
	if s.pubs != nil && s.cfg.Reload > 0 && now.Sub(s.loadedAt) < s.cfg.Reload && !now.Before(s.loadedAt) {
		return nil
	}
	list, err := s.st.Publications(ctx)
	if err != nil {
		return fmt.Errorf("load publications: %w", err)
	}
	old := map[int64]*publication{}
	for _, p := range s.pubs {
		old[p.ID] = p
	}
	pubs := make([]*publication, 0, len(list))
	for _, p := range list {
		sp := &publication{Publication: p, loc: p.Location(), since: p.CreatedAt}
		if p.Schedule != "" {
			sched, err := parseWall(p.Schedule, p.TimeZone)
			if err != nil {
				s.log.Error("publication has an invalid schedule; no daily send", "publication", p.Slug,
					"schedule", p.Schedule, "err", err)
			} else {
				sp.sched = sched
			}
		}
		o := old[p.ID]
		switch {
		case o == nil:
			s.logNext(sp, now, "publication loaded")
		case o.Schedule != p.Schedule || o.TimeZone != p.TimeZone:
			sp.since = now
			delete(s.handled, p.ID)
			s.logNext(sp, now, "schedule changed")
		default:
			sp.since = o.since
		}
		pubs = append(pubs, sp)
	}
	s.pubs, s.loadedAt = pubs, now
	return nil
}

// logNext says when p's next daily fire is.
func (s *Scheduler) logNext(p *publication, now time.Time, msg string) {
	if p.sched == nil {
		s.log.Info(msg, "publication", p.Slug, "schedule", "none")
		return
	}
	s.log.Info(msg, "publication", p.Slug, "schedule", p.Schedule, "zone", p.sched.loc.String(),
		"next_fire", p.sched.next(now).In(p.sched.loc).Format(time.RFC3339))
}
