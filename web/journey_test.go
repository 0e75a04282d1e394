package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"masthead/assembly"
	"masthead/delivery"
	"masthead/internal/testenv"
	"masthead/newsletter"
	"masthead/subscribers"
)

var (
	unsubURLRE = regexp.MustCompile(`https?://[^\s"<>]+/unsubscribe/[A-Za-z0-9_-]+`)
	webURLRE   = regexp.MustCompile(`https?://[^\s"<>]+/issues/planet/\d{4}-\d{2}-\d{2}`)
)

// The reader's whole journey in real headless Chromium, over real HTTP and
// SMTP: subscribe on the front page, confirm from the email, receive the next
// issue from the delivery engine, leave by its unsubscribe link, and not
// receive the issue after.
func TestBrowserJourney(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	pub := savePub(t, st, "planet", "The Daily Planet")
	site := startSignupSite(t, ctx, st, "journey secret, 32 bytes or more")
	logs, log, mailSrv, sender, signer, base := site.logs, site.log, site.mail, site.sender, site.signer, site.base
	asm := assembly.New(st, base)
	engine, err := delivery.New(st, sender, delivery.Config{Connections: 1, Poll: 50 * time.Millisecond,
		BaseURL: base, Signer: signer}, log)
	if err != nil {
		t.Fatal(err)
	}

	// Another reader, so that every issue has an audience.
	if _, err := st.AddSubscriber(ctx, "other@example.org", "", pub.ID, subscribers.Active, subscribers.ViaEditor); err != nil {
		t.Fatal(err)
	}
	// mailTo returns the messages to rcpt, decoded.
	mailTo := func(rcpt string) []map[string]string {
		var out []map[string]string
		for _, m := range mailSrv.Messages() {
			for _, to := range m.To {
				if to == rcpt {
					p, hdr := parts(t, m.Data)
					p["subject"] = hdr.Get("Subject")
					p["list-unsubscribe"] = hdr.Get("List-Unsubscribe")
					out = append(out, p)
				}
			}
		}
		return out
	}
	sendIssue := func(d newsletter.Date, title string) {
		t.Helper()
		if err := st.SaveArticles(ctx, &newsletter.Article{PublicationID: pub.ID, Date: d, Title: title,
			Body: "Today's news: " + title + ".", Status: newsletter.Ready}); err != nil {
			t.Fatal(err)
		}
		iss, err := asm.Assemble(ctx, pub, d)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := engine.Start(ctx, iss.ID); err != nil {
			t.Fatal(err)
		}
		sum, err := engine.Run(ctx, iss.ID)
		if err != nil || sum.Status != newsletter.Sent {
			t.Fatalf("send %s: %+v %v", d, sum, err)
		}
	}
	status := func() subscribers.Status {
		t.Helper()
		sub, err := st.SubscriberByEmail(ctx, "reader@example.org")
		if err != nil {
			t.Fatal(err)
		}
		return sub.Status
	}

	b := testenv.Browser(t)
	shots := t.TempDir()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("screenshot: %s", testenv.Screenshot(t, b, shots, "journey"))
			t.Logf("server log:\n%s", logs.String())
		}
	})
	h1 := func() string {
		t.Helper()
		v, err := chromedp.Run(b, chromedp.Text(chromedp.CSS("main h1:not(.visually-hidden)")))
		if err != nil {
			t.Fatalf("read h1: %v", err)
		}
		return strings.TrimSpace(v)
	}
	press := func(sel string) {
		t.Helper()
		if _, err := chromedp.Run(b, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel)))); err != nil {
			t.Fatalf("press %s: %v", sel, err)
		}
	}
	open := func(u string) {
		t.Helper()
		resp, err := chromedp.Run(b, chromedp.NavigateResponse(u))
		if err != nil || resp.Status != http.StatusOK {
			t.Fatalf("open %s: %v %v", u, resp, err)
		}
	}

	// 1. The reader fills in the subscribe form on the front page.
	open(base + "/")
	if err := chromedp.Do(b,
		chromedp.SendKeys(chromedp.ID("email"), "Reader@Example.org"),
		chromedp.SendKeys(chromedp.ID("name"), "Rita Reader"),
	); err != nil {
		t.Fatal(err)
	}
	press(`form[action="/subscribe"] button[type=submit]`)
	if got := h1(); got != "Check your inbox" {
		t.Fatalf("after subscribing the page says %q", got)
	}
	if s := status(); s != subscribers.Pending {
		t.Fatalf("after the form: %s, want pending", s)
	}

	// 2. The confirmation email arrives (from the queue's loop); the reader
	// opens its link and presses the button.
	confirms := mailTo("reader@example.org")
	for deadline := time.Now().Add(10 * time.Second); len(confirms) == 0 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		confirms = mailTo("reader@example.org")
	}
	if len(confirms) != 1 {
		t.Fatalf("%d emails to the reader after subscribing, want 1", len(confirms))
	}
	link := confirmURLRE.FindString(confirms[0]["text/plain"])
	if link == "" || !strings.Contains(confirms[0]["text/html"], link) {
		t.Fatalf("no confirm link in the email: %q", confirms[0]["text/plain"])
	}
	open(link)
	if got := h1(); got != "Confirm your subscription" {
		t.Fatalf("confirm page says %q", got)
	}
	if s := status(); s != subscribers.Pending {
		t.Fatalf("opening the link changed the status to %s", s)
	}
	press(`main form button[type=submit]`)
	if got := h1(); got != "You are subscribed" {
		t.Fatalf("after confirming the page says %q", got)
	}
	if s := status(); s != subscribers.Active {
		t.Fatalf("after confirming: %s, want active", s)
	}

	// 3. The next issue reaches them, with an unsubscribe link and a web link.
	sendIssue(newsletter.Date{Year: 2009, Month: 7, Day: 9}, "Moon landing anniversary")
	got := mailTo("reader@example.org")
	if len(got) != 2 || !strings.Contains(got[1]["text/plain"], "Moon landing anniversary") {
		t.Fatalf("the reader got %d emails, want the confirmation and the issue", len(got))
	}
	issue := got[1]
	unsub := unsubURLRE.FindString(issue["text/html"])
	if unsub == "" || !strings.Contains(issue["list-unsubscribe"], unsub) {
		t.Fatalf("unsubscribe link %q not in List-Unsubscribe %q", unsub, issue["list-unsubscribe"])
	}
	web := webURLRE.FindString(issue["text/html"])
	if web == "" {
		t.Fatal("no link to the web edition in the issue")
	}
	open(web)
	if title, err := chromedp.Run(b, chromedp.Text(chromedp.CSS("h2.headline"))); err != nil || !strings.Contains(title, "Moon landing anniversary") {
		t.Fatalf("the issue's web page: %q %v", title, err)
	}
	if err := chromedp.Do(b, chromedp.Click(chromedp.CSS(`.top a[href="#top"]`))); err != nil { // "Back to the top"
		t.Fatal(err)
	}
	if u, err := chromedp.Run(b, chromedp.Location()); err != nil || !strings.HasSuffix(u, "#top") {
		t.Errorf("Back to the top: %q %v", u, err)
	}

	// 4. They open its unsubscribe link and press the button.
	open(unsub)
	if got := h1(); got != "Unsubscribe" {
		t.Fatalf("unsubscribe page says %q", got)
	}
	if s := status(); s != subscribers.Active {
		t.Fatalf("opening the unsubscribe link changed the status to %s", s)
	}
	press(`main form button[type=submit]`)
	if got := h1(); got != "You are unsubscribed" {
		t.Fatalf("after unsubscribing the page says %q", got)
	}
	if s := status(); s != subscribers.Unsubscribed {
		t.Fatalf("after unsubscribing: %s", s)
	}

	// 5. The issue after that does not reach them; it reaches the other reader.
	sendIssue(newsletter.Date{Year: 2009, Month: 7, Day: 10}, "Second day")
	if n := len(mailTo("reader@example.org")); n != 2 {
		t.Errorf("the reader got %d emails in all, want 2 (no issue after unsubscribing)", n)
	}
	if n := len(mailTo("other@example.org")); n != 2 {
		t.Errorf("the other reader got %d issues, want 2", n)
	}
	if _, err := url.Parse(unsub); err != nil {
		t.Error(err)
	}
}
