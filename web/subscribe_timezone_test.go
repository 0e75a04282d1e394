package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"masthead/subscribers"
)

// The form's timezone field: an IANA name is a new subscriber's zone; one
// that is not (or a path, or a very long value) is dropped and the form
// subscribes all the same; an active subscriber's zone does not change
// whatever a stranger posts with their address. The script that fills the
// field is served as JavaScript from this site.
func TestSubscribeTimeZoneField(t *testing.T) {
	e := newEnv(t)
	post := func(email, zone string) {
		t.Helper()
		res, _ := e.postForm("/subscribe", "email="+email+"&publication=planet&timezone="+zone)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/subscribe/sent" {
			t.Fatalf("subscribe %s with zone %q: %d %s", email, zone, res.StatusCode, res.Header.Get("Location"))
		}
	}
	post("tokyo%40example.org", "Asia%2FTokyo")
	if sub, st := e.subscriber("tokyo@example.org"); st != subscribers.Pending || sub.TimeZone != "Asia/Tokyo" {
		t.Errorf("new subscriber: %s, zone %q", st, sub.TimeZone)
	}
	for i, zone := range []string{"Mars%2FOlympus", "..%2F..%2Fetc%2Fpasswd", "Local", strings.Repeat("A", 2000)} {
		email := string(rune('a'+i)) + "%40example.org"
		post(email, zone)
		if sub, st := e.subscriber(strings.Replace(email, "%40", "@", 1)); st != subscribers.Pending || sub.TimeZone != "" {
			t.Errorf("zone %.20q: %s, zone %q; want pending with none", zone, st, sub.TimeZone)
		}
	}

	ctx := context.Background()
	if _, err := e.work.AddSubscriber(ctx, e.pub, "on@example.org", "", "Europe/London", false, subscribers.ViaEditor); err != nil {
		t.Fatal(err)
	}
	post("on%40example.org", "Asia%2FTokyo")
	if sub, st := e.subscriber("on@example.org"); st != subscribers.Active || sub.TimeZone != "Europe/London" {
		t.Errorf("a stranger's form changed an active subscriber: %s, zone %q", st, sub.TimeZone)
	}

	res, js := e.get("/static/timezone.js")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") ||
		!strings.Contains(js, "resolvedOptions().timeZone") {
		t.Errorf("timezone.js: %d %s\n%.200s", res.StatusCode, res.Header.Get("Content-Type"), js)
	}
	_, home := e.get("/")
	if !strings.Contains(home, `<script src="/static/timezone.js" defer></script>`) || !strings.Contains(home, `<input type="hidden" name="timezone" value="">`) {
		t.Errorf("the front page lacks the script or the field:\n%s", home)
	}
}

// Anyone may post the form with anyone's address and a zone; only the reader
// opens the emailed link. The zone the reader's browser reports on the
// confirm page is the one kept, not a stranger's posted in between.
func TestConfirmKeepsTheConfirmingBrowsersZone(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.work.AddSubscriber(ctx, e.pub, "alice@example.org", "", "Europe/London", false, subscribers.ViaEditor); err != nil {
		t.Fatal(err)
	}
	alice, _ := e.subscriber("alice@example.org")
	if err := e.st.Unsubscribe(ctx, alice.ID, e.pub.ID, subscribers.ViaLink, ""); err != nil {
		t.Fatal(err)
	}
	e.postForm("/subscribe", "email=alice%40example.org&publication=planet&timezone=Europe%2FLondon")      // Alice, coming back
	e.postForm("/subscribe", "email=alice%40example.org&publication=planet&timezone=Pacific%2FKiritimati") // a stranger
	res, _ := e.postForm(e.confirmPath("alice@example.org"), "timezone=Europe%2FLondon")                   // her browser, as she confirms
	if res.StatusCode != http.StatusOK {
		t.Fatalf("confirm: %d", res.StatusCode)
	}
	if sub, st := e.subscriber("alice@example.org"); st != subscribers.Active || sub.TimeZone != "Europe/London" {
		t.Errorf("after confirming from London: %s, zone %q; want active in Europe/London", st, sub.TimeZone)
	}
}
