package admin

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"masthead/auth"
	"masthead/internal/smtptest"
)

// An editor gives a reader a time zone on the add form, changes it on the
// subscriber page and clears it; a name that is not an IANA zone is shown
// back on the page with the field's error, and changes nothing.
func TestSubscriberTimeZoneForm(t *testing.T) {
	e := newEnv(t, smtptest.Options{})
	cookie, csrf := e.session(t, e.user(t, "lois@planet.example", auth.Editor))
	ctx := context.Background()

	resp := e.request(t, "POST", "/admin/subscribers", cookie, url.Values{"csrf": {csrf}, "email": {"ann@example.org"}, "timezone": {"Europe/London"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add: %d", resp.StatusCode)
	}
	sub, err := e.st.SubscriberByEmail(ctx, "ann@example.org")
	if err != nil || sub.TimeZone != "Europe/London" {
		t.Fatalf("added: %+v, %v", sub, err)
	}
	resp, body := e.postPage(t, "/admin/subscribers", cookie, url.Values{"csrf": {csrf}, "email": {"mars@example.org"}, "timezone": {"Mars/Olympus"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), "timezone: &#34;Mars/Olympus&#34; is not an IANA time zone name") {
		t.Errorf("add with a bad zone: %d\n%.2000s", resp.StatusCode, body)
	}

	path := fmt.Sprintf("/admin/subscribers/%d", sub.ID)
	if page := e.page(t, path, cookie); !strings.Contains(page, `name="timezone" value="Europe/London"`) {
		t.Errorf("the subscriber page does not show the zone:\n%s", page)
	}
	resp = e.request(t, "POST", path+"/timezone", cookie, url.Values{"csrf": {csrf}, "timezone": {"Asia/Jerusalem"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("set: %d", resp.StatusCode)
	}
	if sub, _ = e.st.Subscriber(ctx, sub.ID); sub.TimeZone != "Asia/Jerusalem" {
		t.Errorf("zone after set %q", sub.TimeZone)
	}
	resp, body = e.postPage(t, path+"/timezone", cookie, url.Values{"csrf": {csrf}, "timezone": {"Asia/Atlantis"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), `is not an IANA time zone name`) ||
		!strings.Contains(string(body), `name="timezone" value="Asia/Atlantis"`) {
		t.Errorf("set a bad zone: %d\n%.3000s", resp.StatusCode, body)
	}
	if sub, _ = e.st.Subscriber(ctx, sub.ID); sub.TimeZone != "Asia/Jerusalem" {
		t.Errorf("a refused zone changed it to %q", sub.TimeZone)
	}
	resp = e.request(t, "POST", path+"/timezone", cookie, url.Values{"csrf": {csrf}, "timezone": {""}})
	if sub, _ = e.st.Subscriber(ctx, sub.ID); resp.StatusCode != http.StatusSeeOther || sub.TimeZone != "" {
		t.Errorf("clear: %d, zone %q", resp.StatusCode, sub.TimeZone)
	}
	if page := e.page(t, path, cookie); !strings.Contains(page, "timezone") || !strings.Contains(page, "the publication") {
		t.Errorf("the history does not show the change:\n%s", page)
	}
	resp = e.request(t, "POST", "/admin/subscribers/999/timezone", cookie, url.Values{"csrf": {csrf}, "timezone": {"UTC"}})
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown subscriber: %d", resp.StatusCode)
	}
}

// postPage posts a form and returns the answer with its page.
func (e *env) postPage(t *testing.T, path string, cookie *http.Cookie, form url.Values) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("POST", e.url+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(cookie)
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}
