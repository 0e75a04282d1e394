package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Report is what one Run measured.
type Report struct {
	Machine  Machine  `json:"machine"`
	Settings Settings `json:"settings"`
	Fixture  Fixture  `json:"fixture"`
	// Runs are the send and ceiling measurements, by connection count.
	Runs []*Measurement `json:"runs"`
	// Overhead is the engine with a sender that does no SMTP.
	Overhead *Measurement `json:"overhead,omitempty"`
	Web      *Measurement `json:"web,omitempty"`
	Redirect *Measurement `json:"redirect,omitempty"`
	Seconds  float64      `json:"seconds"` // the whole run
}

// Settings are the options a report was made with.
type Settings struct {
	Subscribers    int           `json:"subscribers"`
	Articles       int           `json:"articles"`
	Latency        time.Duration `json:"latency_ns"` // round trip to the SMTP server
	DKIM           string        `json:"dkim,omitempty"`
	Connections    []int         `json:"connections"`
	What           []string      `json:"what"`
	RunLimit       time.Duration `json:"run_limit_ns"`
	ClaimBatch     int           `json:"claim_batch,omitempty"`
	RecordBatch    int           `json:"record_batch,omitempty"`
	WebDuration    time.Duration `json:"web_duration_ns"`
	WebClients     int           `json:"web_clients"`
	WebConnections int           `json:"web_connections"`
	ChildProcesses bool          `json:"child_processes"`
}

// Run builds the fixture, starts the discard SMTP server and makes the
// measurements o asks for, each in a child process when o.Spawn is set. It
// stops early, with an error, when ctx is done.
func Run(ctx context.Context, o Options) (*Report, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	began := time.Now()
	rep := &Report{Machine: machine(), Settings: Settings{
		Subscribers: o.Subscribers, Articles: o.Articles, Latency: o.Latency, DKIM: o.DKIM, Connections: o.Connections,
		What: o.What, RunLimit: o.RunLimit, ClaimBatch: o.ClaimBatch, RecordBatch: o.RecordBatch,
		WebDuration: o.WebDuration, WebClients: o.WebClients, WebConnections: o.WebConnections,
		ChildProcesses: o.Spawn != nil,
	}}
	dir := o.Dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "masthead-bench-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	srv, err := startSink(o.Latency)
	if err != nil {
		return nil, fmt.Errorf("SMTP server: %w", err)
	}
	defer srv.Close()

	o.Log.Info("building the database", "subscribers", o.Subscribers, "dir", dir)
	archive := 0
	if o.wants(WhatWeb) {
		archive = archiveIssues
	}
	fx, err := buildFixture(ctx, filepath.Join(dir, "template.db"), o.Subscribers, o.Articles, archive)
	if err != nil {
		return nil, fmt.Errorf("fixture: %w", err)
	}
	rep.Fixture = *fx
	r := &runner{o: &o, dir: dir, srv: srv, fx: fx}
	var dkimKey string
	if o.DKIM != "" && o.wants(WhatSend) {
		if dkimKey, err = writeDKIMKey(dir, o.DKIM); err != nil {
			return nil, fmt.Errorf("DKIM key: %w", err)
		}
	}

	for _, conns := range o.Connections {
		var raw, ceiling *Measurement
		for _, kind := range []string{WhatRaw, WhatCeiling} {
			if !o.wants(kind) {
				continue
			}
			m, err := r.measure(ctx, task{Kind: kind, Connections: conns}, true)
			if err != nil {
				return nil, err
			}
			if kind == WhatRaw {
				raw = m
			} else {
				ceiling = m
			}
			rep.Runs = append(rep.Runs, m)
		}
		if !o.wants(WhatSend) {
			continue
		}
		keys := []string{""}
		if dkimKey != "" {
			keys = append(keys, dkimKey)
		}
		for _, key := range keys {
			m, err := r.measure(ctx, task{Kind: WhatSend, Connections: conns, DKIMKey: key}, true)
			if err != nil {
				return nil, err
			}
			m.compare(raw, ceiling)
			rep.Runs = append(rep.Runs, m)
		}
	}
	if o.wants(WhatOverhead) {
		m, err := r.measure(ctx, task{Kind: WhatOverhead, Connections: slices.Max(o.Connections)}, false)
		if err != nil {
			return nil, err
		}
		rep.Overhead = m
	}
	if o.wants(WhatWeb) {
		m, err := r.measure(ctx, task{Kind: WhatWeb, Connections: o.WebConnections,
			WebDuration: o.WebDuration, WebClients: o.WebClients}, false)
		if err != nil {
			return nil, err
		}
		rep.Web = m
	}
	if o.wants(WhatRedirect) {
		m, err := r.measure(ctx, task{Kind: WhatRedirect, Connections: o.WebConnections,
			WebDuration: o.WebDuration, WebClients: o.WebClients}, false)
		if err != nil {
			return nil, err
		}
		rep.Redirect = m
	}
	rep.Machine.LoadEnd = loadAvg()
	rep.Seconds = time.Since(began).Seconds()
	return rep, nil
}

