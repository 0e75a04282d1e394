package admin

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"masthead/auth"
	"masthead/internal/smtptest"
	"masthead/newsletter"
	"masthead/store"
)

// TestExtraEditionInTheAdmin is an editor's breaking news in the admin, in
// Chromium: after the day's issue went out, the issue page adds an extra
// edition, its own article is written from the extra's page, and "Send
// now" sends it; each reader gets it once, the daily is not sent again,
// and the daily's page lists the extra.
func TestExtraEditionInTheAdmin(t *testing.T) {
	const readers = 4
	e := newEnv(t, smtptest.Options{})
	e.subscribers(t, readers)
	e.user(t, "lois@planet.example", auth.Editor)
	ctx := context.Background()
	day := newsletter.DateOf(time.Now().UTC())
	if err := e.st.SaveArticles(ctx, &newsletter.Article{PublicationID: e.pub.ID, Date: day, Section: "News", Position: 1,
		Title: "Council Votes on Bridge", Body: "The council voted.", Status: newsletter.Ready}); err != nil {
		t.Fatal(err)
	}
	j := newJourney(t)
	do, wait, text := j.do, j.wait, j.text
	do("sign in", chromedp.Navigate(e.url+"/admin/"), chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "lois@planet.example"),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.ID("signin")))
	wait("issues page", `document.querySelector("h1") !== null && document.querySelector("h1").textContent === "Issues"`)
	do("send the daily issue", chromedp.Navigate(e.url+"/admin/issues/"+day.String()), chromedp.WaitVisible(chromedp.ID("send-now")),
		chromedp.Evaluate[chromedp.Void](`window.confirm = function () { return true; }`),
		chromedp.Click(chromedp.ID("send-now")))
	wait("daily sent", fmt.Sprintf(`document.getElementById("p-status") !== null && document.getElementById("p-status").textContent === "sent" && document.getElementById("p-sent").textContent === "%d"`, readers))

	do("add an extra", chromedp.Navigate(e.url+"/admin/issues/"+day.String()), chromedp.WaitVisible(chromedp.ID("extra-title")),
		chromedp.SendKeys(chromedp.ID("extra-title"), "Breaking news"),
		chromedp.SendKeys(chromedp.ID("extra-subject"), "Bridge closed"),
		chromedp.Click(chromedp.ID("create-extra")))
	wait("the extra's page", `document.querySelector("h1").textContent.indexOf("— Breaking news") >= 0`)
	if got := text(".flash"); !strings.Contains(got, "Number 153") && !strings.Contains(got, "-B") {
		t.Errorf("flash after creating the extra: %q", got)
	}
	j.shot("extra-created")
	do("write its article", chromedp.Click(chromedp.ID("add-article")), chromedp.WaitVisible(chromedp.ID("edition-note")),
		chromedp.SendKeys(chromedp.ID("title"), "Bridge Closed"),
		chromedp.SetValue(chromedp.ID("section"), "News"),
		chromedp.SendKeys(chromedp.ID("body"), "The bridge is closed until further notice."),
		chromedp.Click(chromedp.ID("ready")), chromedp.Click(chromedp.ID("save")))
	wait("back on the extra's page", `document.querySelector("#articles") !== null && document.querySelector("h1").textContent.indexOf("Breaking news") >= 0`)
	if got := text("#articles tbody"); !strings.Contains(got, "Bridge Closed") || strings.Contains(got, "Council Votes") {
		t.Errorf("the extra's articles: %q", got)
	}
	do("send the extra", chromedp.Evaluate[chromedp.Void](`window.confirm = function () { return true; }`),
		chromedp.Click(chromedp.ID("send-now")))
	wait("extra sent", fmt.Sprintf(`document.getElementById("p-status") !== null && document.getElementById("p-status").textContent === "sent" && document.getElementById("p-sent").textContent === "%d"`, readers))
	j.shot("extra-sent")

	do("the daily's page", chromedp.Navigate(e.url+"/admin/issues/"+day.String()), chromedp.WaitVisible(chromedp.ID("extras")))
	if got := text("#extras ul"); !strings.Contains(got, "Breaking news") || !strings.Contains(got, "-B") || !strings.Contains(got, "sent") {
		t.Errorf("the daily's page lists its extras as %q", got)
	}

	copies := map[string]map[string]int{} // recipient -> subject kind -> copies
	for _, m := range e.smtp.Messages() {
		kind := "daily"
		if strings.Contains(string(m.Data), "Subject: Bridge closed") {
			kind = "extra"
		}
		for _, to := range m.To {
			if copies[to] == nil {
				copies[to] = map[string]int{}
			}
			copies[to][kind]++
		}
	}
	if len(copies) != readers {
		t.Errorf("messages went to %d addresses, want %d: %v", len(copies), readers, copies)
	}
	for to, c := range copies {
		if c["daily"] != 1 || c["extra"] != 1 {
			t.Errorf("%s got %v; want one daily and one extra", to, c)
		}
	}
	extra, err := e.st.IssueByEdition(ctx, e.pub.ID, day, 1)
	if err != nil || extra.Status != newsletter.Sent || extra.Subject != "Bridge closed" {
		t.Fatalf("the extra: %+v, %v", extra, err)
	}
	rows, err := e.st.Deliveries(ctx, store.DeliveryFilter{IssueID: extra.ID})
	if err != nil || len(rows) != readers {
		t.Errorf("the extra's ledger has %d rows, %v; want %d", len(rows), err, readers)
	}
}
