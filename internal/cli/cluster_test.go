package cli

// Helpers for tests that run several masthead processes against one
// PostgreSQL database: the binary built once per test, a seeded send, and
// worker processes.

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"masthead/assembly"
	"masthead/newsletter"
	"masthead/store"
)

// buildMasthead builds ./cmd/masthead into a temporary directory.
func buildMasthead(t testing.TB) string {
	t.Helper()
	return filepath.Join(buildBinaries(t), "masthead")
}

// buildBinaries builds masthead and the SMTP sink (testdata/smtpsink) into a
// temporary directory, with one go build.
func buildBinaries(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("go", "build", "-o", dir+string(filepath.Separator),
		"masthead/cmd/masthead", "./testdata/smtpsink").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return dir
}

// sink is internal/smtptest's server (discarding, with reply latency) in a
// process of its own, so the test's race detector does not slow it down.
type sink struct {
	Addr string
	cmd  *exec.Cmd
	out  string
}

// received is one message the sink accepted.
type received struct {
	at time.Time
	to string
}

func startSink(t testing.TB, binDir string, latency time.Duration) *sink {
	t.Helper()
	s := &sink{out: filepath.Join(t.TempDir(), "received")}
	s.cmd = exec.Command(filepath.Join(binDir, "smtpsink"), "-latency", latency.String(), "-out", s.out)
	s.cmd.Stderr = os.Stderr
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			s.cmd.Process.Kill()
			s.cmd.Wait()
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("smtpsink: %v", err)
	}
	s.Addr = strings.TrimSpace(line)
	return s
}

// stop stops the sink and returns what it accepted, in order of acceptance.
func (s *sink) stop(t testing.TB) []received {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("smtpsink: %v", err)
	}
	b, err := os.ReadFile(s.out)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []received
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		ns, to, ok := strings.Cut(line, " ")
		n, err := strconv.ParseInt(ns, 10, 64)
		if !ok || err != nil {
			continue
		}
		msgs = append(msgs, received{at: time.Unix(0, n), to: to})
	}
	return msgs
}

// seedSend makes a publication with n active subscribers (reader00000@… on)
// and an assembled issue whose send has started: n queued rows. dsn is st's
// PostgreSQL database.
func seedSend(t testing.TB, st *store.Store, dsn string, n int) *newsletter.Issue {
	t.Helper()
	ctx := context.Background()
	p := &newsletter.Publication{Slug: "planet", Name: "The Daily Planet", From: "news@planet.example",
		Address: "Metropolis", VolumeStart: newsletter.Date{Year: 2007, Month: 2, Day: 7}}
	p.Normalize()
	if err := st.SavePublication(ctx, p); err != nil {
		t.Fatal(err)
	}
	d := newsletter.Date{Year: 2009, Month: 7, Day: 9}
	if err := st.SaveArticles(ctx, &newsletter.Article{PublicationID: p.ID, Date: d, Section: "News",
		Title: "Scaling out", Body: "Several senders share one send.", Status: newsletter.Ready}); err != nil {
		t.Fatal(err)
	}
	addSubscribers(t, dsn, p.ID, n)
	iss, err := assembly.New(st, "http://news.example").Assemble(ctx, p, d)
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.StartSend(ctx, iss.ID, newsletter.Statuses(newsletter.IssueStatus.EditorCanStart), "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Queued != n {
		t.Fatalf("queued %d rows, want %d", res.Queued, n)
	}
	return iss
}

// addSubscribers adds n active subscribers of publication pubID in two
// statements: the store's own import is one transaction per thousand rows,
// which a loaded machine makes the slowest part of a test.
func addSubscribers(t testing.TB, dsn string, pubID int64, n int) {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now().UnixMilli()
	if _, err := db.Exec(`INSERT INTO subscribers (email, name, status, created_at, updated_at)
		SELECT 'reader' || lpad(i::text, 5, '0') || '@example.org', '', 'active', $1, $1
		FROM generate_series(0, $2::int - 1) AS i`, now, n); err != nil {
		t.Fatalf("add subscribers: %v", err)
	}
	if _, err := db.Exec(`INSERT INTO subscriptions (subscriber_id, publication_id, status, created_at, updated_at)
		SELECT id, $2, 'active', $1, $1 FROM subscribers`, now, pubID); err != nil {
		t.Fatalf("subscribe: %v", err)
	}
}

func readerAddr(i int) string { return fmt.Sprintf("reader%05d@example.org", i) }

// startWorker starts `masthead worker --exit-when-idle` on dsn, sending to
// the SMTP server at addr; its log goes to logf.
func startWorker(t testing.TB, bin, dsn, addr, logf string, extra ...string) *exec.Cmd {
	t.Helper()
	f, err := os.Create(logf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	args := append([]string{"worker", "--db", dsn, "--smtp", "smtp://" + addr + "?tls=none",
		"--base-url", "http://news.example", "--exit-when-idle", "--poll", "200ms"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "MASTHEAD_SECRET=cluster-test-secret-0123456789", "MASTHEAD_ALLOW_LOCAL_LINKS=1")
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd
}

// waitExit waits for cmd to exit by itself within d, failing the test (with
// the tail of its log) if it does not or exits non-zero.
func waitExit(t testing.TB, cmd *exec.Cmd, d time.Duration, logf string) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("worker %d: %v\n%s", cmd.Process.Pid, err, tail(logf))
		}
	case <-time.After(d):
		cmd.Process.Kill()
		<-done
		t.Errorf("worker %d did not finish within %v\n%s", cmd.Process.Pid, d, tail(logf))
	}
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-15):], "\n")
}

// copiesPerRecipient counts accepted messages by recipient.
func copiesPerRecipient(msgs []received) map[string]int {
	got := map[string]int{}
	for _, m := range msgs {
		got[m.to]++
	}
	return got
}
