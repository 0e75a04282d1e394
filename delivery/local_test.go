package delivery_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/mail"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"masthead/delivery"
	"masthead/internal/smtptest"
	"masthead/internal/testenv"
	"masthead/ledger"
	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
)

// fakeClock is the one clock a local-time test's store, engine and SMTP
// server read: it moves only when the test steps it.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// localZones are the readers' zones of the local-time tests, from the first
// to see 06:00 to the last; "" is the publication's own (Los Angeles).
var localZones = []string{"Pacific/Kiritimati", "Asia/Jerusalem", "Europe/London", "America/Los_Angeles", "Pacific/Pago_Pago", ""}

// localFixture is a fixture whose publication, in Los Angeles, delivers at
// 06:00 on each reader's clock, with perZone readers in each of localZones
// (reader i in localZones[i % len]). zone maps each address to its zone; db
// is the database itself, whose queries q rewrites for its backend.
type localFixture struct {
	*fixture
	db   *sql.DB
	q    func(string) string
	zone map[string]string
	ids  map[string]int64
}

// newLocalFixture is a SQLite localFixture whose readers are written
// straight into the file (fast for many).
func newLocalFixture(t testing.TB, perZone int) *localFixture {
	t.Helper()
	f := localPublication(t, newFixture(t, 0))
	n := perZone * len(localZones)
	f.addSubscribers(t, 0, n, nil)
	f.db, f.q = openRaw(t, f.fixture), func(q string) string { return q }
	for i := 0; i < n; i++ {
		email, z := fmt.Sprintf("r%05d@example.net", i), localZones[i%len(localZones)]
		var id int64
		if err := f.db.QueryRow(`UPDATE subscribers SET timezone = ? WHERE email = ? RETURNING id`, z, email).Scan(&id); err != nil {
			t.Fatal(err)
		}
		f.zone[email], f.ids[email] = z, id
	}
	return f
}

