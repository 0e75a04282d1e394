package admin

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"masthead/auth"
	"masthead/internal/smtptest"
	"masthead/newsletter"
	"masthead/subscribers"
)

// TestRefusedSendJourney: in real Chromium an editor sends an issue through
// a relay that wrongly refuses some readers as unknown mailboxes (the send
// finishes, those readers end bounced) and lifts all of that send's
// suppressions with one button; then sends the next issue through a relay
// that refuses our mail outright, and the issue page, without a reload by
// the editor, says masthead paused the send and why.
func TestRefusedSendJourney(t *testing.T) {
	const readers = 10
	e := newEnv(t, smtptest.Options{})
	e.subscribers(t, readers)
	e.user(t, "lois@planet.example", auth.Editor)
	ctx := context.Background()
	day := newsletter.DateOf(e.admin.work.Now().UTC())
	for _, d := range []newsletter.Date{day, day.AddDays(1)} {
		if err := e.st.SaveArticles(ctx, &newsletter.Article{PublicationID: e.pub.ID, Date: d, Section: "Front Page", Position: 1,
			Title: "Council Votes on Bridge", Body: "The council voted seven to two.", Status: newsletter.Ready}); err != nil {
			t.Fatal(err)
		}
	}
	e.smtp.SetInjector(func(stage smtptest.Stage, _, rcpt string) *smtptest.Fault {
		var n int
		fmt.Sscanf(rcpt, "reader%d@", &n)
		if stage == smtptest.StageRcpt && n%2 == 1 {
			return &smtptest.Fault{Code: 550, Text: "5.1.1 <" + rcpt + ">: mailbox unavailable"}
		}
		return nil
	})
	j := newJourney(t)
	j.signIn(e, "lois@planet.example")
	send := func(d newsletter.Date) {
		j.do("open the issue", chromedp.Navigate(e.url+"/admin/issues/"+d.String()), chromedp.WaitVisible(chromedp.ID("send-now")))
		j.do("send now",
			chromedp.Evaluate[chromedp.Void](`window.confirm = function () { return true; }`),
			chromedp.Click(chromedp.ID("send-now")))
	}

	send(day)
	j.wait("sent", `document.getElementById("p-status") !== null && document.getElementById("p-status").textContent === "sent"`)
	if c, _ := e.st.SubscriberCounts(ctx, 0); c[subscribers.Bounced] != readers/2 {
		t.Fatalf("after the first send: %v; want %d bounced", c, readers/2)
	}
	j.do("reload", chromedp.Reload())
	j.wait("the lift button", `document.getElementById("lift-suppressions") !== null`)
	if got := j.text("#lift-suppressions"); got != fmt.Sprintf("Lift this send's %d suppressions", readers/2) {
		t.Errorf("button %q", got)
	}
	j.shot("01-sent-with-suppressions")
	j.do("lift", chromedp.Evaluate[chromedp.Void](`window.confirm = function () { return true; }`), chromedp.Click(chromedp.ID("lift-suppressions")))
	j.wait("lifted", `document.querySelector(".flash") !== null && document.querySelector(".flash").textContent.indexOf("Lifted 5 suppressions this send made") >= 0`)
	j.shot("02-lifted")
	if c, _ := e.st.SubscriberCounts(ctx, 0); c[subscribers.Active] != readers {
		t.Fatalf("after the lift: %v; want all %d active", c, readers)
	}
	if strings.Contains(j.text("body"), "Lift this send's") {
		t.Error("the lift button is still offered")
	}

	e.smtp.SetInjector(func(stage smtptest.Stage, _, rcpt string) *smtptest.Fault {
		if stage == smtptest.StageRcpt {
			return &smtptest.Fault{Code: 554, Text: "5.7.1 <" + rcpt + ">: Relay access denied"}
		}
		return nil
	})
	send(day.AddDays(1))
	j.wait("paused with the reason", `document.getElementById("pause-reason") !== null`)
	j.shot("03-paused-by-masthead")
	if got := j.text("#pause-reason"); !strings.Contains(got, "masthead paused this send") || !strings.Contains(got, "Relay access denied") {
		t.Errorf("pause notice %q", got)
	}
	if got := j.text("#issue-status"); got != "paused" {
		t.Errorf("status %q", got)
	}
	j.wait("resume offered", `document.getElementById("resume") !== null`)
	if c, _ := e.st.SubscriberCounts(ctx, 0); c[subscribers.Active] != readers {
		t.Errorf("after the refused send: %v; want all %d active", c, readers)
	}
}
