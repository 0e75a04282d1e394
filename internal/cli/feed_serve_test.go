package cli

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"masthead/internal/testenv"
	"masthead/newsletter"
)

// The newsroom's path end to end: a publication with a daily schedule a few
// seconds from now takes a feed; `masthead serve`, left alone, polls the
// feed, and at the schedule's time the issue of the day goes out to every
// subscriber (mailpit) with the feed's articles, each with its "Read on the
// site" link, in the HTML and the text.
func TestServeSendsTheFeedsArticlesOnSchedule(t *testing.T) {
	mp := testenv.StartMailpit(t)
	db := newDB(t)
	fire := time.Now().UTC().Add(20 * time.Second).Truncate(time.Second)
	if fire.Day() != time.Now().UTC().Add(-time.Minute).Day() {
		t.Skip("too close to midnight UTC for a schedule later today")
	}
	published := fire.Add(-time.Hour).Format(time.RFC1123Z)
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>The Daily Planet</title><link>https://planet.example/</link>
<item><title>Heat Wave Arrives</title><link>https://planet.example/news/heat-wave/?utm_source=rss</link><guid>p-1</guid>
<pubDate>%[1]s</pubDate><content:encoded><![CDATA[<p>It was <b>hot</b>.<script>alert(1)</script></p>]]></content:encoded></item>
<item><title>Bridge Vote Tonight</title><link>https://planet.example/news/bridge-vote/</link><guid>p-2</guid>
<pubDate>%[1]s</pubDate><description>The council meets at seven.</description></item>
</channel></rss>`, published)
	}))
	defer site.Close()

	schedule := fmt.Sprintf("%d %d %d * * *", fire.Second(), fire.Minute(), fire.Hour())
	for _, args := range [][]string{
		{"publication", "set", "--name", "The Daily Planet", "--from", "news@planet.example", "--address", "Metropolis",
			"--timezone", "UTC", "--schedule", schedule, "--volume-start", "2007-02-07"},
		{"subscriber", "add", "lois@example.org"},
		{"subscriber", "add", "clark@example.org"},
		{"feed", "add", site.URL + "/feed/"},
	} {
		if code, out, errs := runCLI(t, db, "", args...); code != 0 {
			t.Fatalf("%v: %d %s %s", args, code, out, errs)
		}
	}

	addr := testenv.Addr(testenv.FreePort(t))
	env := map[string]string{"MASTHEAD_DB": db, "MASTHEAD_BASE_URL": "http://" + addr,
		"MASTHEAD_SMTP": "smtp://" + mp.SMTPAddr + "?tls=none", "MASTHEAD_FEEDS_ALLOW_PRIVATE": "1"}
	ctx, cancel := context.WithCancel(context.Background())
	s := &serving{cancel: cancel, done: make(chan int, 1), buf: &lockedBuf{}, addr: addr}
	go func() {
		s.done <- Run(ctx, []string{"serve", "--addr", addr, "--no-sample"}, Env{Getenv: testGetenv(env),
			Stdin: strings.NewReader(""), Stdout: s.buf, Stderr: s.buf})
	}()
	t.Cleanup(cancel)
	waitHTTP(t, s, "http://"+addr+"/healthz")

	var msgs []testenv.MailpitMessage
	for deadline := fire.Add(60 * time.Second); len(msgs) < 2 && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		msgs = mp.Messages(t, 10)
	}
	if len(msgs) != 2 {
		t.Fatalf("mailpit has %d messages, want 2 (one per subscriber)\n%s", len(msgs), s.log())
	}
	for _, m := range msgs {
		text, html := mailpitBody(t, mp, m.ID)
		for _, want := range []string{"Heat Wave Arrives", "Bridge Vote Tonight", "<strong>hot</strong>", "Read on the site"} {
			if !strings.Contains(html, want) {
				t.Errorf("message %s: the HTML has no %q:\n%s", m.Subject, want, html)
			}
		}
		if strings.Contains(strings.ToLower(html), "<script") {
			t.Errorf("message %s: a script reached the email", m.Subject)
		}
		// Each article's "Read on the site" leads to its page (through the
		// counted link of this server, when links are counted).
		links := regexp.MustCompile(`<a href="([^"]+)"[^>]*>Read on the site</a>`).FindAllStringSubmatch(html, -1)
		if len(links) != 2 {
			t.Fatalf("message %s: %d \"Read on the site\" links, want 2:\n%s", m.Subject, len(links), html)
		}
		for i, want := range []string{"https://planet.example/news/heat-wave/", "https://planet.example/news/bridge-vote/"} {
			if got := resolve(t, links[i][1]); got != want {
				t.Errorf("message %s: link %d leads to %q, want %q", m.Subject, i+1, got, want)
			}
		}
		if strings.Count(text, "Read on the site:") != 2 {
			t.Errorf("message %s: the text has %d \"Read on the site:\" lines, want 2:\n%s", m.Subject,
				strings.Count(text, "Read on the site:"), text)
		}
	}
	st := openStoreAt(t, db)
	pubs, err := st.Publications(context.Background())
	if err != nil || len(pubs) != 1 {
		t.Fatalf("publications: %v, %v", pubs, err)
	}
	p := pubs[0]
	iss, err := st.IssueByDate(context.Background(), p.ID, newsletter.DateOf(fire))
	if err != nil || iss.Stories() != 2 {
		t.Fatalf("the day's issue: %+v, %v", iss, err)
	}
	s.stop(t)
}

// resolve is where a link of the email leads: itself, or where the counted
// link's redirect sends the reader.
func resolve(t *testing.T, link string) string {
	t.Helper()
	if !strings.Contains(link, "/r/") {
		return link
	}
	resp := click(t, "GET", strings.ReplaceAll(link, "&amp;", "&"), firefox)
	return resp.Header.Get("Location")
}
