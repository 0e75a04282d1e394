package testenv

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Mailpit is a running mailpit server (github.com/axllent/mailpit) on loopback.
type Mailpit struct {
	SMTPAddr string // host:port of its SMTP server
	APIURL   string // base URL of its HTTP API
}

// StartMailpit starts mailpit for the test and stops it at cleanup.
func StartMailpit(t testing.TB) *Mailpit {
	t.Helper()
	bin, ok := lookPath("mailpit")
	if !ok {
		missing(t, "mailpit", "go install github.com/axllent/mailpit@v1.33.1")
	}
	smtpPort, httpPort := FreePort(t), FreePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin,
		"--listen", Addr(httpPort), "--smtp", Addr(smtpPort),
		"--database", filepath.Join(t.TempDir(), "mailpit.db"), "--max", "200000",
		"--disable-version-check", "--smtp-disable-rdns", "--smtp-auth-accept-any", "--smtp-auth-allow-insecure")
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start mailpit: %v", err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	m := &Mailpit{SMTPAddr: Addr(smtpPort), APIURL: fmt.Sprintf("http://%s", Addr(httpPort))}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(m.APIURL + "/api/v1/messages?limit=1")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit did not start: %v\n%s", err, out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// MailpitMessage is the part of mailpit's message summary tests use.
type MailpitMessage struct {
	ID        string `json:"ID"`
	MessageID string `json:"MessageID"`
	Subject   string `json:"Subject"`
	To        []struct {
		Address string `json:"Address"`
	} `json:"To"`
}

// Messages lists up to limit stored messages, newest first.
func (m *Mailpit) Messages(t testing.TB, limit int) []MailpitMessage {
	t.Helper()
	var body struct {
		Total    int              `json:"total"`
		Messages []MailpitMessage `json:"messages"`
	}
	m.getJSON(t, fmt.Sprintf("/api/v1/messages?limit=%d", limit), &body)
	return body.Messages
}

// Search returns messages matching a mailpit query such as "to:a@b.org".
func (m *Mailpit) Search(t testing.TB, query string) []MailpitMessage {
	t.Helper()
	var body struct {
		Messages []MailpitMessage `json:"messages"`
	}
	m.getJSON(t, "/api/v1/search?query="+url.QueryEscape(query), &body)
	return body.Messages
}

// Raw returns the raw bytes of one message.
func (m *Mailpit) Raw(t testing.TB, id string) []byte {
	t.Helper()
	resp, err := http.Get(m.APIURL + "/api/v1/message/" + id + "/raw")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("mailpit raw %s: %d %v", id, resp.StatusCode, err)
	}
	return b
}

func (m *Mailpit) getJSON(t testing.TB, path string, v any) {
	t.Helper()
	resp, err := http.Get(m.APIURL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("mailpit %s: %d %s", path, resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("mailpit %s: %v", path, err)
	}
}
