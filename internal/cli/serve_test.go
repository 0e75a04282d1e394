package cli

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"masthead/internal/smtptest"
	"masthead/internal/testenv"
	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
)

// Tests of the built binary, as users run it (built once for both).
func TestServeBinary(t *testing.T) {
	bin := buildServeBinary(t)
	t.Run("README first command", func(t *testing.T) { testServeREADMEFirstCommand(t, bin) })
	t.Run("SIGTERM during a send", func(t *testing.T) { testServeSIGTERMDuringSend(t, bin) })
	t.Run("second signal", func(t *testing.T) { testServeSecondSignal(t, bin) })
	t.Run("trust proxy", func(t *testing.T) { testServeTrustProxy(t, bin) })
	t.Run("HTTP limits", func(t *testing.T) { testServeHTTPLimits(t, bin) })
	t.Run("upload memory", func(t *testing.T) { testServeUploadMemory(t, bin) })
}

// The README's first command, `masthead serve` in an empty directory with the
// embedded defaults, shows a sent sample issue in the built-in outbox within
// a minute, answers /healthz and /readyz, and stops cleanly on SIGTERM.
func testServeREADMEFirstCommand(t *testing.T, bin string) {
	dir := t.TempDir()
	addr := testenv.Addr(testenv.FreePort(t))
	p := startServe(t, bin, dir, nil, "serve", "--addr", addr)

	waitHTTP(t, p, "http://"+addr+"/healthz")
	waitHTTP(t, p, "http://"+addr+"/readyz")
	if !strings.Contains(p.log(), "sample publication created; its first issue goes to the outbox at") {
		t.Errorf("the log does not announce the sample issue:\n%s", p.log())
	}

	st := openStoreAt(t, filepath.Join(dir, "masthead.db"))
	var sent *newsletter.Issue
	deadline := time.Now().Add(time.Minute)
	for sent == nil && time.Now().Before(deadline) {
		time.Sleep(250 * time.Millisecond)
		list, err := st.Issues(context.Background(), store.IssueFilter{Statuses: []newsletter.IssueStatus{newsletter.Sent}})
		if err == nil && len(list) > 0 {
			sent = list[0]
		}
	}
	if sent == nil {
		t.Fatalf("no sample issue was sent within a minute\n%s", p.log())
	}
	msgs, err := st.Outbox(context.Background(), store.OutboxFilter{IssueID: sent.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 {
		t.Fatalf("outbox has %d messages of the sample issue; want 3 (one per sample subscriber)", len(msgs))
	}
	raw, err := st.OutboxByID(context.Background(), msgs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Welcome to masthead", "Volume 1, Number 1", "List-Unsubscribe"} {
		if !bytes.Contains(raw.Raw, []byte(s)) {
			t.Errorf("the sample message lacks %q", s)
		}
	}
	p.stop(t)
	if !strings.Contains(p.log(), "msg=stopped") {
		t.Errorf("serve did not log a clean stop:\n%s", p.log())
	}
}

// An editor's one-off schedule is kept in the database: serve stopped before
// the time and started again sends it at the time, once; a third start sends
// nothing more.
func TestServeOneOffSurvivesRestart(t *testing.T) {
	db := newDB(t)
	st := openStoreAt(t, db)
	p, _ := servePublication(t, st, 3)
	at := time.Now().Add(4 * time.Second).Truncate(time.Second)
	code, out, errs := runCLI(t, db, "", "issue", "schedule", "--at", at.Format(time.RFC3339))
	if code != 0 || !strings.Contains(out, "scheduled, goes at") {
		t.Fatalf("issue schedule: %d %q %q", code, out, errs)
	}

	first := serveInProcess(t, db)
	time.Sleep(time.Second)
	first.stop(t)
	iss, err := st.IssueByDate(context.Background(), p.ID, p.Today(time.Now()))
	if err != nil || iss.Status != newsletter.Scheduled {
		t.Fatalf("after a stop before its time the issue is %v, %v; want scheduled", iss, err)
	}

	second := serveInProcess(t, db)
	waitStatus(t, st, iss.ID, newsletter.Sent, 30*time.Second, second.log)
	second.stop(t)
	if strings.Count(second.log(), "scheduled issue: sent") != 1 {
		t.Errorf("the second serve did not send the one-off once:\n%s", second.log())
	}
	third := serveInProcess(t, db)
	time.Sleep(2 * time.Second)
	third.stop(t)
	if strings.Contains(third.log(), "scheduled issue: sent") {
		t.Errorf("the third serve sent the one-off again:\n%s", third.log())
	}
	msgs, err := st.Outbox(context.Background(), store.OutboxFilter{IssueID: iss.ID})
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]int{}
	for _, m := range msgs {
		per[m.Recipient]++
	}
	if len(msgs) != 3 || len(per) != 3 {
		t.Errorf("outbox has %d messages for %d recipients; want 3 for 3", len(msgs), len(per))
	}
}

// SIGTERM in the middle of a send stops serve cleanly with the send
// unfinished; serve started again completes it, and nobody gets a second copy
// beyond the messages in flight (one per connection).
func testServeSIGTERMDuringSend(t *testing.T, bin string) {
	const n, connections = 200, 4
	srv, err := smtptest.Start(smtptest.Options{Latency: 15 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	db := newDB(t)
	st := openStoreAt(t, db)
	p, _ := servePublication(t, st, n)
	at := time.Now().Add(2 * time.Second).Truncate(time.Second)
	if code, out, errs := runCLI(t, db, "", "issue", "schedule", "--at", at.Format(time.RFC3339)); code != 0 {
		t.Fatalf("issue schedule: %d %q %q", code, out, errs)
	}
	iss, err := st.IssueByDate(context.Background(), p.ID, p.Today(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"serve", "--db", db, "--smtp", "smtp://" + srv.Addr + "?tls=none", "--no-sample",
		"--connections", fmt.Sprint(connections)}

	first := startServe(t, bin, t.TempDir(), nil, append(args, "--addr", testenv.Addr(testenv.FreePort(t)))...)
	deadline := time.Now().Add(30 * time.Second)
	for srv.Count() < n/5 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	first.stop(t)
	sentBefore := srv.Count()
	if sentBefore < n/5 || sentBefore >= n {
		t.Fatalf("at SIGTERM %d of %d messages were sent; the test needs a send in the middle\n%s", sentBefore, n, first.log())
	}
	if status, _ := st.IssueStatus(context.Background(), iss.ID); status != newsletter.Sending {
		t.Fatalf("after SIGTERM the issue is %s; want sending", status)
	}

	second := startServe(t, bin, t.TempDir(), nil, append(args, "--addr", testenv.Addr(testenv.FreePort(t)))...)
	waitStatus(t, st, iss.ID, newsletter.Sent, time.Minute, second.log)
	second.stop(t)

	copies := map[string]int{}
	for _, m := range srv.Messages() {
		for _, to := range m.To {
			copies[to]++
		}
	}
	dups := 0
	for _, c := range copies {
		dups += c - 1
	}
	if len(copies) != n {
		t.Errorf("%d of %d subscribers got the issue", len(copies), n)
	}
	t.Logf("SIGTERM after %d of %d messages; %d duplicates after the restart", sentBefore, n, dups)
	if dups > connections {
		t.Errorf("%d second copies; at most %d (the messages in flight) may repeat", dups, connections)
	}
}

// servePublication makes a publication with n active subscribers and ready
// articles for today.
func servePublication(t *testing.T, st *store.Store, n int) (*newsletter.Publication, newsletter.Date) {
	t.Helper()
	ctx := context.Background()
	p := &newsletter.Publication{Slug: "planet", Name: "The Daily Planet", From: "news@planet.example",
		Address: "Metropolis", VolumeStart: newsletter.Date{Year: 2007, Month: 2, Day: 7}}
	p.Normalize()
	if err := st.SavePublication(ctx, p); err != nil {
		t.Fatal(err)
	}
	d := p.Today(time.Now())
	if err := st.SaveArticles(ctx, &newsletter.Article{PublicationID: p.ID, Date: d, Title: "Heat Wave Arrives",
		Body: "It is hot.", Status: newsletter.Ready}); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := st.AddSubscriber(ctx, fmt.Sprintf("reader%04d@example.org", i), "", p.ID, subscribers.Active, subscribers.ViaEditor); err != nil {
			t.Fatal(err)
		}
	}
	return p, d
}

func openStoreAt(t *testing.T, path string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func waitStatus(t *testing.T, st *store.Store, id int64, want newsletter.IssueStatus, d time.Duration, log func() string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		got, err := st.IssueStatus(context.Background(), id)
		if err == nil && got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("issue %d is %s (%v) after %s; want %s\n%s", id, got, err, d, want, log())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// serving is a running serve: a child process or an in-process Run.
type serving struct {
	cmd    *exec.Cmd          // child process
	cancel context.CancelFunc // in process
	done   chan int
	buf    *lockedBuf
	addr   string // where it listens, when the test chose it
}

func (s *serving) log() string { return s.buf.String() }

// stop sends SIGTERM (or cancels, as main does on it) and waits for a clean exit.
func (s *serving) stop(t *testing.T) {
	t.Helper()
	if s.cmd != nil {
		s.cmd.Process.Signal(syscall.SIGTERM)
	} else {
		s.cancel()
	}
	select {
	case code := <-s.done:
		if code != 0 {
			t.Fatalf("serve exited %d\n%s", code, s.log())
		}
	case <-time.After(30 * time.Second):
		if s.cmd != nil {
			s.cmd.Process.Kill()
		}
		t.Fatalf("serve did not stop within 30s of SIGTERM\n%s", s.log())
	}
}

// startServe runs the binary with args in dir, with no MASTHEAD_ variables
// but those in env.
func startServe(t *testing.T, bin, dir string, env []string, args ...string) *serving {
	t.Helper()
	s := &serving{done: make(chan int, 1), buf: &lockedBuf{}}
	s.cmd = exec.Command(bin, args...)
	s.cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MASTHEAD_") {
			s.cmd.Env = append(s.cmd.Env, kv)
		}
	}
	s.cmd.Env = append(s.cmd.Env, "MASTHEAD_ALLOW_LOCAL_LINKS=1") // links to the loopback (testGetenv)
	s.cmd.Env = append(s.cmd.Env, env...)
	s.cmd.Stdout, s.cmd.Stderr = s.buf, s.buf
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		s.cmd.Wait()
		s.done <- s.cmd.ProcessState.ExitCode()
	}()
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			s.cmd.Process.Kill()
		}
	})
	return s
}

// serveInProcess runs `masthead serve --no-sample [args]` on db in this
// process, on a free port of the loopback.
func serveInProcess(t *testing.T, db string, args ...string) *serving {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &serving{cancel: cancel, done: make(chan int, 1), buf: &lockedBuf{}}
	env := map[string]string{"MASTHEAD_DB": db}
	s.addr = testenv.Addr(testenv.FreePort(t))
	go func() {
		s.done <- Run(ctx, append([]string{"serve", "--addr", s.addr, "--no-sample"}, args...), Env{
			Getenv: testGetenv(env), Stdin: strings.NewReader(""), Stdout: s.buf, Stderr: s.buf})
	}()
	t.Cleanup(cancel)
	return s
}

// waitHTTP waits for url to answer 200.
func waitHTTP(t *testing.T, s *serving, url string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v (status %v)\n%s", url, err, resp, s.log())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// buildServeBinary builds ./cmd/masthead, as the README's users run it.
func buildServeBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "masthead")
	out, err := exec.Command("go", "build", "-o", bin, "masthead/cmd/masthead").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// lockedBuf is a log buffer written by several goroutines (or a child's
// stdout and stderr at once).
type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
