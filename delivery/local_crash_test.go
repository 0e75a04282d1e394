package delivery_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"masthead/delivery"
	"masthead/internal/smtptest"
	"masthead/newsletter"
	"masthead/scheduler"
	"masthead/store"
	"masthead/subscribers"
)

// The local crash tests' sending process: this test binary run again with
// these variables set, executing only TestLocalCrashChild. Its clock is the
// time written in the clock file, which the parent moves.
const (
	envLocalCrashDB    = "MASTHEAD_LOCAL_CRASH_DB"
	envLocalCrashSMTP  = "MASTHEAD_LOCAL_CRASH_SMTP"
	envLocalCrashClock = "MASTHEAD_LOCAL_CRASH_CLOCK"
)

// fileClock is a clock shared with another process: the time written in a
// file (RFC 3339), which writeClock replaces whole.
type fileClock struct {
	path string
	mu   sync.Mutex
	last time.Time
}

func (c *fileClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if b, err := os.ReadFile(c.path); err == nil {
		if t, err := time.Parse(time.RFC3339Nano, string(b)); err == nil {
			c.last = t
		}
	}
	return c.last
}

// writeClock sets the shared clock: the file is replaced by a rename, so a
// reader sees the old time or the new one.
func writeClock(t testing.TB, path string, now time.Time) {
	t.Helper()
	tmp := path + ".new"
	if err := os.WriteFile(tmp, []byte(now.UTC().Format(time.RFC3339Nano)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// crashConnsPerKill is what one kill may duplicate: for each issue the
// child was sending, its Connections and RecordBatch (crash_test.go).
const crashConnsPerKill = crashConns + crashBatch

// crashRun is a local-time send from a child process (TestLocalCrashChild:
// serve's delivery workers) that reads the test's stepped clock from a file,
// killed with SIGKILL at chosen moments and started again.
type crashRun struct {
	t         *testing.T
	f         *localFixture
	clock     *fakeClock
	clockFile string
	srv       *smtptest.Server
	starter   *delivery.Engine // the parent's, which releases issues
	env       []string
	cur       *crashChild
	kills     int
	bound     int // the duplicates the kills so far may have made
	rng       *rand.Rand
	issues    []int64
}

type crashChild struct {
	cmd    *exec.Cmd
	out    *bytes.Buffer
	exited chan error
}

func newCrashRun(t *testing.T, perZone int, start time.Time) *crashRun {
	r := &crashRun{t: t, f: newLocalFixture(t, perZone), clock: &fakeClock{t: start},
		clockFile: filepath.Join(t.TempDir(), "clock"), rng: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 18))}
	r.f.st.SetClock(r.clock.Now)
	writeClock(t, r.clockFile, start)
	r.srv = startServer(t, smtptest.Options{Clock: r.clock.Now})
	cfg := r.f.fastConfig(crashConns)
	cfg.Now = r.clock.Now
	r.starter = r.f.engine(t, smtpTo(t, r.srv, 5*time.Second), cfg)
	r.env = append(os.Environ(), envLocalCrashDB+"="+r.f.path, envLocalCrashSMTP+"="+r.srv.Addr, envLocalCrashClock+"="+r.clockFile)
	t.Cleanup(func() {
		if r.cur != nil {
			r.cur.cmd.Process.Kill()
		}
	})
	return r
}

// release assembles the issue of date d and starts its send at the clock's
// time; the child's workers find it at their next look.
func (r *crashRun) release(d newsletter.Date) *newsletter.Issue {
	r.t.Helper()
	iss := r.f.assemble(r.t, d, 0)
	if _, err := r.starter.Start(context.Background(), iss.ID); err != nil {
		r.t.Fatal(err)
	}
	r.issues = append(r.issues, iss.ID)
	if r.cur == nil {
		r.start()
	}
	return iss
}

func (r *crashRun) start() {
	c := &crashChild{cmd: exec.Command(os.Args[0], "-test.run=^TestLocalCrashChild$", "-test.count=1"), out: &bytes.Buffer{}, exited: make(chan error, 1)}
	c.cmd.Env, c.cmd.Stdout, c.cmd.Stderr = r.env, c.out, c.out
	if err := c.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	go func() { c.exited <- c.cmd.Wait() }()
	r.cur = c
}

// kill kills the child with SIGKILL and starts another.
func (r *crashRun) kill(why string) {
	t := r.t
	select {
	case err := <-r.cur.exited:
		if err != nil {
			t.Fatalf("child exited before it was killed (%v):\n%s", err, r.cur.out)
		}
		r.start() // it had just sent the last copy and stopped
		return
	default:
	}
	sending := 0 // issues the child may have had messages in flight for
	for _, id := range r.issues {
		if st, err := r.f.st.IssueStatus(context.Background(), id); err != nil {
			t.Fatal(err)
		} else if st == newsletter.Sending {
			sending++
		}
	}
	r.cur.cmd.Process.Kill()
	<-r.cur.exited // reaped: its pid is no longer alive for ReclaimDead
	r.kills++
	r.bound += max(1, sending) * crashConnsPerKill
	t.Logf("kill %d at %s %s (%d messages in all)", r.kills, r.clock.Now().UTC().Format(time.DateTime), why, r.srv.Count())
	r.start()
}

// steps moves the clock from its time to end as stepClock does, running
// the events at their times. At each stop where copies are due it kills
// the child mid-send twice, each time at a random count of the copies left
// (so, where two issues fall due together, often while it sends the later
// one); idle times it kills it at an hour when nothing is due.
func (r *crashRun) steps(events []localEvent, end time.Time, idle int) {
	t, f := r.t, r.f
	ctx := context.Background()
	slices.SortStableFunc(events, func(a, b localEvent) int { return a.at.Compare(b.at) })
	for now := r.clock.Now(); !now.After(end); {
		for len(events) > 0 && !events[0].at.After(now) {
			events[0].do()
			events = events[1:]
		}
		due := f.dueNow(t, now)
		for k := 0; k < 2; k++ {
			left := f.dueNow(t, now) // the copies still to go, and those the last kill left held
			if left < 2 {
				break
			}
			target := r.srv.Count() + 1 + r.rng.IntN(left-1)
			deadline := time.Now().Add(20 * time.Second)
			for i := 0; r.srv.Count() < target && time.Now().Before(deadline); i++ {
				if i%20 == 19 && f.dueNow(t, now) == 0 {
					break
				}
				time.Sleep(time.Millisecond)
			}
			r.kill("mid-send")
		}
		if due == 0 && idle > 0 && r.cur != nil && r.rng.IntN(4) == 0 {
			idle--
			r.kill("while it waits")
		}
		f.settle(t, now)
		next := now.Truncate(time.Hour).Add(time.Hour)
		for _, id := range r.issues {
			if w, err := f.st.LocalWait(ctx, id); err != nil {
				t.Fatal(err)
			} else if !w.Next.IsZero() && w.Next.Before(next) {
				next = w.Next
			}
		}
		if len(events) > 0 && events[0].at.Before(next) {
			next = events[0].at
		}
		writeClock(t, r.clockFile, next)
		r.clock.Set(next)
		now = next
	}
	select {
	case err := <-r.cur.exited:
		if err != nil {
			t.Fatalf("last run: %v\n%s", err, r.cur.out)
		}
	case <-time.After(time.Minute):
		t.Fatalf("last run did not finish:\n%s", r.cur.out)
	}
}

// check asserts that every reader got each issue (want: issue → zone → the
// instant, by hand) once or more, every copy exactly at that instant (none
// before the reader's hour), each issue's copies before the next one's, and
// no more duplicates than the kills' bound.
func (r *crashRun) check(want map[int64]map[string]time.Time) {
	t, f := r.t, r.f
	msgs := r.srv.Messages()
	last := map[string]int64{} // reader → the issue of their last copy so far
	for _, m := range msgs {
		id, rc := issueOf(t, m), m.To[0]
		zone := f.zone[rc]
		if due := want[id][zone]; !m.Received.Equal(due) {
			t.Errorf("%s (%q) got issue %d at %s (%s there), want %s", rc, zone, id, m.Received.UTC().Format(time.DateTime),
				m.Received.In(location(t, zone)).Format("Mon 15:04 MST"), due.UTC().Format(time.DateTime))
		}
		if slices.Index(r.issues, id) < slices.Index(r.issues, last[rc]) {
			t.Errorf("%s got a copy of issue %d after one of issue %d", rc, id, last[rc])
		}
		last[rc] = id
	}
	var sample []smtptest.Message
	for i, m := range msgs {
		if i%25 == 0 {
			sample = append(sample, m)
		}
	}
	assertFilled(t, f.fixture, sample)
	perRcpt, dup := copies(msgs)
	if len(perRcpt) != len(f.zone) {
		t.Errorf("%d of %d readers got the issue", len(perRcpt), len(f.zone))
	}
	for rc, c := range perRcpt {
		if c != len(r.issues) {
			t.Errorf("%s got %d different Message-IDs, want %d", rc, c, len(r.issues))
		}
	}
	t.Logf("%d messages of %d issues for %d readers: %d duplicates after %d kills (bound %d)", len(msgs), len(r.issues), len(f.zone), dup, r.kills, r.bound)
	if dup > r.bound {
		t.Errorf("%d duplicates, more than %d", dup, r.bound)
	}
	if r.kills < len(localZones) {
		t.Errorf("only %d kills", r.kills)
	}
	for _, id := range r.issues {
		if st, _ := f.st.IssueStatus(context.Background(), id); st != newsletter.Sent {
			t.Errorf("issue %d is %s", id, st)
		}
		if c, _ := f.st.Counts(context.Background(), id); c.Sent != len(f.zone) {
			t.Errorf("ledger of issue %d: %+v", id, c)
		}
	}
}

// TestLocalCrashResume sends an issue of a publication that delivers at
// 06:00 on each reader's clock to 1,200 readers in six zones from a child
// process (serve's delivery workers) that shares the test's stepped clock.
// While the clock moves through the zones' mornings, the child is killed
// with SIGKILL mid-send twice in each zone's hour and at idle hours, and
// started again. In the end every reader has
// the issue, none before their 06:00 (nor at any other time: the clock
// stands still while a zone's copies go out), and the duplicates are
// within the stated bound: (Connections + RecordBatch) per kill.
func TestLocalCrashResume(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	la, _ := time.LoadLocation("America/Los_Angeles")
	release := time.Date(2026, 10, 24, 5, 0, 0, 0, la)
	const perZone = 200
	r := newCrashRun(t, perZone, release)
	var d *newsletter.Issue
	r.steps([]localEvent{{release, func() { d = r.release(newsletter.Date{Year: 2026, Month: 10, Day: 24}) }}},
		at(25, 7), 2) // after London's 06:00, the last
	r.check(map[int64]map[string]time.Time{d.ID: {"Pacific/Kiritimati": at(24, 16), "America/Los_Angeles": at(24, 13), "": at(24, 13),
		"Pacific/Pago_Pago": at(24, 17), "Asia/Jerusalem": at(25, 4), "Europe/London": at(25, 6)}})
}

// TestLocalCrashResumeKeepsIssueOrder is TestLocalCrashResume with the 24
// October issue released late (21:00 PDT) and the 25th's at 05:00 PDT, so
// that in four zones both are due at the same 06:00: the child is killed
// while it sends both, and still every copy of the 24th reaches each reader
// before any of the 25th's, every reader gets both at their 06:00, and the
// duplicates stay within the bound (for each issue the child was sending).
func TestLocalCrashResumeKeepsIssueOrder(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	la, _ := time.LoadLocation("America/Los_Angeles")
	late := time.Date(2026, 10, 24, 21, 0, 0, 0, la)
	const perZone = 150
	r := newCrashRun(t, perZone, late)
	var d, d1 *newsletter.Issue
	r.steps([]localEvent{
		{late, func() { d = r.release(newsletter.Date{Year: 2026, Month: 10, Day: 24}) }},
		{time.Date(2026, 10, 25, 5, 0, 0, 0, la), func() { d1 = r.release(newsletter.Date{Year: 2026, Month: 10, Day: 25}) }},
	}, at(26, 7), 2)
	r.check(map[int64]map[string]time.Time{
		d.ID: {"Pacific/Kiritimati": at(25, 16), "America/Los_Angeles": at(25, 13), "": at(25, 13),
			"Pacific/Pago_Pago": at(25, 17), "Asia/Jerusalem": at(25, 4), "Europe/London": at(25, 6)},
		d1.ID: {"Pacific/Kiritimati": at(25, 16), "America/Los_Angeles": at(25, 13), "": at(25, 13),
			"Pacific/Pago_Pago": at(25, 17), "Asia/Jerusalem": at(26, 4), "Europe/London": at(26, 6)},
	})
}

// TestLocalCrashChild is the local crash tests' sending process: serve's
// delivery workers (a run for every sending issue) with the parent's
// clock, until nothing is sending.
func TestLocalCrashChild(t *testing.T) {
	db := os.Getenv(envLocalCrashDB)
	if db == "" {
		t.Skip("run by TestLocalCrashResume and TestLocalCrashResumeKeepsIssueOrder")
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	clock := &fileClock{path: os.Getenv(envLocalCrashClock)}
	st, err := store.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.SetClock(clock.Now)
	smtp, err := delivery.ParseSMTPURL("smtp://" + os.Getenv(envLocalCrashSMTP) + "?tls=none&timeout=5s")
	if err != nil {
		t.Fatal(err)
	}
	e, err := delivery.New(st, delivery.NewSMTP(smtp, nil), delivery.Config{
		Connections: crashConns, RecordBatch: crashBatch,
		Lease:       3 * time.Second,
		RecordEvery: 50 * time.Millisecond,
		Poll:        50 * time.Millisecond,
		BaseURL:     testBaseURL,
		Signer:      subscribers.NewSigner([]byte(testSecret)),
		ReclaimDead: true,
		Now:         clock.Now,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	failed := make(chan error, 1)
	w := &scheduler.Workers{Store: st, Poll: 50 * time.Millisecond, Transport: e.Transport(),
		Runner: scheduler.RunnerFunc(func(ctx context.Context, id int64) error {
			_, err := e.Run(ctx, id)
			if err != nil {
				select {
				case failed <- fmt.Errorf("run of issue %d: %w", id, err):
				default:
				}
				stop()
			}
			return err
		})}
	go func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for range tick.C {
			list, err := st.Issues(ctx, store.IssueFilter{Statuses: []newsletter.IssueStatus{newsletter.Sending}})
			if err != nil || (len(list) == 0 && w.Running() == 0) {
				stop()
				return
			}
		}
	}()
	if err := w.Run(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-failed:
		t.Fatal(err)
	default:
	}
}
