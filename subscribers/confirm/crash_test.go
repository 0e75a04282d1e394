package confirm_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"masthead/assembly"
	"masthead/delivery"
	"masthead/internal/smtptest"
	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
	"masthead/subscribers/confirm"
)

// The crash test's sending process: this test binary run again with these
// variables set, executing only TestWelcomeCrashChild.
const (
	envWelcomeDB    = "MASTHEAD_WELCOME_CRASH_DB"
	envWelcomeSMTP  = "MASTHEAD_WELCOME_CRASH_SMTP"
	envWelcomeLater = "MASTHEAD_WELCOME_CRASH_LATER" // how far the child's clock is ahead: past earlier claims
)

// TestWelcomeCrashResume sends 300 welcome emails from a child process that
// is killed with SIGKILL at random moments mid-send, five times, and
// restarted each time (its clock past the killed one's claims, as if their
// lease had run out). In the end every reader has had their welcome, and
// there is at most one duplicate per kill: the one message in flight.
func TestWelcomeCrashResume(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "masthead.db")
	st, err := store.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p := &newsletter.Publication{Slug: "planet", Name: "The Daily Planet", From: "news@planet.example",
		TimeZone: "UTC", VolumeStart: newsletter.Date{Year: 2007, Month: 2, Day: 7}, WelcomeEmail: true}
	p.Normalize()
	if err := st.SavePublication(ctx, p); err != nil {
		t.Fatal(err)
	}
	const n = 300
	for i := range n {
		sub, err := st.AddSubscriber(ctx, fmt.Sprintf("r%03d@example.org", i), "", p.ID, subscribers.Pending, subscribers.ViaForm)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Confirm(ctx, sub.ID, p.ID, subscribers.ViaLink); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := smtptest.Start(smtptest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	run := 0
	child := func() (*exec.Cmd, *bytes.Buffer) {
		run++
		cmd := exec.Command(os.Args[0], "-test.run=^TestWelcomeCrashChild$", "-test.count=1")
		var out bytes.Buffer
		cmd.Env = append(os.Environ(), envWelcomeDB+"="+path, envWelcomeSMTP+"="+srv.Addr,
			envWelcomeLater+"="+(time.Duration(run)*10*time.Minute).String())
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &out
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 15))
	kills := 0
	for kills < 5 {
		before := srv.Count()
		cmd, out := child()
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		target := before + 5 + rng.IntN(40)
		for srv.Count() < target {
			select {
			case err := <-exited:
				t.Fatalf("child exited before it was killed (%v):\n%s", err, out)
			case <-time.After(time.Millisecond):
			}
		}
		cmd.Process.Kill()
		<-exited
		kills++
		t.Logf("kill %d after %d welcomes (%d in all)", kills, srv.Count()-before, srv.Count())
	}
	cmd, out := child()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("last run: %v\n%s", err, out)
		}
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		t.Fatalf("last run did not finish:\n%s", out)
	}
	per := map[string]int{}
	for _, m := range srv.Messages() {
		per[m.To[0]]++
	}
	dup := srv.Count() - len(per)
	t.Logf("%d welcome emails for %d readers: %d duplicates after %d kills", srv.Count(), n, dup, kills)
	if len(per) != n {
		t.Errorf("%d of %d readers got their welcome", len(per), n)
	}
	if dup > kills {
		t.Errorf("%d duplicates, more than one per kill (%d)", dup, kills)
	}
	if due, _ := st.WelcomesDue(ctx); due != 0 {
		t.Errorf("%d welcomes still due", due)
	}
}

// pace slows the child's sending so that a kill lands mid-send.
type pace time.Duration

func (p pace) Wait(ctx context.Context) error {
	select {
	case <-time.After(time.Duration(p)):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TestWelcomeCrashChild is TestWelcomeCrashResume's sending process.
func TestWelcomeCrashChild(t *testing.T) {
	db := os.Getenv(envWelcomeDB)
	if db == "" {
		t.Skip("run by TestWelcomeCrashResume")
	}
	ctx := context.Background()
	later, err := time.ParseDuration(os.Getenv(envWelcomeLater))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := func() time.Time { return time.Now().Add(later) }
	st.SetClock(now)
	cfg, err := delivery.ParseSMTPURL("smtp://" + os.Getenv(envWelcomeSMTP) + "?tls=none&timeout=5s")
	if err != nil {
		t.Fatal(err)
	}
	q, err := confirm.New(confirm.Config{Store: st, Mailer: delivery.NewMailer(delivery.NewSMTP(cfg, nil)),
		Assembler: assembly.New(st, base), Signer: subscribers.NewSigner([]byte("0123456789abcdef0123456789abcdef")),
		BaseURL: base, Limit: pace(2 * time.Millisecond), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.SendAll(ctx); err != nil {
		t.Fatal(err)
	}
}
