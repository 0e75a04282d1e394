package cli

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"masthead/internal/smtptest"
)

// TestIssueSendRefusesLocalLinks: over SMTP, with no base URL of the
// publication's own and the process's default (http://127.0.0.1:8080), issue
// send and issue test refuse before anything is sent or recorded, naming
// the setting; with a relay on the loopback all the same.
func TestIssueSendRefusesLocalLinks(t *testing.T) {
	db := newDB(t)
	setupPlanet(t, db)
	runCLI(t, db, "The council voted.\n", "article", "add", "-", "--date", "2009-07-09", "--title", "Bridge Vote", "--section", "News")
	runCLI(t, db, "", "subscriber", "add", "lois@example.org")
	srv, err := smtptest.Start(smtptest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	env := map[string]string{"MASTHEAD_DB": db, "MASTHEAD_SMTP": "smtp://" + srv.Addr + "?tls=none", "MASTHEAD_ALLOW_LOCAL_LINKS": "0"}
	want := "publication the-daily-planet has no https base URL"
	for _, args := range [][]string{
		{"issue", "send", "--date", "2009-07-09"},
		{"issue", "test", "--date", "2009-07-09", "--to", "ed@planet.example"},
		{"issue", "send", "--date", "2009-07-09", "--base-url", "https://news.localhost"},
		{"issue", "send", "--date", "2009-07-09", "--base-url", "https://10.0.0.7"},
	} {
		code, out := runEnv(t, env, args...)
		if code != 1 || !strings.Contains(out, want) || !strings.Contains(out, "masthead publication set the-daily-planet --base-url https://") {
			t.Errorf("%v: exit %d, want 1 and %q:\n%s", args, code, want, out)
		}
	}
	if srv.Count() != 0 {
		t.Errorf("the server got %d messages", srv.Count())
	}
	if _, out := runEnv(t, env, "issue", "status", "--date", "2009-07-09"); !strings.Contains(out, "— assembled") || !strings.Contains(out, "total      0") {
		t.Errorf("the refused send touched the ledger:\n%s", out)
	}
	// http:// is refused as the publication's address too, whatever the host.
	// Saved with a warning at once, as https://localhost is.
	for base, why := range map[string]string{"http://news.dailyplanet.com": "http://news.dailyplanet.com is not https",
		"https://localhost": "localhost is not a public host name"} {
		code, out, errs := runCLI(t, db, "", "publication", "set", "--base-url", base)
		if code != 0 || !strings.Contains(out, "updated publication") ||
			!strings.Contains(errs, "warning: --base-url "+base+": "+why+"; sending by SMTP refuses it") {
			t.Errorf("publication set --base-url %s: exit %d\n%s%s", base, code, out, errs)
		}
	}
	runCLI(t, db, "", "publication", "set", "--base-url", "http://news.dailyplanet.com")
	if code, out := runEnv(t, env, "issue", "send", "--date", "2009-07-09"); code != 1 || !strings.Contains(out, "is not https") {
		t.Errorf("http base URL: exit %d\n%s", code, out)
	}
	// The outbox keeps local links: nothing leaves the machine.
	delete(env, "MASTHEAD_SMTP")
	runCLI(t, db, "", "publication", "set", "--base-url", "")
	if code, out := runEnv(t, env, "issue", "send", "--date", "2009-07-09"); code != 0 {
		t.Errorf("outbox send: exit %d\n%s", code, out)
	}
}

// TestIssueSendUsesPublicationBaseURL: with the publication's own https base
// URL, every link and header of the email a subscriber gets is under it
// (view in your browser, the main page, unsubscribe, List-Unsubscribe,
// List-Archive, the counted links and the tracking image), while the process's
// --base-url is another host; the articles' own links appear only behind the
// counted links.
func TestIssueSendUsesPublicationBaseURL(t *testing.T) {
	db := newDB(t)
	setupPlanet(t, db)
	body := "The council [voted](https://council.metropolis.gov/minutes) on the [bridge](https://bridges.example.net/b/7?x=1).\n"
	runCLI(t, db, body, "article", "add", "-", "--date", "2009-07-09", "--title", "Bridge Vote", "--section", "News")
	runCLI(t, db, "", "subscriber", "add", "lois@example.org")
	if code, out, errs := runCLI(t, db, "", "publication", "set", "--base-url", "https://News.DailyPlanet.com/", "--track-opens", "--unsubscribe-mailto", "unsubscribe@dailyplanet.com"); code != 0 || errs != "" {
		t.Fatal(out, errs)
	}
	if _, out, _ := runCLI(t, db, "", "publication", "show"); !strings.Contains(out, "base-url:                https://news.dailyplanet.com\n") {
		t.Errorf("publication show:\n%s", out)
	}
	if _, out, _ := runCLI(t, db, "", "publication", "list"); !strings.Contains(out, "https://news.dailyplanet.com ") {
		t.Errorf("publication list:\n%s", out)
	}
	for _, bad := range []string{"news.dailyplanet.com", "ftp://news.dailyplanet.com", "https://news.dailyplanet.com/?a=1", "https://news.dailyplanet.com/#top"} {
		if code, _, errs := runCLI(t, db, "", "publication", "set", "--base-url", bad); code != 2 || !strings.Contains(errs, "--base-url") {
			t.Errorf("--base-url %q: exit %d %s", bad, code, errs)
		}
	}
	srv, err := smtptest.Start(smtptest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	env := map[string]string{"MASTHEAD_DB": db, "MASTHEAD_SMTP": "smtp://" + srv.Addr + "?tls=none", "MASTHEAD_ALLOW_LOCAL_LINKS": "0",
		"MASTHEAD_BASE_URL": "https://process.dailyplanet.com"}
	if code, out := runEnv(t, env, "issue", "send", "--date", "2009-07-09"); code != 0 || !strings.Contains(out, "1 sent") {
		t.Fatalf("send: exit %d\n%s", code, out)
	}
	if code, out := runEnv(t, env, "issue", "test", "--date", "2009-07-09", "--to", "ed@dailyplanet.com"); code != 0 {
		t.Fatalf("test: exit %d\n%s", code, out)
	}
	msgs := srv.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d messages", len(msgs))
	}
	articleLinks := map[string]bool{"https://council.metropolis.gov/minutes": true, "https://bridges.example.net/b/7?x=1": true}
	for _, m := range msgs {
		urls, hdr := messageURLs(t, m.Data)
		var counted, opens, unsub int
		for _, u := range urls {
			if articleLinks[u] {
				continue // the articles' own links, as text (the preheader); the links themselves are counted
			}
			pu, err := url.Parse(u)
			if err != nil || pu.Scheme != "https" || pu.Host != "news.dailyplanet.com" {
				t.Errorf("%s: link %q is not under the publication's base URL", m.To, u)
			}
			switch {
			case strings.HasPrefix(pu.Path, "/r/"):
				counted++
			case strings.HasPrefix(pu.Path, "/o/"):
				opens++
			case strings.HasPrefix(pu.Path, "/unsubscribe/"):
				unsub++
			}
		}
		if counted < 4 || opens != 1 || unsub < 2 { // two links in each part; the footer and the header
			t.Errorf("%s: %d counted links, %d opens, %d unsubscribe links in %v", m.To, counted, opens, unsub, urls)
		}
		for _, h := range []string{"List-Unsubscribe", "List-Archive"} {
			if !strings.Contains(hdr.Get(h), "<https://news.dailyplanet.com/") {
				t.Errorf("%s: %s: %q", m.To, h, hdr.Get(h))
			}
		}
		if !strings.Contains(hdr.Get("List-Unsubscribe"), "<mailto:unsubscribe@dailyplanet.com") {
			t.Errorf("%s: List-Unsubscribe: %q", m.To, hdr.Get("List-Unsubscribe"))
		}
	}
}

var urlRE = regexp.MustCompile(`https?://[^\s"'<>()\[\]]+`)

// messageURLs is every http(s) URL in raw's headers and decoded text and
// HTML parts (HTML entities undone), and the headers.
func messageURLs(t *testing.T, raw []byte) ([]string, mail.Header) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for k, vs := range m.Header {
		if strings.HasPrefix(k, "List-") {
			for _, v := range vs {
				urls = append(urls, urlRE.FindAllString(v, -1)...)
			}
		}
	}
	var parts int
	var walk func(h map[string][]string, r io.Reader)
	walk = func(h map[string][]string, r io.Reader) {
		get := func(k string) string {
			if v := h[k]; len(v) > 0 {
				return v[0]
			}
			return ""
		}
		mt, params, err := mime.ParseMediaType(get("Content-Type"))
		if err != nil {
			t.Fatalf("content type %q: %v", get("Content-Type"), err)
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(r, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				walk(p.Header, p)
			}
		}
		switch strings.ToLower(get("Content-Transfer-Encoding")) {
		case "quoted-printable":
			r = quotedprintable.NewReader(r)
		case "base64":
			r = base64.NewDecoder(base64.StdEncoding, r)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		if mt == "text/html" || mt == "text/plain" {
			parts++
			s := strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'").Replace(string(b))
			urls = append(urls, urlRE.FindAllString(s, -1)...)
		}
	}
	walk(m.Header, m.Body)
	if parts != 2 {
		t.Fatalf("%d text parts, want the HTML and the text", parts)
	}
	for i, u := range urls {
		urls[i] = strings.TrimRight(u, ".,;")
	}
	return urls, m.Header
}
