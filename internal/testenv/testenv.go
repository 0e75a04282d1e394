// Package testenv starts the real outside parts masthead's tests run against: a
// mailpit mail server, headless Chromium, and a fresh PostgreSQL database. A part
// that is missing skips the test on a developer's machine and fails it under CI
// (CI=true), so CI can never pass by skipping.
package testenv

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// missing skips or fails t because a part is not installed.
func missing(t testing.TB, what, how string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not available (%s); CI must install it", what, how)
	}
	t.Skipf("%s is not available (%s); ./test.sh installs it", what, how)
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// lookPath finds a program on PATH or in GOPATH/bin.
func lookPath(name string) (string, bool) {
	if p, err := exec.LookPath(name); err == nil {
		return p, true
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		home, _ := os.UserHomeDir()
		gopath = filepath.Join(home, "go")
	}
	p := filepath.Join(gopath, "bin", name)
	if _, err := os.Stat(p); err == nil {
		return p, true
	}
	return "", false
}

// Addr formats a loopback address.
func Addr(port int) string { return fmt.Sprintf("127.0.0.1:%d", port) }
