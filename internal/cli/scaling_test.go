package cli

import (
	"flag"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"masthead/internal/testenv"
	"masthead/store/storetest"
)

var scaling = flag.Bool("scaling", false, "run TestScaling: measure worker processes on PostgreSQL (see docs/SCALING.md)")

// TestScaling measures, on PostgreSQL, the throughput of 1, 2 and 4 worker
// processes against an SMTP server that takes 5 ms over each reply (the
// scaling curve), and the global rate limit held across three workers. The
// throughput depends on the machine, so it is printed, not asserted; what it
// asserts holds anywhere: every subscriber got exactly one copy in each run,
// and the busiest second of the rate-limited run stays within the bound the
// shared limit promises (rate × (1 s + 50 ms), docs/SCALING.md):
//
//	go test -run TestScaling -v -count=1 ./internal/cli/ -scaling
//
// Optional: -scaling.messages N (per run), -scaling.connections N (per worker).
func TestScaling(t *testing.T) {
	if !*scaling {
		t.Skip("a measurement: run with -scaling")
	}
	bins := buildBinaries(t)
	conns := fmt.Sprint(*scalingConns)
	for _, workers := range []int{1, 2, 4} {
		r := measure(t, bins, workers, *scalingMessages, "--connections", conns)
		t.Logf("workers=%d connections/worker=%s messages=%d: %.0f msg/s (first to last accepted, %v)",
			workers, conns, r.count, r.perSecond, r.span.Round(time.Millisecond))
	}
	const limit = 200
	r := measure(t, bins, 3, 3000, "--connections", conns, "--rate", fmt.Sprint(limit))
	t.Logf("rate limit %d/s over 3 workers: %.1f msg/s overall, at most %d in any 1 s window, %d messages in %v",
		limit, r.perSecond, r.maxWindow, r.count, r.span.Round(time.Millisecond))
	if bound := limit + limit/20; r.maxWindow > bound {
		t.Errorf("%d messages in one second over 3 workers with --rate %d; the shared limit allows %d", r.maxWindow, limit, bound)
	}
}

var (
	scalingMessages = flag.Int("scaling.messages", 6000, "messages per TestScaling run")
	scalingConns    = flag.Int("scaling.connections", 4, "SMTP connections per worker in TestScaling")
)

type measurement struct {
	count     int
	span      time.Duration
	perSecond float64
	maxWindow int // most messages accepted within any one second
}

// measure sends n messages with `workers` worker processes on a fresh
// PostgreSQL database and reads the rates off the SMTP server's clock.
func measure(t *testing.T, bins string, workers, n int, args ...string) measurement {
	t.Helper()
	dsn := testenv.Postgres(t)
	st := storetest.OpenDSN(t, dsn)
	seedSend(t, st, dsn, n)
	srv := startSink(t, bins, 5*time.Millisecond)
	bin := filepath.Join(bins, "masthead")
	dir := t.TempDir()
	var logs []string
	for i := range workers {
		logs = append(logs, filepath.Join(dir, fmt.Sprintf("w%d.log", i)))
	}
	cmds := make([]*exec.Cmd, 0, workers)
	for i := range workers {
		cmds = append(cmds, startWorker(t, bin, dsn, srv.Addr, logs[i], args...))
	}
	for i, c := range cmds {
		waitExit(t, c, 10*time.Minute, logs[i])
	}
	msgs := srv.stop(t)
	perRcpt := copiesPerRecipient(msgs)
	if len(perRcpt) != n || len(msgs) != n {
		t.Fatalf("%d messages to %d recipients arrived; want one to each of %d", len(msgs), len(perRcpt), n)
	}
	times := make([]time.Time, len(msgs))
	for i, m := range msgs {
		times[i] = m.at
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	r := measurement{count: len(times), span: times[len(times)-1].Sub(times[0])}
	if r.span > 0 {
		r.perSecond = float64(len(times)-1) / r.span.Seconds()
	}
	lo := 0
	for hi := range times {
		for times[hi].Sub(times[lo]) >= time.Second {
			lo++
		}
		r.maxWindow = max(r.maxWindow, hi-lo+1)
	}
	return r
}
