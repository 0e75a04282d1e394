package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// childTask is the environment variable that makes the test binary a
// measurement's child process (see TestMain).
const childTask = "MASTHEAD_BENCH_TEST_TASK"

func TestMain(m *testing.M) {
	if t := os.Getenv(childTask); t != "" {
		if err := RunTask(context.Background(), []byte(t), os.Stdout, nil); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestRun makes every measurement with tiny settings, each in a child process
// as 'masthead bench' does, and checks that the report is complete and
// consistent. It asserts no timing: it only shows the benchmark still runs.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const subs = 100
	profiles := t.TempDir()
	rep, err := Run(ctx, Options{
		Subscribers: subs, Articles: 3, Connections: []int{1, 2}, DKIM: "ed25519",
		WebDuration: 200 * time.Millisecond, WebClients: 2, WebConnections: 1,
		Dir: t.TempDir(), Profile: profiles,
		Spawn: func(task []byte) *exec.Cmd {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), childTask+"="+string(task))
			return cmd
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, rep, subs, []int{1, 2})
	for _, name := range []string{"send-1.pprof", "send-dkim-2.pprof", "ceiling-2.pprof", "raw-1.pprof"} {
		if fi, err := os.Stat(filepath.Join(profiles, name)); err != nil || fi.Size() == 0 {
			t.Errorf("profile %s: %v", name, err)
		}
	}

	// The JSON form round-trips and the tables name every measurement.
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	checkReport(t, &back, subs, []int{1, 2})
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"masthead bench: 100 subscribers", "masthead without SMTP", "go-mail ceiling", "raw bytes", "masthead", "masthead DKIM ed25519", "vs raw", "vs go-mail", "CPU vs raw",
		"POST /subscribe", "POST /unsubscribe/{token} (one-click)", "GET /issues/{slug}/ (archive)", "sending"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
}

// TestRunInProcess makes only the send in this process, with a limit on the
// run that an SMTP latency makes it reach: the report says it stopped early.
func TestRunInProcess(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep, err := Run(ctx, Options{Subscribers: 200, Articles: 2, Connections: []int{1},
		What: []string{WhatSend}, Latency: 10 * time.Millisecond, RunLimit: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Runs) != 1 || rep.Web != nil {
		t.Fatalf("runs %d, web %v: want the one send", len(rep.Runs), rep.Web)
	}
	m := rep.Runs[0]
	if m.Kind != WhatSend || m.OwnProcess || !m.Stopped || m.Messages == 0 || m.Messages >= 200 {
		t.Errorf("send = %+v: want some but not all of 200 messages, stopped, in this process", m)
	}
}

func TestOptions(t *testing.T) {
	for _, o := range []Options{
		{Connections: []int{0}},
		{What: []string{"send", "fax"}},
		{Latency: -time.Second},
		{DKIM: "dsa"},
	} {
		if err := o.defaults(); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}

func checkReport(t *testing.T, rep *Report, subs int, conns []int) {
	t.Helper()
	if rep.Machine.CPUs < 1 || rep.Machine.GoVersion == "" || rep.Machine.LoadStart == "" {
		t.Errorf("machine = %+v", rep.Machine)
	}
	if rep.Fixture.Subscribers != subs || rep.Fixture.HTMLBytes == 0 || rep.Fixture.MessageBytes <= rep.Fixture.HTMLBytes || rep.Fixture.DBBytes == 0 || rep.Fixture.IssueID == 0 {
		t.Errorf("fixture = %+v", rep.Fixture)
	}
	if len(rep.Runs) != 4*len(conns) {
		t.Fatalf("%d runs, want raw bytes, a ceiling, a send and a signed send per connection count (%v)", len(rep.Runs), conns)
	}
	for i, m := range rep.Runs {
		wantKind := []string{WhatRaw, WhatCeiling, WhatSend, WhatSend}[i%4]
		if m.Kind != wantKind || m.Connections != conns[i/4] || (m.DKIM != "") != (i%4 == 3) {
			t.Errorf("run %d is %s (DKIM %q) with %d connections, want %s with %d", i, m.Kind, m.DKIM, m.Connections, wantKind, conns[i/4])
		}
		if m.GCPercent < 0 || m.GCPercent > 100 {
			t.Errorf("%s/%d: GC %.1f%% of the CPU", m.Kind, m.Connections, m.GCPercent)
		}
		if m.Messages != subs || m.Stopped {
			t.Errorf("%s/%d: %d messages (stopped %v), want all %d", m.Kind, m.Connections, m.Messages, m.Stopped, subs)
		}
		if !m.OwnProcess || m.PeakRSS <= 0 || m.Seconds <= 0 || m.PerSecond <= 0 || m.CPUSeconds <= 0 {
			t.Errorf("%s/%d: own process %v, peak RSS %d, %.3fs, %.1f/s, CPU %.3fs", m.Kind, m.Connections,
				m.OwnProcess, m.PeakRSS, m.Seconds, m.PerSecond, m.CPUSeconds)
		}
		if m.P50 <= 0 || m.P50 > m.P99 || m.P99 > m.Last {
			t.Errorf("%s/%d: p50 %s, p99 %s, last %s: not in order", m.Kind, m.Connections, m.P50, m.P99, m.Last)
		}
		if m.Kind == WhatSend && (m.Ratio <= 0 || m.RawRatio <= 0 || m.RawCPURatio <= 0 || m.DBBytes <= rep.Fixture.DBBytes) {
			t.Errorf("send/%d: ratios %.2f, %.2f, %.2f, database %d bytes after (%d before)", m.Connections,
				m.Ratio, m.RawRatio, m.RawCPURatio, m.DBBytes, rep.Fixture.DBBytes)
		}
	}
	if o := rep.Overhead; o == nil || o.Kind != WhatOverhead || o.Messages != subs || o.CPUPer1000 <= 0 || o.Connections != slices.Max(conns) {
		t.Errorf("overhead = %+v: want all %d messages with %d connections and their CPU", o, subs, slices.Max(conns))
	}
	w := rep.Web
	if w == nil || len(w.Web) != 6 {
		t.Fatalf("web = %+v: want 3 endpoints in 2 phases", w)
	}
	for _, e := range w.Web {
		if e.Requests == 0 || e.Errors != 0 || e.LoggedErrors != 0 || e.P99 < e.P50 {
			t.Errorf("web %s %s: %+v", e.Phase, e.Endpoint, e)
		}
	}
}
