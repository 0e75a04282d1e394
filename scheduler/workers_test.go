package scheduler_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"masthead/assembly"
	"masthead/newsletter"
	"masthead/scheduler"
)

// Workers deliver only the sending issues started with their transport (or
// with none recorded), and say once per issue that they leave the others to
// the processes sending via theirs.
func TestWorkersLeaveOtherTransports(t *testing.T) {
	ctx := context.Background()
	d := newsletter.Date{Year: 2024, Month: 7, Day: 9}
	e := newEnv(t, time.Date(2024, 7, 9, 6, 0, 0, 0, time.UTC))
	asm := assembly.New(e.st, "http://news.example.org")
	start := func(slug, transport string) int64 {
		t.Helper()
		p := e.publication(slug, "UTC", "", nil)
		e.articles(p, d, 1)
		e.subscribers(p, 2)
		iss, err := asm.Assemble(ctx, p, d)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.st.StartSend(ctx, iss.ID, newsletter.Statuses(newsletter.IssueStatus.EditorCanStart), transport); err != nil {
			t.Fatal(err)
		}
		return iss.ID
	}
	theirs := start("theirs", "smtp://mail.example:25")
	ours := start("ours", "outbox")
	legacy := start("legacy", "")

	var logBuf syncBuf
	var mu sync.Mutex
	ran := map[int64]int{}
	var calls atomic.Int32
	w := &scheduler.Workers{Store: e.st, Poll: 10 * time.Millisecond, Transport: "outbox",
		Log: slog.New(slog.NewTextHandler(&logBuf, nil)),
		Runner: scheduler.RunnerFunc(func(ctx context.Context, id int64) error {
			mu.Lock()
			ran[id]++
			mu.Unlock()
			calls.Add(1)
			<-ctx.Done() // one run per issue for the whole test
			return nil
		})}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { w.Run(runCtx); close(done) }()
	for deadline := time.Now().Add(10 * time.Second); calls.Load() < 2 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // several more polls
	stop()
	<-done

	mu.Lock()
	defer mu.Unlock()
	if ran[ours] != 1 || ran[legacy] != 1 || ran[theirs] != 0 {
		t.Errorf("runs per issue: ours %d, legacy %d, theirs %d; want 1, 1, 0", ran[ours], ran[legacy], ran[theirs])
	}
	log := logBuf.String()
	if n := strings.Count(log, "issue is sending via another transport"); n != 1 ||
		!strings.Contains(log, "issue_transport=smtp://mail.example:25 this_process=outbox") {
		t.Errorf("the log says %d times that the issue is left (want once, naming both transports):\n%s", n, log)
	}
}

// syncBuf is a log buffer written by several goroutines.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
