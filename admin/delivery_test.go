package admin

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"masthead/auth"
	"masthead/internal/smtptest"
	"masthead/store"
	"masthead/subscribers"
)

// The Delivery fieldset saves at each reader's local time; a daily release
// after the readers' hour is refused with the explanation; the page shows
// when each zone's readers get the next issues.
func TestSettingsDelivery(t *testing.T) {
	e := newEnv(t, smtptest.Options{}) // UTC, daily at 06:00
	u := e.user(t, "perry@planet.example", auth.Admin)
	cookie, csrf := e.session(t, u)
	ctx := context.Background()
	for email, zone := range map[string]string{"home@x.example": "", "del1@x.example": "Asia/Kolkata",
		"del2@x.example": "Asia/Kolkata", "tyo@x.example": "Asia/Tokyo", "nyc@x.example": "America/New_York"} {
		if _, err := e.st.AddArrival(ctx, store.Arrival{Email: email, TimeZone: zone, PublicationID: e.pub.ID,
			Status: subscribers.Active, Via: subscribers.ViaEditor}); err != nil {
			t.Fatal(err)
		}
	}
	form := func(localTime string) url.Values {
		return url.Values{"csrf": {csrf}, "name": {e.pub.Name}, "from": {e.pub.From}, "address": {e.pub.Address},
			"timezone": {"UTC"}, "schedule": {"0 6 * * *"}, "volume_start": {"2007-02-07"}, "numbering": {"calendar"},
			"empty_policy": {"skip"}, "deliver": {"local"}, "local_time": {localTime}}
	}
	req, err := http.NewRequest("POST", e.url+"/admin/settings", strings.NewReader(form("05:00").Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(cookie)
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	want := "Delivery: the schedule releases at 06:00 UTC, after the readers&#39; 05:00: readers in UTC would get each issue the next day; " +
		"release earlier (the schedule &#39;0 4 * * *&#39;) or set the local time to 06:00 or later"
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), want) {
		t.Fatalf("a release after the readers' hour: %d, want 422 with %q\n%s", res.StatusCode, want, body)
	}
	if p, err := e.st.Publication(ctx, e.pub.ID); err != nil || p.Deliver != "at-once" {
		t.Fatalf("the refused setting was saved: %v %v", p.Deliver, err)
	}
	if res := e.request(t, "POST", "/admin/settings", cookie, form("7:00")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	p, err := e.st.Publication(ctx, e.pub.ID)
	if err != nil || p.Deliver != "local" || p.LocalTime != "07:00" {
		t.Fatalf("saved %q %q, %v", p.Deliver, p.LocalTime, err)
	}
	page := e.page(t, "/admin/settings", cookie)
	for _, s := range []string{`name="deliver" value="local" checked`, `name="local_time" id="local_time" value="07:00"`,
		"Each reader at 07:00 on their own clock: 5 readers in 4 zones."} {
		if !strings.Contains(page, s) {
			t.Errorf("settings page lacks %s", s)
		}
	}
	plan := page[strings.Index(page, `id="local-plan"`):]
	plan = plan[:strings.Index(plan, "</section>")]
	if n := strings.Count(plan, `<tr class="release">`); n != 5 {
		t.Errorf("%d releases in the plan, want 5", n)
	}
	// Released at 06:00 UTC: Tokyo's clocks read 15:00 and Delhi's 11:30,
	// so their readers get it at 07:00 the next morning there; UTC's an
	// hour after the release. (None of them changes its clocks.)
	for _, re := range []string{
		`<tr><td>Asia/Kolkata \(2 readers\)</td><td>\w{3} \d+ \w{3} 07:00 <span class="muted">\(the morning after the issue&#39;s date\)</span></td><td>19h30m after release</td></tr>`,
		`<tr><td>UTC \(1 reader\)</td><td>\w{3} \d+ \w{3} 07:00</td><td>1h after release</td></tr>`,
		`<tr><td>Asia/Tokyo \(1 reader\)</td><td>\w{3} \d+ \w{3} 07:00 <span class="muted">\(the morning after the issue&#39;s date\)</span></td><td>16h after release</td></tr>`,
	} {
		if !regexp.MustCompile(re).MatchString(plan) {
			t.Errorf("the plan lacks %s:\n%s", re, plan)
		}
	}

	// As a browser shows it: the fieldset and the table laid out on the page.
	dir := os.Getenv("MASTHEAD_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	j := newJourney(t)
	j.dir = dir
	j.signIn(e, u.Email)
	j.do("open the settings", chromedp.Navigate(e.url+"/admin/settings"))
	j.wait("the plan", `document.querySelector("#local-plan table.plan") !== null`)
	if got := j.text("#local-plan table.plan tbody tr.release th"); !strings.HasPrefix(got, "Release ") {
		t.Errorf("the first release reads %q", got)
	}
	box, err := chromedp.Run(j.b, chromedp.Evaluate[[]float64](`[document.querySelector("#local-plan table").getBoundingClientRect().width,
		document.querySelector("#local-plan").getBoundingClientRect().width,
		document.querySelector("#delivery input[value=local]").getBoundingClientRect().width]`))
	if err != nil {
		t.Fatal(err)
	}
	if box[0] > box[1] || box[2] > 40 {
		t.Errorf("layout: the table %.0f px wide in its card of %.0f; a radio button %.0f px wide", box[0], box[1], box[2])
	}
	// PNGs of the fieldset and the plan as laid out, to look at.
	for _, sel := range []string{"#delivery", "#local-plan"} {
		png, err := chromedp.Run(j.b, chromedp.Screenshot(chromedp.CSS(sel)))
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(dir, "settings-"+sel[1:]+".png")
		if err := os.WriteFile(name, png, 0o644); err != nil {
			t.Fatal(err)
		}
		j.shots = append(j.shots, name)
	}
}
