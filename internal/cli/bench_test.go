package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchCommand runs 'masthead bench' with tiny settings in one process:
// it only shows that the command still runs and writes both forms of its
// report (bench's own test covers the child processes). No timing is checked.
func TestBenchCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report.json")
	code, stdout, stderr := runCLI(t, newDB(t), "", "bench", "--subscribers", "50", "--articles", "2",
		"--connections", "1,2", "--only", "send,ceiling,raw,overhead", "--dkim", "ed25519", "--in-process", "--json", out, "--log-level", "warn")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"masthead bench: 50 subscribers", "go-mail ceiling", "raw bytes", "vs raw", "masthead DKIM ed25519", "masthead without SMTP"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, stdout)
		}
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Runs []struct {
			Kind        string `json:"kind"`
			Connections int    `json:"connections"`
			Messages    int    `json:"messages"`
		} `json:"runs"`
		Overhead *struct{ Messages int } `json:"overhead"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("JSON report: %v", err)
	}
	if len(rep.Runs) != 8 || rep.Overhead == nil || rep.Overhead.Messages != 50 {
		t.Fatalf("report = %+v: want raw bytes, a ceiling, a send and a signed send for 1 and 2 connections, and the overhead", rep)
	}
	for _, r := range rep.Runs {
		if r.Messages != 50 {
			t.Errorf("%s with %d connections: %d messages, want 50", r.Kind, r.Connections, r.Messages)
		}
	}
}

func TestBenchCommandRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "--connections", "0"},
		{"bench", "--connections", "x"},
		{"bench", "--only", "fax", "--in-process"},
	} {
		if code, _, stderr := runCLI(t, newDB(t), "", args...); code == 0 {
			t.Errorf("%v: exit 0 (%s)", args, stderr)
		}
	}
}