// compare sets a send's ratios to the ceilings measured with the same
// connections in the same run.
func (m *Measurement) compare(raw, ceiling *Measurement) {
	if ceiling != nil && ceiling.PerSecond > 0 {
		m.Ratio = m.PerSecond / ceiling.PerSecond
	}
	if raw != nil && raw.PerSecond > 0 && raw.CPUPer1000 > 0 {
		m.RawRatio = m.PerSecond / raw.PerSecond
		m.RawCPURatio = m.CPUPer1000 / raw.CPUPer1000
	}
}

// runner makes measurements against one fixture and server.
type runner struct {
	o   *Options
	dir string
	srv *sink
	fx  *Fixture
	n   int
}

// measure runs one task on a fresh copy of the fixture. With check, every
// message the task reports sent must have reached the server.
func (r *runner) measure(ctx context.Context, t task, check bool) (*Measurement, error) {
	r.n++
	name := fmt.Sprintf("%02d-%s-%d", r.n, t.Kind, t.Connections)
	t.DB = filepath.Join(r.dir, name+".db")
	if err := copyDB(r.fx.Path, t.DB); err != nil {
		return nil, err
	}
	defer func() {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(t.DB + suffix)
		}
	}()
	t.SMTP, t.Fixture, t.Latency = r.srv.Addr, *r.fx, r.o.Latency
	t.Messages, t.Limit = r.fx.Subscribers, r.o.RunLimit
	t.ClaimBatch, t.RecordBatch = r.o.ClaimBatch, r.o.RecordBatch
	if r.o.Profile != "" && t.Kind != WhatWeb && t.Kind != WhatRedirect {
		if err := os.MkdirAll(r.o.Profile, 0o755); err != nil {
			return nil, err
		}
		kind := t.Kind
		if t.DKIMKey != "" {
			kind += "-dkim"
		}
		t.Profile = filepath.Join(r.o.Profile, fmt.Sprintf("%s-%d.pprof", kind, t.Connections))
	}
	r.srv.Reset()
	r.o.Log.Info("measuring", "what", t.Kind, "connections", t.Connections)
	m, err := r.run(ctx, &t)
	if err != nil {
		return nil, fmt.Errorf("%s with %d connections: %w", t.Kind, t.Connections, err)
	}
	if check && r.srv.Count() != m.Messages {
		return nil, fmt.Errorf("%s with %d connections: reported %d messages sent, the server accepted %d",
			t.Kind, t.Connections, m.Messages, r.srv.Count())
	}
	r.srv.Reset()
	return m, nil
}

// run runs a task in a child process, or here when there is no Spawn.
func (r *runner) run(ctx context.Context, t *task) (*Measurement, error) {
	if r.o.Spawn == nil {
		return runTask(ctx, t, r.o.Log)
	}
	data, err := json.Marshal(t)
	if err != nil {
		return nil, err
	}
	cmd := r.o.Spawn(data)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start child: %w", err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err = <-waited:
	case <-ctx.Done():
		cmd.Process.Kill()
		<-waited
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("child: %w: %s", err, lastLines(stderr.String(), 10))
	}
	var m Measurement
	if err := json.Unmarshal(stdout.Bytes(), &m); err != nil {
		return nil, fmt.Errorf("child output: %w: %q", err, lastLines(stdout.String(), 5))
	}
	return &m, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