// newLocalFixtureAt is a localFixture on the database dsn names ("": a new
// SQLite file), its readers added as an editor adds them, with their zones.
func newLocalFixtureAt(t testing.TB, dsn string, perZone int) *localFixture {
	t.Helper()
	if dsn == "" {
		dsn = filepath.Join(t.TempDir(), "masthead.db")
	}
	f := localPublication(t, newFixtureAt(t, dsn, 0))
	driver := "sqlite3"
	f.q = func(q string) string { return q }
	if be, _ := store.BackendOf(dsn); be == "postgres" {
		driver, f.q = "pgx", dollarArgs
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f.db = db
	for i := 0; i < perZone*len(localZones); i++ {
		email, z := fmt.Sprintf("r%05d@example.net", i), localZones[i%len(localZones)]
		sub, err := f.st.AddArrival(context.Background(), store.Arrival{Email: email, Name: fmt.Sprintf("Reader %d", i),
			TimeZone: z, PublicationID: f.pub.ID, Status: subscribers.Active, Via: subscribers.ViaEditor})
		if err != nil {
			t.Fatal(err)
		}
		f.zone[email], f.ids[email] = z, sub.ID
	}
	return f
}

// localPublication makes f's publication deliver at 06:00 on each reader's
// clock, in Los Angeles.
func localPublication(t testing.TB, f *fixture) *localFixture {
	t.Helper()
	f.pub.TimeZone, f.pub.Deliver, f.pub.LocalTime = "America/Los_Angeles", newsletter.DeliverLocal, "06:00"
	if err := f.pub.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := f.st.SavePublication(context.Background(), f.pub); err != nil {
		t.Fatal(err)
	}
	return &localFixture{fixture: f, zone: map[string]string{}, ids: map[string]int64{}}
}

// dollarArgs numbers a query's ? placeholders for PostgreSQL ($1, $2, ...).
func dollarArgs(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// location is a zone of localZones as a location ("" is Los Angeles).
func location(t testing.TB, zone string) *time.Location {
	t.Helper()
	if zone == "" {
		zone = "America/Los_Angeles"
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// readerOf is the first address of zone (an index into localZones) plus k
// readers further on in the same zone.
func readerOf(zone, k int) string {
	return fmt.Sprintf("r%05d@example.net", zone+k*len(localZones))
}

// dueNow counts the rows that are being sent or could be claimed at now:
// what must be done before the clock may move on. It mirrors Claim's rule
// (due, of a send not paused, and not held for the reader's row of an
// earlier issue).
func (f *localFixture) dueNow(t testing.TB, now time.Time) int {
	t.Helper()
	var n int
	err := f.db.QueryRow(f.q(`SELECT COUNT(*) FROM deliveries d WHERE d.status = 'sending'
		OR (d.status = 'queued' AND d.next_attempt_at <= ?
			AND EXISTS (SELECT 1 FROM issues i WHERE i.id = d.issue_id AND i.status = 'sending')
			AND (d.after_issue = 0 OR NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.issue_id = d.after_issue
				AND e.subscriber_id = d.subscriber_id AND e.status IN ('queued', 'sending'))))`), now.UnixMilli()).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// settle waits until nothing is due or in flight at the clock's time.
func (f *localFixture) settle(t testing.TB, now time.Time) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for f.dueNow(t, now) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("at %s rows are still due or in flight after 20s", now.UTC())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// localEvent is something the test does when the clock reaches at.
type localEvent struct {
	at time.Time
	do func()
}

// stepClock moves clock from its time to end, stopping at every whole hour
// (so that a copy sent before its time would show), at each next due time
// LocalWait reports for the issues (*issues, which events may add to) and
// at each event. At every stop it runs the events due then, and waits until
// nothing due remains.
func stepClock(t testing.TB, f *localFixture, clock *fakeClock, issues *[]int64, events []localEvent, end time.Time) (steps int) {
	t.Helper()
	ctx := context.Background()
	slices.SortStableFunc(events, func(a, b localEvent) int { return a.at.Compare(b.at) })
	for now := clock.Now(); !now.After(end); steps++ {
		for len(events) > 0 && !events[0].at.After(now) {
			events[0].do()
			events = events[1:]
		}
		f.settle(t, now)
		next := now.Truncate(time.Hour).Add(time.Hour)
		for _, id := range *issues {
			w, err := f.st.LocalWait(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if !w.Next.IsZero() && w.Next.Before(next) {
				next = w.Next
			}
		}
		if len(events) > 0 && events[0].at.Before(next) {
			next = events[0].at
		}
		clock.Set(next)
		now = next
	}
	return steps
}

// localRun is a local-time send driven by a stepped clock: the real engine
// over SMTP to the test server (one engine per worker process, each with
// its own lease owner), the real store, one fake clock.
type localRun struct {
	t       *testing.T
	f       *localFixture
	clock   *fakeClock
	srv     *smtptest.Server
	engines []*delivery.Engine
	ctx     context.Context
	issues  []int64
	runs    sync.WaitGroup
	sums    chan runResult
	started int                       // runs started
	running map[int64]*sync.WaitGroup // issue → its runs now
	stopped map[int64]bool            // issues cancelled: they end so, not sent
}

type runResult struct {
	id  int64
	sum delivery.Summary
	err error
}

func newLocalRun(t *testing.T, f *localFixture, workers int, start time.Time) *localRun {
	return newLocalRunWith(t, f, workers, start, smtptest.Options{}, nil)
}

// newLocalRunWith is newLocalRun with a test server of opts (its Clock is
// the run's) and engines configured by tune.
func newLocalRunWith(t *testing.T, f *localFixture, workers int, start time.Time, opts smtptest.Options, tune func(*delivery.Config)) *localRun {
	r := &localRun{t: t, f: f, clock: &fakeClock{t: start}, sums: make(chan runResult, 64),
		running: map[int64]*sync.WaitGroup{}, stopped: map[int64]bool{}}
	r.f.st.SetClock(r.clock.Now)
	opts.Clock = r.clock.Now
	r.srv = startServer(t, opts)
	for range workers {
		cfg := r.f.fastConfig(2)
		cfg.Now = r.clock.Now
		if tune != nil {
			tune(&cfg)
		}
		r.engines = append(r.engines, r.f.engine(t, smtpTo(t, r.srv, 10*time.Second), cfg))
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); r.runs.Wait() })
	r.ctx = ctx
	return r
}

// release assembles the issue of date d and starts its send at the clock's
// time, with a Run of each engine in its own goroutine as serve's workers
// do.
func (r *localRun) release(d newsletter.Date) *newsletter.Issue {
	r.t.Helper()
	iss := r.f.assemble(r.t, d, 0)
	res, err := r.engines[0].Start(r.ctx, iss.ID)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Logf("issue %d (%s) released at %s: %d rows", iss.ID, d, r.clock.Now().UTC().Format(time.DateTime), res.Queued)
	r.issues = append(r.issues, iss.ID)
	r.run(iss.ID)
	return iss
}

// run starts a Run of each engine for the issue.
func (r *localRun) run(id int64) {
	wg := &sync.WaitGroup{}
	r.running[id] = wg
	for _, e := range r.engines {
		r.started++
		wg.Add(1)
		r.runs.Go(func() {
			defer wg.Done()
			sum, err := e.Run(r.ctx, id)
			r.sums <- runResult{id, sum, err}
		})
	}
}

// pause pauses an issue's send as an editor does, and waits until its runs
// have seen it and ended.
func (r *localRun) pause(id int64) {
	r.t.Helper()
	if err := r.engines[0].Pause(r.ctx, id); err != nil {
		r.t.Fatal(err)
	}
	r.waitEnded(id)
}

// resume resumes it, and runs it again as serve's workers do.
func (r *localRun) resume(id int64) {
	r.t.Helper()
	if err := r.engines[0].Resume(r.ctx, id); err != nil {
		r.t.Fatal(err)
	}
	r.run(id)
}

// cancel cancels an issue's send for good.
func (r *localRun) cancel(id int64) {
	r.t.Helper()
	if err := r.engines[0].Cancel(r.ctx, id); err != nil {
		r.t.Fatal(err)
	}
	r.stopped[id] = true
	r.waitEnded(id)
}

func (r *localRun) waitEnded(id int64) {
	r.t.Helper()
	done := make(chan struct{})
	go func() { r.running[id].Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		r.t.Fatalf("the runs of issue %d did not end after its send stopped", id)
	}
}

// unsubscribe ends a reader's subscription as the product does (the
// store's Unsubscribe, under workspace's).
func (r *localRun) unsubscribe(email string) {
	r.t.Helper()
	if err := r.f.st.Unsubscribe(r.ctx, r.f.ids[email], r.f.pub.ID, subscribers.ViaLink, ""); err != nil {
		r.t.Fatal(err)
	}
	r.t.Logf("%s (%s) unsubscribed at %s", email, r.f.zone[email], r.clock.Now().UTC().Format(time.DateTime))
}

// waitRuns waits for every Run to end without an error, and checks that
// each issue ended sent (cancelled, where the test cancelled it).
func (r *localRun) waitRuns() {
	r.t.Helper()
	for range r.started {
		select {
		case res := <-r.sums:
			if res.err != nil {
				r.t.Errorf("run of issue %d: %s %+v, %v", res.id, res.sum.Status, res.sum.Counts, res.err)
			}
		case <-time.After(20 * time.Second):
			r.t.Fatal("a run did not end after its issue's last row")
		}
	}
	for _, id := range r.issues {
		want := newsletter.Sent
		if r.stopped[id] {
			want = newsletter.Cancelled
		}
		if st, err := r.f.st.IssueStatus(r.ctx, id); err != nil || st != want {
			r.t.Errorf("issue %d ended %s (%v), want %s", id, st, err, want)
		}
	}
}

// issueOf is the issue a message of the ledger belongs to (its Message-ID
// begins "<issueID.").
func issueOf(t testing.TB, m smtptest.Message) int64 {
	t.Helper()
	head, _, _ := strings.Cut(strings.TrimPrefix(m.MessageID, "<"), ".")
	id, err := strconv.ParseInt(head, 10, 64)
	if err != nil {
		t.Fatalf("message to %v has Message-ID %q", m.To, m.MessageID)
	}
	return id
}

// checkMornings checks every message against want (issue → zone → the
// instant the zone's readers get it, written out by hand): received exactly
// then, which their clocks read as reads(zone) says ("15:04"), and dated
// then (the Date their mail program shows); one copy per
// reader and issue, none for gone (issue → addresses that left before their
// hour, or whose copy a cancel stopped), and each reader's issues in the
// order of order.
func (r *localRun) checkMornings(want map[int64]map[string]time.Time, reads func(zone string) string, gone map[int64][]string, order []int64) {
	t := r.t
	t.Helper()
	msgs := r.srv.Messages()
	assertFilled(t, r.f.fixture, msgs)
	got := map[int64]map[string]int{} // issue → address → copies
	pos := map[string][]int64{}       // address → issues in the order received
	for _, m := range msgs {
		id, rc := issueOf(t, m), m.To[0]
		zone, ok := r.f.zone[rc]
		if !ok || want[id] == nil {
			t.Fatalf("message of issue %d to %s: not a reader of the test", id, rc)
		}
		local := m.Received.In(location(t, zone))
		if due := want[id][zone]; !m.Received.Equal(due) || local.Format("15:04") != reads(zone) {
			t.Errorf("issue %d reached %s (%q) at %s (%s there), want %s", id, rc, zone,
				m.Received.UTC().Format(time.DateTime), local.Format("Mon 15:04 MST"), due.UTC().Format(time.DateTime))
		}
		if hm, err := mail.ReadMessage(bytes.NewReader(m.Data)); err != nil {
			t.Fatal(err)
		} else if date, err := hm.Header.Date(); err != nil || !date.Equal(m.Received) {
			t.Errorf("issue %d to %s: Date %v (%v), received %s", id, rc, date, err, m.Received)
		}
		if got[id] == nil {
			got[id] = map[string]int{}
		}
		got[id][rc]++
		pos[rc] = append(pos[rc], id)
	}
	for id := range want {
		for rc := range r.f.zone {
			n := got[id][rc]
			switch {
			case slices.Contains(gone[id], rc) && n != 0:
				t.Errorf("issue %d reached %s %d times after they unsubscribed", id, rc, n)
			case !slices.Contains(gone[id], rc) && n != 1:
				t.Errorf("issue %d reached %s (%q) %d times, want once", id, rc, r.f.zone[rc], n)
			}
		}
		skipped := 0 // rows of those who left (none for who left before the release), or of a cancelled send
		for _, rc := range gone[id] {
			var st string
			switch err := r.f.db.QueryRow(r.f.q(`SELECT status FROM deliveries WHERE issue_id = ? AND email = ?`), id, rc).Scan(&st); {
			case err == sql.ErrNoRows:
			case err != nil:
				t.Fatal(err)
			case st != string(ledger.DeliverySkipped) && (!r.stopped[id] || st != string(ledger.DeliveryCancelled)):
				t.Errorf("issue %d: the row of %s, who left or whose send was cancelled before their hour, is %s", id, rc, st)
			default:
				skipped++
			}
		}
		c, err := r.f.st.Counts(r.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Sent != len(got[id]) || c.Skipped+c.Cancelled != skipped || c.Pending() != 0 {
			t.Errorf("ledger of issue %d: %+v; %d readers got it, %d rows skipped or cancelled", id, c, len(got[id]), skipped)
		}
	}
	for rc, ids := range pos {
		if want := slices.DeleteFunc(slices.Clone(order), func(id int64) bool { return !slices.Contains(ids, id) }); !slices.Equal(ids, want) {
			t.Errorf("%s (%q) got issues %v in that order, want %v", rc, r.f.zone[rc], ids, want)
		}
	}
}

// sixOClock is what every reader's clock reads when their copy comes.
func sixOClock(string) string { return "06:00" }

// at is a UTC instant on October 2026.
func at(day, hour int) time.Time { return time.Date(2026, 10, day, hour, 0, 0, 0, time.UTC) }

// TestLocalTimeMorningAcrossClockChange: a publication in Los Angeles that
// delivers at 06:00 on each reader's clock releases its 24 October 2026
// issue at 05:00 PDT and the next one at 05:00 PDT on the 25th, the day
// Europe and Israel put their clocks back. With the clock stepped hour by
// hour and to each due time, every reader in Kiritimati (UTC+14),
// Jerusalem, London, Los Angeles, Pago Pago (UTC-11) and the publication's
// zone gets each issue exactly at their own 06:00 (after the change where
// it came), once, the first before the second; a London reader who leaves
// after the first release and a Jerusalem reader who leaves after the
// second, each before their hour, get nothing more (rows skipped).
func TestLocalTimeMorningAcrossClockChange(t *testing.T) {
	testLocalMorningAcrossClockChange(t, "", 1)
}

// testLocalMorningAcrossClockChange is TestLocalTimeMorningAcrossClockChange
// on the database dsn names ("": SQLite) with workers engines sharing the
// sends.
func testLocalMorningAcrossClockChange(t *testing.T, dsn string, workers int) {
	la, _ := time.LoadLocation("America/Los_Angeles")
	first := time.Date(2026, 10, 24, 5, 0, 0, 0, la)
	r := newLocalRun(t, newLocalFixtureAt(t, dsn, 3), workers, first)
	londoner, jerusalemite := readerOf(2, 1), readerOf(1, 2)
	var d, d1 *newsletter.Issue
	steps := stepClock(t, r.f, r.clock, &r.issues, []localEvent{
		{first, func() { d = r.release(newsletter.Date{Year: 2026, Month: 10, Day: 24}) }},
		{at(25, 3), func() { r.unsubscribe(londoner) }}, // 03:00 GMT, their copy due at 06:00
		{time.Date(2026, 10, 25, 5, 0, 0, 0, la), func() { d1 = r.release(newsletter.Date{Year: 2026, Month: 10, Day: 25}) }},
		{at(25, 20), func() { r.unsubscribe(jerusalemite) }}, // 22:00 IST, their copy due at 06:00
	}, at(26, 14))
	r.waitRuns()
	t.Logf("%d steps, %d messages", steps, r.srv.Count())
	want := map[int64]map[string]time.Time{
		d.ID: {"Pacific/Kiritimati": at(24, 16), "America/Los_Angeles": at(24, 13), "": at(24, 13),
			"Pacific/Pago_Pago": at(24, 17), "Asia/Jerusalem": at(25, 4), "Europe/London": at(25, 6)},
		d1.ID: {"Pacific/Kiritimati": at(25, 16), "America/Los_Angeles": at(25, 13), "": at(25, 13),
			"Pacific/Pago_Pago": at(25, 17), "Asia/Jerusalem": at(26, 4), "Europe/London": at(26, 6)},
	}
	r.checkMornings(want, sixOClock, map[int64][]string{d.ID: {londoner}, d1.ID: {londoner, jerusalemite}}, []int64{d.ID, d1.ID})
}

// TestLocalTimeLateIssueComesFirst: the 24 October issue is released late,
// at 21:00 PDT (04:00 UTC on the 25th, 06:00 in Jerusalem that very
// minute), and the 25th's at 05:00 PDT. In Kiritimati, Los Angeles, Pago
// Pago and the publication's zone both copies fall due at the same 06:00:
// each reader there still gets the 24th's first, then the 25th's, both at
// 06:00; Jerusalem's readers get the late one at its release. A Los Angeles
// reader who leaves before their hour gets neither.
func TestLocalTimeLateIssueComesFirst(t *testing.T) {
	testLocalLateIssueComesFirst(t, "", 1)
}

// testLocalLateIssueComesFirst is TestLocalTimeLateIssueComesFirst on the
// database dsn names ("": SQLite) with workers engines sharing the sends.
func testLocalLateIssueComesFirst(t *testing.T, dsn string, workers int) {
	la, _ := time.LoadLocation("America/Los_Angeles")
	late := time.Date(2026, 10, 24, 21, 0, 0, 0, la)
	r := newLocalRun(t, newLocalFixtureAt(t, dsn, 3), workers, late)
	angeleno := readerOf(3, 1)
	var d, d1 *newsletter.Issue
	steps := stepClock(t, r.f, r.clock, &r.issues, []localEvent{
		{late, func() { d = r.release(newsletter.Date{Year: 2026, Month: 10, Day: 24}) }},
		{at(25, 8), func() { r.unsubscribe(angeleno) }}, // 01:00 PDT
		{time.Date(2026, 10, 25, 5, 0, 0, 0, la), func() { d1 = r.release(newsletter.Date{Year: 2026, Month: 10, Day: 25}) }},
	}, at(26, 14))
	r.waitRuns()
	t.Logf("%d steps, %d messages", steps, r.srv.Count())
	want := map[int64]map[string]time.Time{
		d.ID: {"Pacific/Kiritimati": at(25, 16), "America/Los_Angeles": at(25, 13), "": at(25, 13),
			"Pacific/Pago_Pago": at(25, 17), "Asia/Jerusalem": at(25, 4), "Europe/London": at(25, 6)},
		d1.ID: {"Pacific/Kiritimati": at(25, 16), "America/Los_Angeles": at(25, 13), "": at(25, 13),
			"Pacific/Pago_Pago": at(25, 17), "Asia/Jerusalem": at(26, 4), "Europe/London": at(26, 6)},
	}
	r.checkMornings(want, sixOClock, map[int64][]string{d.ID: {angeleno}, d1.ID: {angeleno}}, []int64{d.ID, d1.ID})
	// The guard was what kept the order: the 25th's rows of the readers
	// whose copies fell together were ordered after the 24th's.
	var held int
	if err := r.f.db.QueryRow(r.f.q(`SELECT COUNT(*) FROM deliveries WHERE issue_id = ? AND after_issue = ?`), d1.ID, d.ID).Scan(&held); err != nil {
		t.Fatal(err)
	}
	// Kiritimati, Los Angeles, the publication's zone and Pago Pago, but
	// not the reader who left.
	if want := 4*3 - 1; held != want {
		t.Errorf("%d rows of the 25th's issue wait for the 24th's, want %d (the readers still waiting for it at the release)", held, want)
	}
}

// TestLocalTimeOnPostgresWithTwoWorkers runs both local-time sends on
// PostgreSQL with two engines (two lease owners, as two worker processes)
// sharing each issue: the same instants, once each, in issue order.
func TestLocalTimeOnPostgresWithTwoWorkers(t *testing.T) {
	t.Run("across the clock change", func(t *testing.T) { testLocalMorningAcrossClockChange(t, testenv.Postgres(t), 2) })
	t.Run("late issue comes first", func(t *testing.T) { testLocalLateIssueComesFirst(t, testenv.Postgres(t), 2) })
}

// TestLocalTimeSkippedAndRepeatedHour: with the hour 01:30, which London
// and Jerusalem see twice on 25 October 2026 as their clocks go back, their
// readers get the issue at the first of the two (both after the release);
// with 02:30, which Los Angeles skips on 8 March 2026 as its clocks go
// forward, its readers (and the publication's zone's) get it at the jump,
// 03:00 PDT. Every other zone at its plain hour.
func TestLocalTimeSkippedAndRepeatedHour(t *testing.T) {
	la, _ := time.LoadLocation("America/Los_Angeles")
	for _, c := range []struct {
		name, hour string
		release    time.Time
		want       map[string]time.Time
		reads      func(zone string) string
	}{
		{"repeated", "01:30", time.Date(2026, 10, 24, 5, 0, 0, 0, la), map[string]time.Time{
			"Pacific/Kiritimati":  time.Date(2026, 10, 25, 11, 30, 0, 0, time.UTC), // 01:30 on the 26th: past it on the 25th at the release
			"Asia/Jerusalem":      time.Date(2026, 10, 24, 22, 30, 0, 0, time.UTC), // 01:30 IDT, not 01:30 IST an hour later
			"Europe/London":       time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC),  // 01:30 BST, not 01:30 GMT
			"America/Los_Angeles": time.Date(2026, 10, 25, 8, 30, 0, 0, time.UTC),
			"":                    time.Date(2026, 10, 25, 8, 30, 0, 0, time.UTC),
			"Pacific/Pago_Pago":   time.Date(2026, 10, 24, 12, 30, 0, 0, time.UTC), // half an hour after the release
		}, func(string) string { return "01:30" }},
		{"skipped", "02:30", time.Date(2026, 3, 7, 5, 0, 0, 0, la), map[string]time.Time{
			"Pacific/Kiritimati":  time.Date(2026, 3, 8, 12, 30, 0, 0, time.UTC),
			"Asia/Jerusalem":      time.Date(2026, 3, 8, 0, 30, 0, 0, time.UTC),
			"Europe/London":       time.Date(2026, 3, 8, 2, 30, 0, 0, time.UTC),
			"America/Los_Angeles": time.Date(2026, 3, 8, 10, 0, 0, 0, time.UTC), // 02:00 PST is 03:00 PDT
			"":                    time.Date(2026, 3, 8, 10, 0, 0, 0, time.UTC),
			"Pacific/Pago_Pago":   time.Date(2026, 3, 7, 13, 30, 0, 0, time.UTC),
		}, func(zone string) string {
			if zone == "" || zone == "America/Los_Angeles" {
				return "03:00"
			}
			return "02:30"
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newLocalFixtureAt(t, "", 2)
			f.pub.LocalTime = c.hour
			if err := f.st.SavePublication(context.Background(), f.pub); err != nil {
				t.Fatal(err)
			}
			r := newLocalRun(t, f, 1, c.release)
			var d *newsletter.Issue
			y, m, day := c.release.Date()
			stepClock(t, r.f, r.clock, &r.issues, []localEvent{
				{c.release, func() { d = r.release(newsletter.Date{Year: y, Month: m, Day: day}) }},
			}, c.release.Add(newsletter.MaxLocalWait))
			r.waitRuns()
			r.checkMornings(map[int64]map[string]time.Time{d.ID: c.want}, c.reads, nil, []int64{d.ID})
		})
	}
}

// TestLocalTimeAfterIdleHours: between the zones' hours a send's
// connections sit idle for hours, longer than any server keeps an idle
// connection: it says "421 4.4.2 Idle timeout" and closes. The next zone's
// copies still go at its 06:00, not a retry later, with one attempt each
// and without the server being taken for down: the engine dials again.
func TestLocalTimeAfterIdleHours(t *testing.T) {
	la, _ := time.LoadLocation("America/Los_Angeles")
	release := time.Date(2026, 10, 24, 5, 0, 0, 0, la)
	const idle = 200 * time.Millisecond
	var downs atomic.Int32
	r := newLocalRunWith(t, newLocalFixtureAt(t, "", 2), 1, release, smtptest.Options{IdleTimeout: idle},
		func(c *delivery.Config) {
			c.OnServerState = func(s delivery.ServerState) {
				if s.Down {
					downs.Add(1)
					t.Logf("server taken for down: %s", s.Reason)
				}
			}
		})
	var d *newsletter.Issue
	events := []localEvent{{release, func() { d = r.release(newsletter.Date{Year: 2026, Month: 10, Day: 24}) }}}
	// Half an hour before each zone's hour after the first, the server
	// has closed the connections the last hour's copies went over.
	for _, h := range []time.Time{at(24, 16), at(24, 17), at(25, 4), at(25, 6)} {
		events = append(events, localEvent{h.Add(-30 * time.Minute), func() { time.Sleep(3 * idle) }})
	}
	stepClock(t, r.f, r.clock, &r.issues, events, at(25, 7))
	r.waitRuns()
	want := map[string]time.Time{"Pacific/Kiritimati": at(24, 16), "America/Los_Angeles": at(24, 13), "": at(24, 13),
		"Pacific/Pago_Pago": at(24, 17), "Asia/Jerusalem": at(25, 4), "Europe/London": at(25, 6)}
	r.checkMornings(map[int64]map[string]time.Time{d.ID: want}, sixOClock, nil, []int64{d.ID})
	var retried int
	if err := r.f.db.QueryRow(`SELECT COUNT(*) FROM deliveries WHERE attempts <> 1`).Scan(&retried); err != nil {
		t.Fatal(err)
	}
	if retried != 0 || downs.Load() != 0 {
		t.Errorf("%d rows took more than one attempt; the server was taken for down %d times", retried, downs.Load())
	}
	if r.srv.Connections() <= 2 {
		t.Errorf("%d connections: the server's idle timeout did not close any", r.srv.Connections())
	}
}

// TestLocalTimePauseResumeCancel: the late 24 October issue (released at
// 21:00 PDT) is paused after Jerusalem's copies went and resumed before
// London's hour: London still gets it at its 06:00. The 25th's issue is
// released while the 24th's copies for Kiritimati, Los Angeles, Pago Pago
// and the publication's zone still wait, so theirs wait on those; the
// 24th's send is then cancelled. Its waiting copies are cancelled, never
// sent, and the 25th's go to those readers at their own 06:00, held by
// nothing; except Kiritimati's, whose hour comes while the 25th's send is
// paused: nothing goes while it is, and they go at the resume.
func TestLocalTimePauseResumeCancel(t *testing.T) {
	la, _ := time.LoadLocation("America/Los_Angeles")
	late := time.Date(2026, 10, 24, 21, 0, 0, 0, la)
	r := newLocalRun(t, newLocalFixtureAt(t, "", 3), 1, late)
	var d, d1 *newsletter.Issue
	stepClock(t, r.f, r.clock, &r.issues, []localEvent{
		{late, func() { d = r.release(newsletter.Date{Year: 2026, Month: 10, Day: 24}) }},
		{at(25, 4).Add(30 * time.Minute), func() { r.pause(d.ID) }},
		{at(25, 5).Add(30 * time.Minute), func() { r.resume(d.ID) }},
		{time.Date(2026, 10, 25, 5, 0, 0, 0, la), func() { d1 = r.release(newsletter.Date{Year: 2026, Month: 10, Day: 25}) }},
		{at(25, 12).Add(30 * time.Minute), func() { r.cancel(d.ID) }},
		{at(25, 15).Add(30 * time.Minute), func() { r.pause(d1.ID) }},
		{at(25, 16).Add(30 * time.Minute), func() { r.resume(d1.ID) }},
	}, at(26, 7))
	r.waitRuns()
	want := map[int64]map[string]time.Time{
		d.ID: {"Asia/Jerusalem": at(25, 4), "Europe/London": at(25, 6)},
		// Kiritimati's hour came while the send was paused: the resume.
		d1.ID: {"Pacific/Kiritimati": at(25, 16).Add(30 * time.Minute), "America/Los_Angeles": at(25, 13), "": at(25, 13),
			"Pacific/Pago_Pago": at(25, 17), "Asia/Jerusalem": at(26, 4), "Europe/London": at(26, 6)},
	}
	var cancelled []string
	for rc, z := range r.f.zone {
		if _, ok := want[d.ID][z]; !ok {
			cancelled = append(cancelled, rc)
		}
	}
	r.checkMornings(want, func(zone string) string {
		if zone == "Pacific/Kiritimati" {
			return "06:30"
		}
		return "06:00"
	}, map[int64][]string{d.ID: cancelled}, []int64{d.ID, d1.ID})
	if c, _ := r.f.st.Counts(r.ctx, d.ID); c.Cancelled != len(cancelled) {
		t.Errorf("the cancelled issue's ledger: %+v, want %d cancelled", c, len(cancelled))
	}
}
