package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"masthead/internal/testenv"
	"masthead/subscribers"
)

// newsroomSite is a newsroom's own site on its own origin: /signup is a
// page with masthead's form snippet pasted in, /thanks and /welcome the
// pages the reader comes back to.
func newsroomSite(t *testing.T, snippet func(origin string) string) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	origin := "http://" + srv.Listener.Addr().String()
	body := snippet(origin)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/signup":
			fmt.Fprintf(w, "<!DOCTYPE html><html lang=en><title>Newsroom</title><h1>Get the paper</h1>%s</html>", body)
		case "/thanks", "/welcome":
			fmt.Fprintf(w, "<!DOCTYPE html><html lang=en><title>Newsroom</title><h1>Newsroom %s page</h1></html>", r.URL.Path[1:])
		default:
			http.NotFound(w, r)
		}
	})
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// The newsroom's own site in real Chromium: a page on another origin with
// the snippet subscribes a reader without JavaScript, the browser comes
// back to the newsroom's page, the confirmation email arrives over SMTP,
// confirming lands on the newsroom's welcome page, and the welcome email
// arrives with its unsubscribe link. The same form on a site that is not
// allowed is refused.
func TestBrowserSignupFromAnotherOrigin(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	pub := savePub(t, st, "planet", "The Daily Planet")
	site := startSignupSite(t, ctx, st, "signup secret, 32 bytes or more.")
	logs, mailSrv, base, work := site.logs, site.mail, site.base, site.work

	// The newsroom's site is allowed; another site pastes the same form.
	var newsroomOrigin string
	newsroom := newsroomSite(t, func(origin string) string {
		newsroomOrigin = origin
		pub.SignupOrigins = []string{origin}
		pub.SignupConfirmedURL = origin + "/welcome"
		pub.WelcomeEmail, pub.WelcomeSubject = true, "Welcome to the Planet"
		pub.WelcomeBody = "Thank you for confirming.\n\nThe paper arrives at six."
		if err := work.SavePublication(ctx, pub); err != nil {
			t.Fatal(err)
		}
		html, err := work.SignupSnippet(pub, origin+"/thanks")
		if err != nil {
			t.Fatal(err)
		}
		return html
	})
	plain, err := work.SignupSnippet(pub, "")
	if err != nil {
		t.Fatal(err)
	}
	other := newsroomSite(t, func(string) string { return plain })
	if newsroom.URL != newsroomOrigin || strings.HasPrefix(base, newsroomOrigin) {
		t.Fatalf("origins: newsroom %s, masthead %s", newsroomOrigin, base)
	}

	mailTo := func(rcpt, messageIDPrefix string) []map[string]string {
		var out []map[string]string
		for _, m := range mailSrv.Messages() {
			if len(m.To) == 1 && m.To[0] == rcpt {
				p, hdr := parts(t, m.Data)
				if strings.HasPrefix(hdr.Get("Message-Id"), "<"+messageIDPrefix) {
					p["subject"], p["list-unsubscribe"] = hdr.Get("Subject"), hdr.Get("List-Unsubscribe")
					out = append(out, p)
				}
			}
		}
		return out
	}
	waitMail := func(rcpt, kind string) map[string]string {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if got := mailTo(rcpt, kind); len(got) > 0 {
				return got[0]
			}
		}
		t.Fatalf("no %s email to %s within 10 s", kind, rcpt)
		return nil
	}

	b := testenv.Browser(t)
	shots := t.TempDir()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("screenshot: %s", testenv.Screenshot(t, b, shots, "signup"))
			t.Logf("server log:\n%s", logs.String())
		}
	})
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
	where := func() (loc, h1 string) {
		t.Helper()
		loc, err := chromedp.Run(b, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		h1, err = chromedp.Run(b, chromedp.Text(chromedp.CSS("h1:not(.visually-hidden)")))
		if err != nil {
			t.Fatal(err)
		}
		return loc, strings.TrimSpace(h1)
	}
	status := func(email string) subscribers.Status {
		t.Helper()
		sub, err := st.SubscriberByEmail(ctx, email)
		if err != nil {
			return ""
		}
		return sub.Status
	}

	// 1. On the newsroom's page the reader fills in the pasted form; the
	// browser comes back to the newsroom's thanks page.
	open(newsroom.URL + "/signup")
	if err := chromedp.Do(b, chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "reader@example.org"),
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "Rita Reader")); err != nil {
		t.Fatal(err)
	}
	press(`form button[type=submit]`)
	if loc, h1 := where(); loc != newsroom.URL+"/thanks" || h1 != "Newsroom thanks page" {
		t.Fatalf("after subscribing the browser is at %s (%q), want the newsroom's thanks page", loc, h1)
	}
	if s := status("reader@example.org"); s != subscribers.Pending {
		t.Fatalf("after the form: %q, want pending", s)
	}

	// 2. The confirmation email arrives; confirming lands on the newsroom's
	// welcome page.
	link := confirmURLRE.FindString(waitMail("reader@example.org", "confirm.")["text/plain"])
	if !strings.HasPrefix(link, base+"/confirm/") {
		t.Fatalf("confirm link %q", link)
	}
	open(link)
	press(`main form button[type=submit]`)
	if loc, h1 := where(); loc != newsroom.URL+"/welcome" || h1 != "Newsroom welcome page" {
		t.Fatalf("after confirming the browser is at %s (%q), want the newsroom's welcome page", loc, h1)
	}
	if s := status("reader@example.org"); s != subscribers.Active {
		t.Fatalf("after confirming: %q, want active", s)
	}

	// 3. The welcome email arrives, once, with the reader's unsubscribe link.
	welcome := waitMail("reader@example.org", "welcome.")
	unsub := unsubURLRE.FindString(welcome["text/html"])
	if welcome["subject"] != "Welcome to the Planet" || !strings.Contains(welcome["text/plain"], "The paper arrives at six.") ||
		unsub == "" || !strings.Contains(welcome["text/plain"], unsub) || welcome["list-unsubscribe"] != "<"+unsub+">" {
		t.Fatalf("welcome email: %v", welcome)
	}
	open(unsub)
	if _, h1 := where(); h1 != "Unsubscribe" {
		t.Fatalf("the welcome email's unsubscribe link opens %q", h1)
	}

	// 4. The same form on a site that is not allowed is refused.
	open(other.URL + "/signup")
	if err := chromedp.Do(b, chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "eve@example.org")); err != nil {
		t.Fatal(err)
	}
	press(`form button[type=submit]`)
	if loc, h1 := where(); loc != base+"/subscribe" || h1 != "Not allowed" {
		t.Fatalf("from another site the browser is at %s (%q), want masthead's refusal", loc, h1)
	}
	if s := status("eve@example.org"); s != "" {
		t.Fatalf("a refused form made a subscriber (%s)", s)
	}
	time.Sleep(100 * time.Millisecond) // let a wrongly queued email show
	if n := len(mailTo("reader@example.org", "welcome.")); n != 1 {
		t.Errorf("%d welcome emails, want 1", n)
	}
}
