package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"time"
)

// task is one measurement, as the parent hands it to a child process (JSON).
type task struct {
	Kind        string        `json:"kind"` // WhatSend, WhatCeiling, WhatOverhead, WhatWeb
	DB          string        `json:"db"`
	SMTP        string        `json:"smtp"` // host:port of the discard server
	Fixture     Fixture       `json:"fixture"`
	Connections int           `json:"connections"`
	Latency     time.Duration `json:"latency"` // the server's, for the report
	Messages    int           `json:"messages"`
	Limit       time.Duration `json:"limit"`
	ClaimBatch  int           `json:"claim_batch,omitempty"`
	DKIMKey     string        `json:"dkim_key,omitempty"` // PEM file: the send signs with it
	RecordBatch int           `json:"record_batch,omitempty"`
	Profile     string        `json:"profile,omitempty"` // CPU profile file
	WebDuration time.Duration `json:"web_duration,omitempty"`
	WebClients  int           `json:"web_clients,omitempty"`
}

// Measurement is the result of one task.
type Measurement struct {
	Kind        string        `json:"kind"`
	Connections int           `json:"connections"`
	Latency     time.Duration `json:"latency_ns"`
	Messages    int           `json:"messages"` // accepted by the server
	Seconds     float64       `json:"seconds"`  // wall time of the send (masthead: Engine.Run)
	PerSecond   float64       `json:"per_second"`
	// Ratio is messages per second over the go-mail ceiling's with the same
	// connections in the same run (send only; 0 when not measured).
	Ratio float64 `json:"ratio,omitempty"`
	// RawRatio and RawCPURatio are messages per second and CPU per message
	// over the raw-bytes limit's with the same connections in the same run
	// (send only; 0 when not measured).
	RawRatio    float64 `json:"raw_ratio,omitempty"`
	RawCPURatio float64 `json:"raw_cpu_ratio,omitempty"`
	DKIM        string  `json:"dkim,omitempty"` // the send signed with a key of this kind
	CPUSeconds  float64 `json:"cpu_seconds"`    // user + system of the measuring process during the send
	GCPercent   float64 `json:"gc_percent"`     // of CPUSeconds, spent by the garbage collector (runtime/metrics)
	// CPUPer1000 is CPU seconds per 1,000 messages.
	CPUPer1000 float64 `json:"cpu_per_1000"`
	PeakRSS    int64   `json:"peak_rss"`    // VmHWM of the measuring process, bytes
	OwnProcess bool    `json:"own_process"` // false: PeakRSS and CPU include the parent's SMTP server
	// SnapshotSeconds is StartSend: one delivery row per subscriber (send only).
	SnapshotSeconds    float64 `json:"snapshot_seconds,omitempty"`
	SnapshotCPUSeconds float64 `json:"snapshot_cpu_seconds,omitempty"` // included in CPUSeconds
	// P50, P99 and Last are the times from the start (masthead: before the
	// snapshot) to the acceptance of the 50th and 99th percentile and the
	// last message.
	P50     time.Duration `json:"p50_ns"`
	P99     time.Duration `json:"p99_ns"`
	Last    time.Duration `json:"last_ns"`
	DBBytes int64         `json:"db_bytes,omitempty"` // database with WAL after the send
	// Stopped says the send hit the run limit before every message went.
	Stopped bool          `json:"stopped,omitempty"`
	Web     []WebEndpoint `json:"web,omitempty"`
	// Sending is how many messages the send of the web measurement got out
	// during its loaded phase.
	Sending int `json:"sending_messages,omitempty"`
}

// RunTask runs one measurement handed over by Run (in a child process: see
// Options.Spawn) and writes its Measurement as JSON to w.
func RunTask(ctx context.Context, taskJSON []byte, w io.Writer, log *slog.Logger) error {
	var t task
	if err := json.Unmarshal(taskJSON, &t); err != nil {
		return fmt.Errorf("bench task: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m, err := runTask(ctx, &t, log)
	if err != nil {
		return err
	}
	m.OwnProcess = true
	return json.NewEncoder(w).Encode(m)
}

func runTask(ctx context.Context, t *task, log *slog.Logger) (*Measurement, error) {
	switch t.Kind {
	case WhatSend:
		return measureSend(ctx, t, log)
	case WhatCeiling:
		return measureCeiling(ctx, t)
	case WhatRaw:
		return measureRaw(ctx, t)
	case WhatOverhead:
		return measureOverhead(ctx, t, log)
	case WhatWeb, WhatRedirect:
		return measureWeb(ctx, t, log)
	}
	return nil, fmt.Errorf("bench task: unknown kind %q", t.Kind)
}

// startProfile starts the task's CPU profile, if it asked for one; the
// returned function stops it.
func startProfile(t *task) (stop func(), err error) {
	if t.Profile == "" {
		return func() {}, nil
	}
	f, err := os.Create(t.Profile)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
