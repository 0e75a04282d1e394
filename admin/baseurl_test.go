package admin

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"masthead/auth"
	"masthead/internal/smtptest"
)

// The publication's base URL is saved from the settings page (normalised,
// a bad one refused), and once saved, a form posted from that address is the
// admin's own even when the browser calls it cross-site (the admin served
// under the publication's host); another host's still is not.
func TestSettingsBaseURL(t *testing.T) {
	e := newEnv(t, smtptest.Options{})
	cookie, csrf := e.session(t, e.user(t, "perry@planet.example", auth.Admin))
	form := func(base string) url.Values {
		return url.Values{"csrf": {csrf}, "name": {e.pub.Name}, "from": {e.pub.From}, "timezone": {"UTC"},
			"volume_start": {"2007-02-07"}, "numbering": {"calendar"}, "empty_policy": {"skip"}, "base_url": {base}}
	}
	if res := e.request(t, "POST", "/admin/settings", cookie, form("https://weekly.planet.example.net/?x=1")); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a base URL with a query: %d, want 422", res.StatusCode)
	}
	cross := []string{"Origin", "https://weekly.planet.example.net", "Sec-Fetch-Site", "cross-site"}
	if res := e.request(t, "POST", "/admin/settings", cookie, form("https://weekly.planet.example.net"), cross...); res.StatusCode != http.StatusForbidden {
		t.Fatalf("from the host before it is the publication's: %d, want 403", res.StatusCode)
	}
	if res := e.request(t, "POST", "/admin/settings", cookie, form("https://Weekly.Planet.example.net/")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	p, err := e.st.Publication(context.Background(), e.pub.ID)
	if err != nil || p.BaseURL != "https://weekly.planet.example.net" {
		t.Fatalf("saved: %q, %v", p.BaseURL, err)
	}
	if res := e.request(t, "POST", "/admin/settings", cookie, form("https://weekly.planet.example.net"), cross...); res.StatusCode != http.StatusSeeOther {
		t.Errorf("from the publication's base URL: %d, want 303", res.StatusCode)
	}
	other := []string{"Origin", "https://other.planet.example.net", "Sec-Fetch-Site", "cross-site"}
	if res := e.request(t, "POST", "/admin/settings", cookie, form("https://weekly.planet.example.net"), other...); res.StatusCode != http.StatusForbidden {
		t.Errorf("from another host: %d, want 403", res.StatusCode)
	}
}
