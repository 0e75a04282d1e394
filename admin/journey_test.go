package admin

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"masthead/auth"
	"masthead/internal/smtptest"
	"masthead/newsletter"
)

// TestEditorJourney is an editor's day in real headless Chromium: sign in,
// write an article in Markdown and see its preview, arrange today's issue,
// send a test (it arrives at the SMTP server), schedule it, send it and watch
// the progress view count up to the whole list without a reload, then find
// one subscriber's delivery in the ledger. Screenshots of each step are kept
// in the test's temp dir and listed when the test fails.
func TestEditorJourney(t *testing.T) {
	const readers = 20
	e := newEnv(t, smtptest.Options{Latency: 15 * time.Millisecond})
	e.subscribers(t, readers)
	lois := e.user(t, "lois@planet.example", auth.Editor)
	ctx := context.Background()
	now := time.Now().UTC()
	day := newsletter.DateOf(now)
	if now.Hour() == 23 {
		day = day.AddDays(1) // leave room to schedule later in the day
	}
	if err := e.st.SaveArticles(ctx, &newsletter.Article{PublicationID: e.pub.ID, Date: day, Section: "Front Page", Position: 1,
		Title: "Council Votes on Bridge", Body: "The council voted seven to two.", Status: newsletter.Ready}); err != nil {
		t.Fatal(err)
	}

	j := newJourney(t)
	b, shot, do, wait, text := j.b, j.shot, j.do, j.wait, j.text

	// 1. Signing in: the admin sends a stranger to the login page.
	do("open the admin", chromedp.Navigate(e.url+"/admin/"), chromedp.WaitVisible(chromedp.ID("email")))
	shot("01-login")
	do("sign in",
		chromedp.SendKeys(chromedp.ID("email"), "lois@planet.example"),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.ID("signin")))
	wait("issues page after sign in", `document.querySelector("h1") !== null && document.querySelector("h1").textContent === "Issues"`)
	shot("02-issues")

	// 2. Writing an article in Markdown, with the live preview.
	do("new article", chromedp.Navigate(e.url+"/admin/articles/new?date="+day.String()), chromedp.WaitVisible(chromedp.ID("body")))
	do("write the article",
		chromedp.SendKeys(chromedp.ID("title"), "Heat Wave Grips Metropolis"),
		chromedp.SetValue(chromedp.ID("section"), "Front Page"),
		chromedp.SendKeys(chromedp.ID("body"), "It is **very** hot today.\n\n- stay inside\n- drink water\n"))
	wait("live preview", `(function(){ var s = document.querySelector("#preview strong"); return s !== null && s.textContent === "very" && document.querySelectorAll("#preview li").length === 2; })()`)
	shot("03-article-preview")
	do("mark ready and save", chromedp.Click(chromedp.ID("ready")), chromedp.Click(chromedp.ID("save")))
	wait("issue page", `document.querySelector("#articles") !== null`)

	// 3. Arranging today's issue: the new article goes first.
	if got := text("#articles tbody tr:first-child .article-title"); got != "Council Votes on Bridge" {
		t.Fatalf("before moving, the first article is %q", got)
	}
	do("move the new article up", chromedp.Click(chromedp.CSS(`button[aria-label="Move Heat Wave Grips Metropolis up"]`)))
	wait("new order", `document.querySelector("#articles tbody tr:first-child .article-title").textContent.trim() === "Heat Wave Grips Metropolis"`)
	do("assemble", chromedp.Click(chromedp.ID("assemble")))
	wait("assembled", `document.getElementById("issue-status").textContent === "assembled" && document.getElementById("preview-html") !== null`)
	shot("04-issue-assembled")

	// 4. A test to the editor's own address arrives at the SMTP server.
	do("send a test", chromedp.Click(chromedp.ID("send-test")))
	wait("test sent", `document.querySelector(".flash") !== null && document.querySelector(".flash").textContent.indexOf("Test sent to lois@planet.example") >= 0`)
	var test *smtptest.Message
	for _, m := range e.smtp.Messages() {
		if len(m.To) == 1 && m.To[0] == "lois@planet.example" {
			test = &m
		}
	}
	if test == nil || !strings.Contains(string(test.Data), "Heat Wave Grips Metropolis") {
		t.Fatalf("the test message did not arrive (%d messages at the server)", e.smtp.Count())
	}
	shot("05-test-sent")

	// 5. Scheduling, then sending now, and watching the progress.
	do("schedule", chromedp.SetValue(chromedp.ID("at"), "23:59"), chromedp.Click(chromedp.ID("schedule")))
	wait("scheduled", `document.getElementById("issue-status").textContent === "scheduled"`)
	shot("06-scheduled")
	do("send now",
		chromedp.Evaluate[chromedp.Void](`window.confirm = function () { return true; }`),
		chromedp.Click(chromedp.ID("send-now")))
	wait("progress view", `document.getElementById("progress") !== null`)
	do("mark the page", chromedp.Evaluate[chromedp.Void](`window.stillThisPage = true`))
	shot("07-sending")
	wait("progress counts up to the list", fmt.Sprintf(`document.getElementById("p-status").textContent === "sent" && document.getElementById("p-sent").textContent === "%d"`, readers))
	if kept, err := chromedp.Run(b, chromedp.Evaluate[bool](`window.stillThisPage === true`)); err != nil || !kept {
		t.Errorf("the progress view reloaded the page instead of updating it (%v)", err)
	}
	wait("the send's buttons go when it ends", `document.getElementById("pause") === null && document.getElementById("cancel-send") === null`)
	if got := text("#p-total"); got != fmt.Sprint(readers) {
		t.Errorf("progress total %s, want %d", got, readers)
	}
	shot("08-sent")

	// 6. One subscriber's delivery in the ledger, with the server's reply.
	do("open the ledger", chromedp.Navigate(e.url+"/admin/issues/"+day.String()+"/ledger"), chromedp.WaitVisible(chromedp.ID("ledger-q")))
	do("search the ledger", chromedp.SendKeys(chromedp.ID("ledger-q"), "reader07"), chromedp.Submit(chromedp.ID("ledger-q")))
	wait("ledger row", `document.querySelectorAll("#ledger tbody tr").length === 1 && document.querySelector("#ledger tbody tr").textContent.indexOf("reader07@example.org") >= 0`)
	row := text("#ledger tbody tr")
	if !strings.Contains(row, "sent") || !strings.Contains(row, "250") {
		t.Errorf("ledger row %q lacks the sent status and the 250 reply", row)
	}
	shot("09-ledger")

	// Every subscriber got the issue once, and the metrics saw the send.
	got := map[string]int{}
	for _, m := range e.smtp.Messages() {
		for _, to := range m.To {
			got[to]++
		}
	}
	for i := 1; i <= readers; i++ {
		if addr := fmt.Sprintf("reader%02d@example.org", i); got[addr] != 1 {
			t.Errorf("%s received %d copies", addr, got[addr])
		}
	}
	// The metrics are the editors' business: a scraper sends an API token.
	resp, err := http.Get(e.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("/metrics without a token: %d %q, want 401 asking for a bearer token", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	token, _, err := e.auth.CreateToken(context.Background(), lois.ID, "prometheus")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", e.url+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics with a token: %d %s", resp.StatusCode, body)
	}
	for _, want := range []string{fmt.Sprintf(`masthead_messages_sent_total{publication="planet"} %d`, readers),
		`masthead_http_request_duration_seconds_count{code="200",method="GET",route="GET /admin/issues/{date}/progress"}`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
