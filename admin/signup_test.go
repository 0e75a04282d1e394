package admin

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"masthead/auth"
	"masthead/internal/smtptest"
)

// The signup settings are saved from the settings page, which shows the
// subscribe form for the newsroom's site, escaped, ready to copy.
func TestSettingsSignupAndSnippet(t *testing.T) {
	e := newEnv(t, smtptest.Options{})
	cookie, csrf := e.session(t, e.user(t, "perry@planet.example", auth.Admin))
	form := func(origins string) url.Values {
		return url.Values{"csrf": {csrf}, "name": {e.pub.Name}, "from": {e.pub.From}, "timezone": {"UTC"},
			"volume_start": {"2007-02-07"}, "numbering": {"calendar"}, "empty_policy": {"skip"},
			"signup_origins": {origins}, "signup_confirmed_url": {"https://www.example.org/welcome"},
			"welcome_email": {"on"}, "welcome_subject": {"Hello"}, "welcome_body": {"Thank you.\r\n\r\nSee you tomorrow."}}
	}
	if res := e.request(t, "POST", "/admin/settings", cookie, form("www.example.org")); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad origin: %d, want 422", res.StatusCode)
	}
	if res := e.request(t, "POST", "/admin/settings", cookie, form("https://www.example.org, https://example.org")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	p, err := e.st.Publication(context.Background(), e.pub.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(p.SignupOrigins, " ") != "https://www.example.org https://example.org" || !p.WelcomeEmail ||
		p.WelcomeSubject != "Hello" || p.WelcomeBody != "Thank you.\n\nSee you tomorrow." || p.SignupConfirmedURL != "https://www.example.org/welcome" {
		t.Fatalf("saved: %+v", p)
	}
	page := e.page(t, "/admin/settings?redirect="+url.QueryEscape("https://example.org/thanks"), cookie)
	start := strings.Index(page, `<textarea id="signup-snippet" readonly`)
	if start < 0 {
		t.Fatalf("no snippet on the settings page:\n%s", page)
	}
	snippet := page[strings.Index(page[start:], ">")+start+1:]
	snippet = html.UnescapeString(snippet[:strings.Index(snippet, "</textarea>")])
	for _, want := range []string{`<form method="post" action="` + e.url + `/subscribe"`,
		`<input type="hidden" name="redirect" value="https://example.org/thanks">`, `name="email"`} {
		if !strings.Contains(snippet, want) {
			t.Errorf("snippet lacks %s:\n%s", want, snippet)
		}
	}
	if strings.Contains(page, `<form method="post" action="`+e.url) {
		t.Error("the snippet is not escaped on the page")
	}
	if page = e.page(t, "/admin/settings?redirect="+url.QueryEscape("https://evil.example/"), cookie); !strings.Contains(page, "must be an http(s) address on one of planet") {
		t.Error("a redirect elsewhere is not refused on the settings page")
	}
}
