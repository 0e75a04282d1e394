package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"masthead/bench"
)

// runBench is 'masthead bench': delivery against the raw-bytes limit and a
// bare go-mail loop, and the web edition under load, on loopback (see
// package bench and BENCHMARKS.md).
func runBench(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var o bench.Options
	fs.IntVar(&o.Subscribers, "subscribers", 100_000, "subscribers in the fresh database")
	fs.IntVar(&o.Articles, "articles", 20, "articles in the issue")
	fs.DurationVar(&o.Latency, "latency", 0, "the round trip to the SMTP server: every reply reaches the client this much later, as from a relay far away (20ms)")
	conns := fs.String("connections", "1,4,8", "connection counts to measure, comma-separated")
	only := fs.String("only", "send,ceiling,raw,overhead,web", "measurements to make: send, ceiling (a bare go-mail loop), raw (the same message's raw bytes), overhead (the engine without SMTP), web, redirect (the counted links alone) (comma-separated)")
	fs.StringVar(&o.DKIM, "dkim", "", "also make each send signed with a new key of this kind: ed25519 or rsa")
	fs.DurationVar(&o.RunLimit, "run-limit", 2*time.Minute, "stop one send after this long and count what went")
	fs.IntVar(&o.ClaimBatch, "claim-batch", 0, "rows claimed per ledger transaction (0: the engine's default)")
	fs.IntVar(&o.RecordBatch, "record-batch", 0, "outcomes written per ledger transaction (0: the engine's default)")
	fs.DurationVar(&o.WebDuration, "web-duration", 5*time.Second, "length of each web load phase (idle, then during a send)")
	fs.IntVar(&o.WebClients, "web-clients", 8, "concurrent HTTP clients of the web load")
	fs.IntVar(&o.WebConnections, "web-connections", 4, "SMTP connections of the send during the web load")
	fs.StringVar(&o.Dir, "dir", "", "directory for the databases (default: a temporary one, removed after)")
	fs.StringVar(&o.Profile, "profile", "", "directory for a CPU profile of each send (send-N.pprof, ceiling-N.pprof)")
	jsonOut := fs.String("json", "", "also write the report as JSON to this file ('-': stdout, instead of the tables)")
	inProcess := fs.Bool("in-process", false, "make every measurement in this process (no child processes; CPU and peak RSS then include the SMTP server)")
	timeout := fs.Duration("timeout", 30*time.Minute, "give up after this long")
	task := fs.String("task", "", "internal: run one measurement for a parent 'masthead bench'")
	if _, err := a.parse(fs, args); err != nil {
		return err
	}
	if *task != "" {
		return bench.RunTask(ctx, []byte(*task), a.env.Stdout, a.log)
	}
	var err error
	if o.Connections, err = intList(*conns); err != nil {
		return usageErr("--connections: %v", err)
	}
	for _, w := range strings.Split(*only, ",") {
		if w = strings.TrimSpace(w); w != "" {
			o.What = append(o.What, w)
		}
	}
	if !*inProcess {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("find this program to run measurements in child processes (or use --in-process): %w", err)
		}
		o.Spawn = func(task []byte) *exec.Cmd {
			return exec.Command(exe, "bench", "--log-level", a.cfg.LogLevel, "--task", string(task))
		}
	}
	o.Log = a.log
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	rep, err := bench.Run(ctx, o)
	if err != nil {
		return err
	}
	if *jsonOut != "" {
		data, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		data = append(data, '\n')
		if *jsonOut == "-" {
			_, err = a.env.Stdout.Write(data)
			return err
		}
		if err := os.WriteFile(*jsonOut, data, 0o644); err != nil {
			return err
		}
	}
	return rep.WriteText(a.env.Stdout)
}

// intList parses "1,4,8".
func intList(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive number", f)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no connection counts in %q", s)
	}
	return out, nil
}
