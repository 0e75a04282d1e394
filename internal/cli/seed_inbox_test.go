package cli

import (
	"bytes"
	"mime"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"masthead/internal/testenv"
)

// TestSeedIssueInTheInbox sends the issue masthead was made for (San Diego
// Jewish World, Thursday, July 9, 2009, Volume 3, Number 153) over SMTP to
// a real mail server, signed with an RSA and an Ed25519 key, and reads it
// as a receiver would: both signatures verify against the records `dkim
// dns` printed, the subject leads with the headline, every link but the
// articles' own is on the publication's host, images have widths, the
// preheader is hidden without font tricks, and the text part's URLs end
// where they end.
func TestSeedIssueInTheInbox(t *testing.T) {
	mp := testenv.StartMailpit(t)
	dir := t.TempDir()
	// The publication's own address, not the process's (left at its
	// loopback default): every link must use it.
	const base = "https://www.sdjewishworld.com"
	env := map[string]string{"MASTHEAD_DB": filepath.Join(dir, "sdjw.db"),
		"MASTHEAD_SMTP": "smtp://" + mp.SMTPAddr + "?tls=none", "MASTHEAD_SECRET": "a test secret of thirty-two bytes!"}
	run := func(args ...string) string {
		t.Helper()
		code, out := runEnv(t, env, args...)
		if code != 0 {
			t.Fatalf("masthead %s: exit %d\n%s", strings.Join(args, " "), code, out)
		}
		return out
	}
	run("publication", "set", "--name", "San Diego Jewish World", "--from", "San Diego Jewish World <editor@sdjewishworld.example>",
		"--address", "P.O. Box 19363, San Diego, CA 92159", "--timezone", "America/Los_Angeles", "--volume-start", "2007-02-07")
	run("publication", "set", "--base-url", base)
	lead := filepath.Join(dir, "peres.md")
	if err := os.WriteFile(lead, []byte(`---
title: Peres frustrates Iran in Azerbaijan
date: 2009-07-09
section: International
author: Donald H. Harrison
deck: "Israel's president finds friends in Baku"
---
Peres (pictured at right) visited Baku on Monday. Read the speech at https://president.example/baku. Or not.

![Peres in Baku](https://photos.example/peres-1200.jpg)

[Comment](javascript:alert(1)) on it, or see "https://president.example/visit"; it is long.
`), 0o644); err != nil {
		t.Fatal(err)
	}
	run("article", "import", lead)
	run("subscriber", "add", "reader@example.org")
	rsaKey, edKey := filepath.Join(dir, "rsa.pem"), filepath.Join(dir, "ed.pem")
	run("dkim", "keygen", rsaKey)
	run("dkim", "keygen", edKey, "--type", "ed25519")
	keys := []string{"--dkim-key", rsaKey, "--dkim-selector", "r2009", "--dkim-key", edKey, "--dkim-selector", "e2009"}
	records := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(run(append([]string{"dkim", "dns"}, keys...)...)), "\n") {
		name, value, _ := strings.Cut(line, " IN TXT ")
		records[strings.TrimSuffix(name, ".")] = strings.Join(strings.Split(strings.Trim(value, `"`), `" "`), "")
	}
	run(append([]string{"issue", "send", "--date", "2009-07-09"}, keys...)...)

	var found []testenv.MailpitMessage
	for deadline := time.Now().Add(10 * time.Second); len(found) == 0 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		found = mp.Search(t, "to:reader@example.org")
	}
	if len(found) != 1 {
		t.Fatalf("mailpit has %d messages for the reader", len(found))
	}
	raw := mp.Raw(t, found[0].ID)
	verifs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{LookupTXT: func(domain string) ([]string, error) {
		return []string{records[domain]}, nil
	}})
	if err != nil || len(verifs) != 2 {
		t.Fatalf("DKIM: %v %+v", err, verifs)
	}
	for _, v := range verifs {
		if v.Err != nil || v.Domain != "sdjewishworld.example" {
			t.Errorf("signature d=%s: %v", v.Domain, v.Err)
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := msg.Header.Get("Subject"), "Peres frustrates Iran in Azerbaijan — San Diego Jewish World, Vol. 3 No. 153"; !strings.Contains(decodeWords(t, got), want) {
		t.Errorf("Subject %q, want %q", decodeWords(t, got), want)
	}

	text, html := mailpitBody(t, mp, found[0].ID)
	own := map[string]bool{"president.example": true, "photos.example": true}
	urls := regexp.MustCompile(`https?://[^\s"'<>)]+`)
	for _, part := range []string{html, text, msg.Header.Get("List-Unsubscribe"), msg.Header.Get("List-Archive")} {
		for _, u := range urls.FindAllString(part, -1) {
			pu, err := url.Parse(u)
			if err != nil {
				t.Errorf("link %q: %v", u, err)
				continue
			}
			if pu.Host != "www.sdjewishworld.com" && !own[pu.Host] {
				t.Errorf("a link on another host: %s", u)
			}
			if pu.Scheme != "https" {
				t.Errorf("a link not https: %s", u)
			}
		}
	}
	for _, img := range regexp.MustCompile(`<img [^>]*>`).FindAllString(html, -1) {
		if !regexp.MustCompile(`\swidth="\d+"`).MatchString(img) {
			t.Errorf("an image without a width: %s", img)
		}
	}
	pre := regexp.MustCompile(`<div class="preheader" style="([^"]*)">([^<]*)<`).FindStringSubmatch(html)
	if pre == nil || strings.Contains(pre[1], "font-size") || strings.Contains(pre[1], "color") || !strings.Contains(pre[2], "Israel") {
		t.Errorf("preheader %q", pre)
	}
	if strings.Contains(text, "javascript:") || strings.Contains(html, "javascript:") {
		t.Error("the javascript: link survived")
	}
	// The articles' links are counted (BASE/r/TOKEN); in the text part each
	// stands in angle brackets, the sentence's punctuation outside.
	counted := `<https://www\.sdjewishworld\.com/r/[A-Za-z0-9_-]+>`
	for _, want := range []string{counted + `\. Or not\.`, `“` + counted + `”; it is long\.`} {
		if !regexp.MustCompile(want).MatchString(strings.Join(strings.Fields(text), " ")) {
			t.Errorf("the text part lacks %s:\n%s", want, text)
		}
	}
}

// decodeWords decodes a header's RFC 2047 encoded words.
func decodeWords(t *testing.T, v string) string {
	t.Helper()
	s, err := new(mime.WordDecoder).DecodeHeader(v)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
