package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"masthead/engagement"
	"masthead/internal/testenv"
	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
)

const forecastURL = "https://weather.example/forecast?city=metropolis"

// clickPublication makes a publication whose issue of today has one article
// linking to forecastURL, and n subscribers.
func clickPublication(t *testing.T, st *store.Store, n int, perSubscriber bool) (*newsletter.Publication, newsletter.Date) {
	t.Helper()
	ctx := context.Background()
	p := &newsletter.Publication{Slug: "planet", Name: "The Daily Planet", From: "news@planet.example",
		Address: "Metropolis", VolumeStart: newsletter.Date{Year: 2007, Month: 2, Day: 7}, PerSubscriberFigures: perSubscriber}
	p.Normalize()
	if err := st.SavePublication(ctx, p); err != nil {
		t.Fatal(err)
	}
	d := p.Today(time.Now())
	if err := st.SaveArticles(ctx, &newsletter.Article{PublicationID: p.ID, Date: d, Title: "Heat Wave Arrives",
		Body: "It is hot. Read [the forecast](" + forecastURL + ").", Status: newsletter.Ready}); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := st.AddSubscriber(ctx, fmt.Sprintf("reader%04d@example.org", i), "", p.ID, subscribers.Active, subscribers.ViaEditor); err != nil {
			t.Fatal(err)
		}
	}
	return p, d
}

// runEnv runs masthead with args and these MASTHEAD_ variables.
func runEnv(t *testing.T, env map[string]string, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code := Run(context.Background(), args, Env{Getenv: testGetenv(env),
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out})
	return code, out.String()
}

// mailpitBody is a received message's decoded parts, as mailpit shows them.
func mailpitBody(t *testing.T, mp *testenv.Mailpit, id string) (text, html string) {
	t.Helper()
	resp, err := http.Get(mp.APIURL + "/api/v1/message/" + id)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m struct{ Text, HTML string }
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m.Text, m.HTML
}

