package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"masthead/internal/testenv"
	"masthead/newsletter"
	"masthead/store"
	"masthead/store/storetest"
	"masthead/subscribers"
)

// Two serve processes on one PostgreSQL database: one fires the schedules
// (the leader lease), the publication's issue of the day is made and sent
// once, and when the leader is killed with SIGKILL the other takes the
// schedules over.
func TestServeLeaderOnPostgres(t *testing.T) {
	t.Parallel() // mostly waiting for fires and the lease: overlap it with the rest
	dsn := testenv.Postgres(t)
	bin := buildMasthead(t)
	st := storetest.OpenDSN(t, dsn)
	today := newsletter.DateIn(time.Now(), time.UTC)
	planet := everySecondPublication(t, st, "planet", today, 3)

	dir := t.TempDir()
	serves := map[int]*exec.Cmd{}
	logs := map[int]string{}
	for i := range 2 {
		logf := filepath.Join(dir, fmt.Sprintf("serve%d.log", i))
		cmd := startServeOn(t, bin, dsn, logf)
		serves[cmd.Process.Pid], logs[cmd.Process.Pid] = cmd, logf
	}
	allLogs := func() string {
		var b strings.Builder
		for pid, f := range logs {
			fmt.Fprintf(&b, "--- serve %d\n%s\n", pid, tail(f))
		}
		return b.String()
	}

	iss := waitSent(t, st, planet, today, 60*time.Second, allLogs)
	leader := leaderPid(t, st)
	if serves[leader] == nil {
		t.Fatalf("the scheduler lease is held by pid %d, not one of the serve processes", leader)
	}
	assertOneSend(t, st, planet, iss, 3)
	for pid, f := range logs {
		took := strings.Contains(readFile(t, f), "this process now fires the schedules")
		if took != (pid == leader) {
			t.Errorf("serve %d (leader %d) took the schedules: %v\n%s", pid, leader, took, allLogs())
		}
	}

	if err := serves[leader].Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	serves[leader].Wait()
	delete(serves, leader)
	var survivor int
	for pid := range serves {
		survivor = pid
	}

	// A publication added after the leader died: only a new leader fires it.
	gazette := everySecondPublication(t, st, "gazette", today, 2)
	iss2 := waitSent(t, st, gazette, today, 60*time.Second, allLogs)
	if now := leaderPid(t, st); now != survivor {
		t.Errorf("after the kill the lease is held by pid %d, want the survivor %d", now, survivor)
	}
	assertOneSend(t, st, gazette, iss2, 2)
	// The survivor fired every second as leader and still made no second
	// issue or send of the first publication's day.
	assertOneSend(t, st, planet, iss, 3)
	if err := serves[survivor].Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := serves[survivor].Wait(); err != nil {
		t.Errorf("serve %d after SIGTERM: %v\n%s", survivor, err, tail(logs[survivor]))
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// everySecondPublication makes a publication whose schedule fires every
// second, with one ready article dated d and n active subscribers.
func everySecondPublication(t *testing.T, st *store.Store, slug string, d newsletter.Date, n int) *newsletter.Publication {
	t.Helper()
	ctx := context.Background()
	p := &newsletter.Publication{Slug: slug, Name: "The " + slug, From: "news@" + slug + ".example", Address: "Metropolis",
		TimeZone: "UTC", Schedule: "* * * * * *", VolumeStart: newsletter.Date{Year: 2007, Month: 2, Day: 7}}
	p.Normalize()
	if err := st.SavePublication(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveArticles(ctx, &newsletter.Article{PublicationID: p.ID, Date: d, Section: "News",
		Title: "Lead of " + slug, Body: "Body.", Status: newsletter.Ready}); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := st.AddSubscriber(ctx, fmt.Sprintf("%s%d@example.org", slug, i), "", p.ID,
			subscribers.Active, subscribers.ViaEditor); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// startServeOn starts `masthead serve` on dsn with the built-in outbox and a
// 3 s leader lease.
func startServeOn(t *testing.T, bin, dsn, logf string) *exec.Cmd {
	t.Helper()
	f, err := os.Create(logf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	cmd := exec.Command(bin, "serve", "--db", dsn, "--addr", testenv.Addr(testenv.FreePort(t)), "--no-sample",
		"--leader-lease", "3s", "--base-url", "http://news.example")
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

// waitSent waits for p's issue of d to be sent.
func waitSent(t *testing.T, st *store.Store, p *newsletter.Publication, d newsletter.Date, limit time.Duration,
	logs func() string) *newsletter.Issue {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		iss, err := st.IssueByDate(context.Background(), p.ID, d)
		if err == nil && iss.Status == newsletter.Sent {
			return iss
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s's issue of %s not sent within %v (%v, %v)\n%s", p.Slug, d, limit, iss, err, logs())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// leaderPid is the pid in the scheduler lease's owner ("host:pid:random").
func leaderPid(t *testing.T, st *store.Store) int {
	t.Helper()
	owner, _, err := st.LeaseHolder(context.Background(), "scheduler")
	if err != nil {
		t.Fatalf("scheduler lease: %v", err)
	}
	parts := strings.Split(owner, ":")
	if len(parts) != 3 {
		t.Fatalf("scheduler lease owner %q is not host:pid:random", owner)
	}
	pid, err := strconv.Atoi(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// assertOneSend checks that p has one issue, iss, and that its n
// subscribers got one message each.
func assertOneSend(t *testing.T, st *store.Store, p *newsletter.Publication, iss *newsletter.Issue, n int) {
	t.Helper()
	ctx := context.Background()
	list, err := st.Issues(ctx, store.IssueFilter{PublicationID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != iss.ID {
		t.Errorf("%s has %d issues, want the one", p.Slug, len(list))
	}
	msgs, err := st.Outbox(ctx, store.OutboxFilter{IssueID: iss.ID})
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]int{}
	for _, m := range msgs {
		per[m.Recipient]++
	}
	if len(msgs) != n || len(per) != n {
		t.Errorf("%s's issue: %d messages to %d recipients, want %d to %d", p.Slug, len(msgs), len(per), n, n)
	}
}
