package delivery_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"masthead/delivery"
	"masthead/internal/smtptest"
	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
)

// TestLocalCrashResume's sending process: this test binary run again with
// these variables set, executing only TestLocalCrashChild. Its clock is the
// time written in the clock file, which the parent moves.
const (
	envLocalCrashDB    = "MASTHEAD_LOCAL_CRASH_DB"
	envLocalCrashSMTP  = "MASTHEAD_LOCAL_CRASH_SMTP"
	envLocalCrashIssue = "MASTHEAD_LOCAL_CRASH_ISSUE"
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

// TestLocalCrashResume sends an issue of a publication that delivers at
// 06:00 on each reader's clock to 1,200 readers in six zones from a child
// process that shares the test's stepped clock. While the clock moves
// through the zones' mornings, the child is killed with SIGKILL mid-send
// at each zone's hour (twice at the busiest) and at idle hours, and
// restarted. In the end every reader has the issue, none before their
// 06:00 (nor at any other time: the clock stands still while a zone's
// copies go out), and the duplicates are within the stated bound:
// (Connections + RecordBatch) per kill.
func TestLocalCrashResume(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	ctx := context.Background()
	la, _ := time.LoadLocation("America/Los_Angeles")
	release := time.Date(2026, 10, 24, 5, 0, 0, 0, la)
	clock := &fakeClock{t: release}
	const perZone = 200
	f := newLocalFixture(t, perZone)
	n := perZone * len(localZones)
	f.st.SetClock(clock.Now)
	clockFile := filepath.Join(t.TempDir(), "clock")
	writeClock(t, clockFile, release)
	srv := startServer(t, smtptest.Options{Clock: clock.Now})
	cfg := f.fastConfig(crashConns)
	cfg.Now = clock.Now
	iss := f.assemble(t, newsletter.Date{Year: 2026, Month: 10, Day: 24}, 0)
	if _, err := f.engine(t, smtpTo(t, srv, 5*time.Second), cfg).Start(ctx, iss.ID); err != nil {
		t.Fatal(err)
	}

	env := append(os.Environ(), envLocalCrashDB+"="+f.path, envLocalCrashSMTP+"="+srv.Addr,
		envLocalCrashIssue+"="+strconv.FormatInt(iss.ID, 10), envLocalCrashClock+"="+clockFile)
	type child struct {
		cmd    *exec.Cmd
		out    *bytes.Buffer
		exited chan error
	}
	start := func() *child {
		c := &child{cmd: exec.Command(os.Args[0], "-test.run=^TestLocalCrashChild$", "-test.count=1"), out: &bytes.Buffer{}, exited: make(chan error, 1)}
		c.cmd.Env, c.cmd.Stdout, c.cmd.Stderr = env, c.out, c.out
		if err := c.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { c.exited <- c.cmd.Wait() }()
		return c
	}
	cur := start()
	t.Cleanup(func() { cur.cmd.Process.Kill() })
	kills := 0
	kill := func(why string) {
		select {
		case err := <-cur.exited:
			if err != nil {
				t.Fatalf("child exited before it was killed (%v):\n%s", err, cur.out)
			}
			cur = start() // it had just sent the last copy: Run ends at once
			return
		default:
		}
		cur.cmd.Process.Kill()
		<-cur.exited // reaped: its pid is no longer alive for ReclaimDead
		kills++
		t.Logf("kill %d at %s %s (%d messages in all)", kills, clock.Now().UTC().Format(time.DateTime), why, srv.Count())
		cur = start()
	}

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 18))
	idleKills := 2
	end := time.Date(2026, 10, 25, 7, 0, 0, 0, time.UTC) // after London's 06:00, the last
	for now := release; !now.After(end); {
		// Kill the child once mid-send in every zone's hour (twice where
		// two zones share it), at a random count of its copies.
		due := f.dueNow(t, now)
		for k := 0; k < due/(perZone+1)+1 && due > 1; k++ {
			before := srv.Count()
			target := before + 1 + rng.IntN(due-1)
			deadline := time.Now().Add(20 * time.Second)
			for i := 0; srv.Count() < target && time.Now().Before(deadline); i++ {
				if i%20 == 19 && f.dueNow(t, now) == 0 {
					break
				}
				time.Sleep(time.Millisecond)
			}
			kill("mid-send")
			due -= srv.Count() - before
		}
		if due == 0 && idleKills > 0 && rng.IntN(4) == 0 && now.Before(at(25, 6)) {
			idleKills--
			kill("while it waits")
		}
		f.settle(t, now)
		next := now.Truncate(time.Hour).Add(time.Hour)
		if w, err := f.st.LocalWait(ctx, iss.ID); err != nil {
			t.Fatal(err)
		} else if !w.Next.IsZero() && w.Next.Before(next) {
			next = w.Next
		}
		writeClock(t, clockFile, next)
		clock.Set(next)
		now = next
	}
	select {
	case err := <-cur.exited:
		if err != nil {
			t.Fatalf("last run: %v\n%s", err, cur.out)
		}
	case <-time.After(time.Minute):
		t.Fatalf("last run did not finish:\n%s", cur.out)
	}

	want := map[string]time.Time{"Pacific/Kiritimati": at(24, 16), "America/Los_Angeles": at(24, 13), "": at(24, 13),
		"Pacific/Pago_Pago": at(24, 17), "Asia/Jerusalem": at(25, 4), "Europe/London": at(25, 6)}
	msgs := srv.Messages()
	for _, m := range msgs {
		zone := f.zone[m.To[0]]
		if due := want[zone]; !m.Received.Equal(due) {
			t.Errorf("%s (%q) got the issue at %s (%s there), want %s", m.To[0], zone, m.Received.UTC().Format(time.DateTime),
				m.Received.In(location(t, zone)).Format("Mon 15:04 MST"), due.UTC().Format(time.DateTime))
		}
	}
	var sample []smtptest.Message
	for i, m := range msgs {
		if i%25 == 0 {
			sample = append(sample, m)
		}
	}
	assertFilled(t, f.fixture, sample)
	perRcpt, dup := copies(msgs)
	if len(perRcpt) != n {
		t.Errorf("%d of %d readers got the issue", len(perRcpt), n)
	}
	for rc, c := range perRcpt {
		if c != 1 {
			t.Errorf("%s got %d different Message-IDs", rc, c)
		}
	}
	bound := kills * (crashConns + crashBatch)
	t.Logf("%d messages for %d readers: %d duplicates after %d kills (bound %d)", len(msgs), n, dup, kills, bound)
	if dup > bound {
		t.Errorf("%d duplicates, more than %d", dup, bound)
	}
	if kills < len(localZones) {
		t.Errorf("only %d kills", kills)
	}
	if st, _ := f.st.IssueStatus(ctx, iss.ID); st != newsletter.Sent {
		t.Errorf("issue is %s", st)
	}
	if c, _ := f.st.Counts(ctx, iss.ID); c.Sent != n {
		t.Errorf("ledger %+v", c)
	}
}

// TestLocalCrashChild is TestLocalCrashResume's sending process: it runs
// the send with the parent's clock until the issue is sent.
func TestLocalCrashChild(t *testing.T) {
	db := os.Getenv(envLocalCrashDB)
	if db == "" {
		t.Skip("run by TestLocalCrashResume")
	}
	ctx := context.Background()
	issueID, _ := strconv.ParseInt(os.Getenv(envLocalCrashIssue), 10, 64)
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
	sum, err := e.Run(ctx, issueID)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Status != newsletter.Sent {
		t.Fatalf("run ended with the issue %s: %+v", sum.Status, sum.Counts)
	}
}
