package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"masthead/newsletter"
	"masthead/subscribers"
)

// One operation gives the same result from every front end, because each
// only parses input and calls the same operation of workspace, over the
// wiring serve runs: an article added by the CLI, the API and the admin pages
// goes last in its section each time (the CLI used to store position 0, which
// sorted before everything an editor had arranged); and serve's
// --soft-bounce-limit holds for the reports of the bounce mailbox and of the
// webhook alike (delivery's give-ups under the same policy are tested in
// package delivery: TestGiveUpsFollowTheBouncePolicy).
func TestOneOperationEveryFrontEnd(t *testing.T) {
	ctx := context.Background()
	db := newDB(t)
	setupPlanet(t, db)
	must := func(stdin string, args ...string) string {
		t.Helper()
		code, out, errs := runCLI(t, db, stdin, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, code, out, errs)
		}
		return out
	}
	must("a-long-password\n", "user", "add", "perry@planet.example", "--role", "admin")
	token := strings.TrimSpace(must("", "token", "create", "--user", "perry@planet.example"))
	hook := strings.TrimSpace(must("", "webhook", "secret"))
	must("", "subscriber", "add", "bob@example.net")
	must("", "subscriber", "add", "soft@example.org")
	must("", "article", "add", "--date", "2009-07-09", "--section", "News", "--title", "Already there", "--position", "5", "-")

	// Two soft bounces for bob in the mailbox: with the limit at 2 (not the
	// default 3) they make him bounced.
	soft, err := os.ReadFile("../../bounces/testdata/exim-soft.eml")
	if err != nil {
		t.Fatal(err)
	}
	again := strings.Replace(string(soft), "E1qXyZa-000Abc-2B@relay.example.net", "E1qXyZa-000Abc-3C@relay.example.net", 1)
	if again == string(soft) {
		t.Fatal("the fixture's Message-ID moved; the second report would be the first")
	}
	imapAddr := plainIMAP(t, soft, []byte(again))
	s := serveInProcess(t, db, "--soft-bounce-limit", "2",
		"--imap", "imap://reports:pw@"+imapAddr+"/INBOX?tls=none", "--imap-interval", "200ms")
	base := "http://" + s.addr
	waitHTTP(t, s, base+"/readyz")

	// The same article from three front ends.
	must("Body.\n", "article", "add", "--date", "2009-07-09", "--section", "News", "--title", "From the CLI", "-")
	body := `{"date":"2009-07-09","section":"News","title":"From the API","body":"Body.","status":"ready"}`
	req, _ := http.NewRequest("POST", base+"/api/articles", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	if res := do(t, http.DefaultClient, req); res.StatusCode != http.StatusCreated {
		t.Fatalf("API: %d %s", res.StatusCode, readAll(res))
	}
	admin := signIn(t, base, "perry@planet.example", "a-long-password")
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(readAll(get(t, admin, base+"/admin/articles/new")))
	if csrf == nil {
		t.Fatal("the new article page has no CSRF token")
	}
	form := url.Values{"csrf": {csrf[1]}, "date": {"2009-07-09"}, "section": {"News"}, "title": {"From the admin"},
		"body": {"Body."}, "ready": {"1"}}
	if res := postForm(t, admin, base+"/admin/articles", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin: %d %s", res.StatusCode, readAll(res))
	}

	st := openStoreAt(t, db)
	p, err := st.PublicationBySlug(ctx, "the-daily-planet")
	if err != nil {
		t.Fatal(err)
	}
	list, err := st.ArticlesFor(ctx, p.ID, newsletter.Date{Year: 2009, Month: 7, Day: 9}, "")
	if err != nil {
		t.Fatal(err)
	}
	newsletter.SortArticles(p, list)
	var got []string
	for _, a := range list {
		got = append(got, a.Title+"@"+itoa(a.Position))
	}
	if want := "Already there@5 From the CLI@6 From the API@7 From the admin@8"; strings.Join(got, " ") != want {
		t.Errorf("articles in order %q, want %q", strings.Join(got, " "), want)
	}

	// The webhook: the second soft bounce in a row bounces, under the same limit.
	report := func(id string) {
		t.Helper()
		req, _ := http.NewRequest("POST", base+"/webhooks/bounces",
			strings.NewReader(`{"id":"`+id+`","type":"bounce","email":"soft@example.org","detail":"452 4.2.2 mailbox full"}`))
		req.Header.Set("Authorization", "Bearer "+hook)
		if res := do(t, http.DefaultClient, req); res.StatusCode != http.StatusOK {
			t.Fatalf("webhook: %d %s", res.StatusCode, readAll(res))
		}
	}
	status := func(email string) subscribers.Status {
		t.Helper()
		sub, err := st.SubscriberByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		return sub.Status
	}
	report("one")
	if got := status("soft@example.org"); got != subscribers.Active {
		t.Fatalf("after one soft bounce by webhook: %s", got)
	}
	report("two")
	if got := status("soft@example.org"); got != subscribers.Bounced {
		t.Errorf("after two soft bounces by webhook with --soft-bounce-limit 2: %s, want bounced", got)
	}
	// The mailbox: both reports are read at the first poll.
	for deadline := time.Now().Add(30 * time.Second); status("bob@example.net") != subscribers.Bounced; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("bob is %s 30 s after serve started polling two soft reports with --soft-bounce-limit 2\n%s",
				status("bob@example.net"), s.log())
		}
	}
	s.stop(t)
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// signIn signs an account in to the admin pages and returns a client that
// keeps the session's cookie and shows redirects rather than following them.
func signIn(t *testing.T, base, email, password string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page := readAll(get(t, c, base+"/admin/login"))
	tok := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if tok == nil {
		t.Fatalf("the login page has no CSRF token:\n%s", page)
	}
	res := postForm(t, c, base+"/admin/login", url.Values{"csrf": {tok[1]}, "email": {email}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d %s", res.StatusCode, readAll(res))
	}
	return c
}

func do(t *testing.T, c *http.Client, req *http.Request) *http.Response {
	t.Helper()
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

func get(t *testing.T, c *http.Client, u string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	return do(t, c, req)
}

func postForm(t *testing.T, c *http.Client, u string, v url.Values) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(t, c, req)
}

func readAll(res *http.Response) string {
	b, _ := io.ReadAll(res.Body)
	return string(b)
}