// noFollow is a client that shows redirects rather than following them.
var noFollow = &http.Client{Timeout: 10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func click(t *testing.T, method, url, agent string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	if agent != "" {
		req.Header.Set("User-Agent", agent)
	}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

const firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"

// clickedIssue sends today's issue to mailpit through `issue send` while
// serve runs, and returns the redirect link of the first message with the
// message's text and HTML.
func clickedIssue(t *testing.T, perSubscriber bool) (db string, st *store.Store, s *serving, iss *newsletter.Issue, link, text, html string) {
	t.Helper()
	mp := testenv.StartMailpit(t)
	db = newDB(t)
	st = openStoreAt(t, db)
	p, d := clickPublication(t, st, 2, perSubscriber)
	addr := testenv.Addr(testenv.FreePort(t))
	env := map[string]string{"MASTHEAD_DB": db, "MASTHEAD_BASE_URL": "http://" + addr,
		"MASTHEAD_SMTP": "smtp://" + mp.SMTPAddr + "?tls=none", "MASTHEAD_SECRET": "a test secret of thirty-two bytes!"}
	ctx, cancel := context.WithCancel(context.Background())
	s = &serving{cancel: cancel, done: make(chan int, 1), buf: &lockedBuf{}, addr: addr}
	go func() {
		s.done <- Run(ctx, []string{"serve", "--addr", addr, "--no-sample"}, Env{Getenv: testGetenv(env),
			Stdin: strings.NewReader(""), Stdout: s.buf, Stderr: s.buf})
	}()
	t.Cleanup(cancel)
	waitHTTP(t, s, "http://"+addr+"/healthz")
	if code, out := runEnv(t, env, "issue", "send", "--date", d.String()); code != 0 {
		t.Fatalf("issue send: %d\n%s", code, out)
	}
	iss, err := st.IssueByDate(context.Background(), p.ID, d)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []testenv.MailpitMessage
	for deadline := time.Now().Add(10 * time.Second); len(msgs) < 2 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		msgs = mp.Search(t, "to:reader0000@example.org")
	}
	if len(msgs) != 1 {
		t.Fatalf("mailpit has %d messages to reader0000", len(msgs))
	}
	text, html = mailpitBody(t, mp, msgs[0].ID)
	links := regexp.MustCompile(`http://`+regexp.QuoteMeta(addr)+`/r/[A-Za-z0-9_.\-]+`).FindAllString(html, -1)
	if len(links) == 0 {
		t.Fatalf("no counted link in the received HTML:\n%s", html)
	}
	return db, st, s, iss, links[0], text, html
}

// TestClicksEndToEnd sends an issue to mailpit and follows the link of the
// received message as a reader (twice) and as a scanner, and an altered one.
func TestClicksEndToEnd(t *testing.T) {
	db, st, s, iss, link, text, html := clickedIssue(t, false)
	ctx := context.Background()
	// A scanner follows the link at once (within a second of delivery).
	if resp := click(t, "GET", link, "Mozilla/5.0 (compatible; BingPreview/1.0b)"); resp.StatusCode != http.StatusFound {
		t.Fatalf("scanner: %d", resp.StatusCode)
	}
	for i := range 2 {
		resp := click(t, "GET", link, firefox)
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != forecastURL {
			t.Fatalf("click %d: %d to %q, want 302 to %s", i+1, resp.StatusCode, resp.Header.Get("Location"), forecastURL)
		}
	}
	// An altered token: 400 and no redirect.
	tok := link[strings.LastIndex(link, "/")+1:]
	altered := []byte(tok)
	if altered[5] == 'A' {
		altered[5] = 'B'
	} else {
		altered[5] = 'A'
	}
	bad := click(t, "GET", strings.TrimSuffix(link, tok)+string(altered), firefox)
	if bad.StatusCode != http.StatusBadRequest || bad.Header.Get("Location") != "" {
		t.Fatalf("altered token: %d, Location %q", bad.StatusCode, bad.Header.Get("Location"))
	}
	// The unsubscribe link is not rewritten.
	if !strings.Contains(html, "/unsubscribe/") || !strings.Contains(text, "/unsubscribe/") {
		t.Fatalf("no unsubscribe link left as it was:\n%s", text)
	}
	if strings.Contains(text, forecastURL) || strings.Contains(html, "weather.example") {
		t.Fatalf("the article link was not rewritten:\n%s", text)
	}
	s.stop(t) // the recorder writes what it holds

	counts, err := st.EngagementCounts(ctx, iss.ID)
	if err != nil {
		t.Fatal(err)
	}
	var human, readers, automatic int64
	for _, c := range counts {
		if c.Kind != engagement.Click || c.Link != 1 {
			t.Fatalf("unexpected row %+v", c)
		}
		if c.Automatic {
			automatic += c.Events
		} else {
			human, readers = human+c.Events, readers+c.Readers
		}
	}
	if human != 2 || readers != 1 || automatic != 1 {
		t.Fatalf("clicks %d, unique readers %d, automatic %d; want 2, 1, 1 (%+v)", human, readers, automatic, counts)
	}
	// Privacy by default: no row links a subscriber to a click.
	assertNoReaderRows(t, st, iss.PublicationID)

	// The terminal's figures are the database's.
	code, out, errs := runCLI(t, db, "", "issue", "report", "--date", iss.Date.String(), "--format", "csv")
	if code != 0 {
		t.Fatalf("issue report: %d %s", code, errs)
	}
	if want := "1," + forecastURL + ",the forecast,Heat Wave Arrives,2,1,1"; !strings.Contains(out, want) {
		t.Fatalf("issue report --format csv:\n%s\nwant a row %s", out, want)
	}
	code, out, errs = runCLI(t, db, "", "issue", "report", "--date", iss.Date.String())
	if code != 0 || !strings.Contains(out, forecastURL) {
		t.Fatalf("issue report: %d %s %s", code, out, errs)
	}
	t.Logf("issue report:\n%s", out)
}

// assertNoReaderRows looks at every table that could link a subscriber to
// a click.
func assertNoReaderRows(t *testing.T, st *store.Store, pubID int64) {
	t.Helper()
	n, err := st.ReaderRows(context.Background(), pubID)
	if err != nil || n != 0 {
		t.Fatalf("per-subscriber rows with the setting off: %d, %v", n, err)
	}
}

// TestPerSubscriberFiguresAgeOut follows a reader's link with
// per-subscriber figures on: the click is kept with its subscriber until
// the retention has passed, and then only the counts stay.
func TestPerSubscriberFiguresAgeOut(t *testing.T) {
	_, st, s, iss, link, _, _ := clickedIssue(t, true)
	ctx := context.Background()
	if !strings.Contains(link, ".") {
		t.Fatalf("no per-message part in %s", link)
	}
	time.Sleep(engagement.DefaultRules().DeliveryWindow + time.Second) // a reader, not a scanner at delivery
	if resp := click(t, "GET", link, firefox); resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != forecastURL {
		t.Fatalf("click: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	s.stop(t)
	n, err := st.ReaderRows(ctx, iss.PublicationID)
	if err != nil || n != 1 {
		t.Fatalf("per-subscriber rows: %d, %v; want 1", n, err)
	}
	if gone, err := st.AgeOutReaders(ctx, time.Now()); err != nil || gone != 0 {
		t.Fatalf("age out now: %d, %v; want nothing", gone, err)
	}
	later := time.Now().Add(time.Duration(newsletter.DefaultFiguresRetention+1) * 24 * time.Hour)
	if gone, err := st.AgeOutReaders(ctx, later); err != nil || gone != 1 {
		t.Fatalf("age out after the retention: %d, %v; want 1", gone, err)
	}
	assertNoReaderRows(t, st, iss.PublicationID)
	counts, _ := st.EngagementCounts(ctx, iss.ID)
	var human int64
	for _, c := range counts {
		if !c.Automatic {
			human += c.Events
		}
	}
	if human != 1 {
		t.Fatalf("counts after the age-out: %+v", counts)
	}
}
