package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"masthead/subscribers"
)

const newsroom = "https://www.planet-news.example"

// allowSignup gives the env's publication the newsroom's site as a signup
// origin, with a page to land on after confirming.
func (e *env) allowSignup(confirmed string) {
	e.t.Helper()
	e.pub.SignupOrigins = []string{newsroom}
	e.pub.SignupConfirmedURL = confirmed
	if err := e.work.SavePublication(context.Background(), e.pub); err != nil {
		e.t.Fatal(err)
	}
}

// crossSite is a form POST as a browser sends it from a page of origin.
func crossSite(origin, body string) *http.Request {
	r := httptestForm("/subscribe", body)
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	if origin != "" {
		r.Header.Set("Origin", origin)
	}
	return r
}

func (e *env) hasSubscriber(email string) bool {
	e.t.Helper()
	_, err := e.st.SubscriberByEmail(context.Background(), email)
	return err == nil
}

func TestSignupFromAllowedOrigin(t *testing.T) {
	e := newEnv(t)
	e.allowSignup("")
	back := newsroom + "/thanks?from=form"
	res, _ := e.do(crossSite(newsroom, "email=ann%40example.org&publication=planet&redirect="+url.QueryEscape(back)))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != back {
		t.Fatalf("from the newsroom: %d %q, want 303 to %s", res.StatusCode, res.Header.Get("Location"), back)
	}
	if _, st := e.subscriber("ann@example.org"); st != subscribers.Pending {
		t.Fatalf("after the form: %s, want pending (double opt-in)", st)
	}
	if outboxCount(t, e.st, "ann@example.org") != 1 {
		t.Fatal("no confirmation email")
	}
	// The same form with no publication named (one allows the origin) and
	// return_to; the origin as a browser may write it, with its port.
	res, _ = e.do(crossSite(newsroom+":443", "email=bob%40example.org&return_to="+url.QueryEscape(newsroom+"/")))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != newsroom+"/" {
		t.Fatalf("return_to: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	// A redirect elsewhere is not followed: this site's page is shown.
	for _, bad := range []string{"https://evil.example/x", "//evil.example/x", "javascript:alert(1)",
		"https://www.planet-news.example.evil.example/", "http://www.planet-news.example/", "/subscribe/sent/../x",
		"https://user@www.planet-news.example/"} {
		res, _ = e.do(crossSite(newsroom, "email=carol%40example.org&redirect="+url.QueryEscape(bad)))
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/subscribe/sent" {
			t.Errorf("redirect %q: %d %q, want /subscribe/sent", bad, res.StatusCode, res.Header.Get("Location"))
		}
	}
	// The honeypot answers the same as a real subscription, and does nothing.
	res, _ = e.do(crossSite(newsroom, "email=bot%40example.org&website=x&redirect="+url.QueryEscape(back)))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != back || e.hasSubscriber("bot@example.org") {
		t.Fatalf("honeypot: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	// A typing mistake shows this site's form with the error.
	res, body := e.do(crossSite(newsroom, "email=not-an-address"))
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Please enter a valid email address") {
		t.Fatalf("bad address: %d", res.StatusCode)
	}
}

func TestSignupFromOtherOriginsRefused(t *testing.T) {
	e := newEnv(t)
	e.allowSignup("")
	for _, tt := range []struct{ name, origin, site string }{
		{"another site", "https://evil.example", "cross-site"},
		{"the newsroom over http", "http://www.planet-news.example", "cross-site"},
		{"another port", newsroom + ":8443", "same-site"},
		{"a subdomain", "https://planet-news.example", "same-site"},
		{"no origin", "", "cross-site"},
		{"origin null (no-referrer page)", "null", "cross-site"},
	} {
		r := crossSite(tt.origin, "email=eve%40example.org&publication=planet&redirect="+url.QueryEscape(newsroom+"/"))
		r.Header.Set("Sec-Fetch-Site", tt.site)
		if res, _ := e.do(r); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", tt.name, res.StatusCode)
		}
	}
	// An older browser: Origin and no Sec-Fetch-Site.
	r := httptestForm("/subscribe", "email=eve%40example.org")
	r.Header.Del("Sec-Fetch-Site")
	r.Header.Set("Origin", "https://evil.example")
	if res, _ := e.do(r); res.StatusCode != http.StatusForbidden {
		t.Errorf("older browser from another site: %d, want 403", res.StatusCode)
	}
	if e.hasSubscriber("eve@example.org") {
		t.Fatal("a refused form made a subscriber")
	}
}

// With several publications, a site may ask only for those that allow it.
func TestSignupOriginPerPublication(t *testing.T) {
	e := newEnv(t)
	e.allowSignup("")
	savePub(t, e.st, "sports", "The Sports Page")
	res, _ := e.do(crossSite(newsroom, "email=dan%40example.org&publication=planet&publication=sports"))
	if res.StatusCode != http.StatusForbidden || e.hasSubscriber("dan@example.org") {
		t.Fatalf("asking for a publication that does not allow the origin: %d, want 403", res.StatusCode)
	}
	res, _ = e.do(crossSite(newsroom, "email=dan%40example.org"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the one publication that allows the origin: %d", res.StatusCode)
	}
	if _, st := e.subscriber("dan@example.org"); st != subscribers.Pending {
		t.Fatalf("planet: %s, want pending", st)
	}
	// A redirect on the newsroom's site from this site's own form, for a
	// publication that does not allow it, is not followed.
	res, _ = e.postForm("/subscribe", "email=fay%40example.org&publication=sports&redirect="+url.QueryEscape(newsroom+"/"))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/subscribe/sent" {
		t.Fatalf("own form, sports: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestConfirmSendsBackToTheNewsroom(t *testing.T) {
	e := newEnv(t)
	landing := newsroom + "/welcome"
	e.allowSignup(landing)
	if res, _ := e.do(crossSite(newsroom, "email=gil%40example.org")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("subscribe: %d", res.StatusCode)
	}
	path := e.confirmPath("gil@example.org")
	res, _ := e.get(path)
	isPage(t, res, 200)
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' "+newsroom+";") {
		t.Errorf("confirm page's policy does not let its button land on the newsroom: %s", csp)
	}
	res, _ = e.postForm(path, "")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != landing {
		t.Fatalf("confirm: %d %q, want 303 to %s", res.StatusCode, res.Header.Get("Location"), landing)
	}
	if _, st := e.subscriber("gil@example.org"); st != subscribers.Active {
		t.Fatalf("after confirming: %s", st)
	}
}
