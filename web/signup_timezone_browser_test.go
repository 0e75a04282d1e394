package web

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"masthead/internal/testenv"
	"masthead/subscribers"
)

// The subscribe form records the reader's time zone, in real Chromium with
// its time zone set through DevTools: the front page's form in Jerusalem
// subscribes a new reader whose confirmed subscriber has Asia/Jerusalem; a
// reader who left (their zone Europe/London) and comes back through the
// form keeps their zone until they confirm, and then has the form's; the
// form pasted on the newsroom's site with its optional script line records
// the zone too; and with JavaScript off the form still subscribes, with no
// zone (the publication's).
func TestBrowserSignupRecordsTimeZone(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	pub := savePub(t, st, "planet", "The Daily Planet")
	site := startSignupSite(t, ctx, st, "time zone secret, 32 bytes long.")
	logs, mailSrv, base, work := site.logs, site.mail, site.base, site.work

	newsroom := newsroomSite(t, func(origin string) string {
		pub.SignupOrigins = []string{origin}
		if err := work.SavePublication(ctx, pub); err != nil {
			t.Fatal(err)
		}
		html, err := work.SignupSnippet(pub, origin+"/thanks")
		if err != nil {
			t.Fatal(err)
		}
		return html
	})

	// A reader who left, with the zone an editor gave them.
	if _, err := work.AddSubscriber(ctx, pub, "back@example.org", "Back", "Europe/London", false, subscribers.ViaEditor); err != nil {
		t.Fatal(err)
	}
	back, err := st.SubscriberByEmail(ctx, "back@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Unsubscribe(ctx, back.ID, pub.ID, subscribers.ViaLink, ""); err != nil {
		t.Fatal(err)
	}

	b := testenv.Browser(t)
	shots := os.Getenv("MASTHEAD_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("screenshot: %s", testenv.Screenshot(t, b, shots, "signup-timezone-failed"))
			t.Logf("server log:\n%s", logs.String())
		}
	})
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(b, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	emulate := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	open := func(u string) {
		t.Helper()
		resp, err := chromedp.Run(b, chromedp.NavigateResponse(u))
		if err != nil || resp.Status != http.StatusOK {
			t.Fatalf("open %s: %v %v", u, resp, err)
		}
	}
	press := func(sel string) {
		t.Helper()
		if _, err := chromedp.Run(b, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel)))); err != nil {
			t.Fatalf("press %s: %v", sel, err)
		}
	}
	h1 := func() string {
		t.Helper()
		v, err := chromedp.Run(b, chromedp.Text(chromedp.CSS("h1:not(.visually-hidden)")))
		if err != nil {
			t.Fatalf("read h1: %v", err)
		}
		return strings.TrimSpace(v)
	}
	subscriber := func(email string) *subscribers.Subscriber {
		t.Helper()
		sub, err := st.SubscriberByEmail(ctx, email)
		if err != nil {
			t.Fatalf("%s: %v", email, err)
		}
		return sub
	}
	zoneField := func() string {
		t.Helper()
		zone, err := chromedp.Run(b, chromedp.Evaluate[string](`document.querySelector('input[name="timezone"]').value`))
		if err != nil {
			t.Fatalf("read the timezone field: %v", err)
		}
		return zone
	}
	// confirm opens the newest confirmation link sent to rcpt, the n-th,
	// and presses its button; the confirm page's own timezone field holds
	// zone, the browser's (none without JavaScript).
	confirm := func(rcpt string, n int, zone string) {
		t.Helper()
		var links []string
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			links = links[:0]
			for _, m := range mailSrv.Messages() {
				if len(m.To) == 1 && m.To[0] == rcpt {
					p, _ := parts(t, m.Data)
					if l := confirmURLRE.FindString(p["text/plain"]); l != "" {
						links = append(links, l)
					}
				}
			}
			if len(links) >= n {
				break
			}
		}
		if len(links) != n {
			t.Fatalf("%d confirmation emails to %s, want %d", len(links), rcpt, n)
		}
		open(links[n-1])
		if z := zoneField(); z != zone {
			t.Errorf("the confirm page's timezone field holds %q, want %q", z, zone)
		}
		press(`main form button[type=submit]`)
		if got := h1(); got != "You are subscribed" {
			t.Fatalf("after confirming the page says %q", got)
		}
	}
	subscribe := func(email string) {
		t.Helper()
		run("fill in the form", chromedp.SendKeys(chromedp.ID("email"), email))
		press(`form[action="/subscribe"] button[type=submit]`)
		if got := h1(); got != "Check your inbox" {
			t.Fatalf("after subscribing the page says %q", got)
		}
	}

	// 1. In Jerusalem, on the front page, a new reader.
	_, err = chromedp.Call(b, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Jerusalem"})
	emulate("be in Jerusalem", err)
	open(base + "/")
	testenv.Screenshot(t, b, shots, "signup-timezone-form")
	if z := zoneField(); z != "Asia/Jerusalem" {
		t.Errorf("the form's timezone field holds %q, want Asia/Jerusalem", z)
	}
	subscribe("new@example.org")
	if sub := subscriber("new@example.org"); sub.Status != subscribers.Pending || sub.TimeZone != "Asia/Jerusalem" {
		t.Errorf("after the form: %s, zone %q", sub.Status, sub.TimeZone)
	}
	confirm("new@example.org", 1, "Asia/Jerusalem")
	if sub := subscriber("new@example.org"); sub.Status != subscribers.Active || sub.TimeZone != "Asia/Jerusalem" {
		t.Errorf("after confirming: %s, zone %q; want active in Asia/Jerusalem", sub.Status, sub.TimeZone)
	}

	// 2. The reader who left comes back from Jerusalem: their zone is
	// theirs to change, so it changes when they confirm.
	open(base + "/")
	subscribe("back@example.org")
	if sub := subscriber("back@example.org"); sub.TimeZone != "Europe/London" {
		t.Errorf("before confirming, the form changed the zone to %q", sub.TimeZone)
	}
	confirm("back@example.org", 1, "Asia/Jerusalem")
	if sub := subscriber("back@example.org"); sub.Status != subscribers.Active || sub.TimeZone != "Asia/Jerusalem" {
		t.Errorf("after confirming: %s, zone %q; want active in Asia/Jerusalem", sub.Status, sub.TimeZone)
	}

	// 3. On the newsroom's site, in São Paulo, with the snippet's script line.
	_, err = chromedp.Call(b, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "America/Sao_Paulo"})
	emulate("be in São Paulo", err)
	open(newsroom.URL + "/signup")
	run("fill in the newsroom's form", chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "far@example.org"))
	press(`form button[type=submit]`)
	if loc, err := chromedp.Run(b, chromedp.Location()); err != nil || loc != newsroom.URL+"/thanks" {
		t.Fatalf("after the newsroom's form the browser is at %s (%v)", loc, err)
	}
	confirm("far@example.org", 1, "America/Sao_Paulo")
	if sub := subscriber("far@example.org"); sub.TimeZone != "America/Sao_Paulo" {
		t.Errorf("from the newsroom's form: zone %q, want America/Sao_Paulo", sub.TimeZone)
	}

	// 4. Without JavaScript the form still subscribes; no zone is known.
	_, err = chromedp.Call(b, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
	emulate("turn JavaScript off", err)
	open(base + "/")
	testenv.Screenshot(t, b, shots, "signup-timezone-form-nojs")
	subscribe("plain@example.org")
	confirm("plain@example.org", 1, "")
	if sub := subscriber("plain@example.org"); sub.Status != subscribers.Active || sub.TimeZone != "" {
		t.Errorf("without JavaScript: %s, zone %q; want active with the publication's zone", sub.Status, sub.TimeZone)
	}
}
