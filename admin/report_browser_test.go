package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"masthead/auth"
	"masthead/engagement"
	"masthead/internal/smtptest"
	"masthead/newsletter"
	"masthead/reports"
)

// TestReportPagesInChromium sends an issue with a link, records clicks on
// it as the recorder would, and opens the issue's report and the
// publication's growth page in Chromium, in light and dark mode: the charts
// are drawn (without script), and the page's figures are the API's and the
// CSV's. MASTHEAD_SCREENSHOTS=dir keeps the screenshots.
func TestReportPagesInChromium(t *testing.T) {
	e := newEnv(t, smtptest.Options{})
	ctx := context.Background()
	e.subscribers(t, 4)
	d := e.pub.Today(time.Now())
	if err := e.st.SaveArticles(ctx, &newsletter.Article{PublicationID: e.pub.ID, Date: d, Section: "News", Title: "Heat Wave Arrives",
		Body: "Read [the forecast](https://weather.example/forecast) and [the map](https://maps.example/heat).", Status: newsletter.Ready}); err != nil {
		t.Fatal(err)
	}
	iss, _, err := e.admin.work.SendNow(ctx, e.pub, d)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		st, _ := e.st.IssueStatus(ctx, iss.ID)
		if st == newsletter.Sent {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("issue is %s", st)
		}
	}
	iss, _ = e.st.Issue(ctx, iss.ID)
	links, _ := e.st.Links(ctx, iss.ID)
	if len(links) != 2 {
		t.Fatalf("link table: %+v", links)
	}
	hour := iss.StartedAt.UTC().Truncate(time.Hour)
	if err := e.st.WriteEngagement(ctx, engagement.Batch{Counts: []engagement.Count{
		{PublicationID: e.pub.ID, IssueID: iss.ID, Kind: engagement.Click, Link: 1, Hour: hour, Events: 5, Readers: 3, IssueReaders: 3},
		{PublicationID: e.pub.ID, IssueID: iss.ID, Kind: engagement.Click, Link: 2, Hour: hour.Add(2 * time.Hour), Events: 2, Readers: 1, IssueReaders: 0},
		{PublicationID: e.pub.ID, IssueID: iss.ID, Kind: engagement.Click, Link: 1, Hour: hour, Automatic: true, Events: 4},
	}}); err != nil {
		t.Fatal(err)
	}

	u := e.user(t, "editor@planet.example", auth.Editor)
	cookie, _ := e.session(t, u)
	var api reports.IssueReport
	if err := json.Unmarshal([]byte(e.get(t, fmt.Sprintf("/api/issues/%d/report", iss.ID), cookie)), &api); err != nil {
		t.Fatal(err)
	}
	if api.Clicks != 7 || api.Readers != 3 || api.Automatic != 4 {
		t.Fatalf("API figures: clicks %d readers %d automatic %d", api.Clicks, api.Readers, api.Automatic)
	}
	csv := e.get(t, fmt.Sprintf("/api/issues/%d/report?format=csv", iss.ID), cookie)
	if !strings.Contains(csv, "1,https://weather.example/forecast,the forecast,Heat Wave Arrives,5,3,4") {
		t.Fatalf("CSV:\n%s", csv)
	}

	dir := os.Getenv("MASTHEAD_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	j := newJourney(t)
	j.dir = dir
	j.signIn(e, u.Email)
	for _, scheme := range []string{"light", "dark"} {
		if _, err := chromedp.Call(j.b, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}}); err != nil {
			t.Fatal(err)
		}
		j.do("open the report", chromedp.Navigate(e.url+"/admin/issues/"+d.String()+"/report"))
		j.wait("the report's charts", `document.querySelector("#timeline svg rect") !== null && document.querySelector("#links svg rect") !== null`)
		for sel, want := range map[string]string{"#fig-clicks": "7", "#fig-readers": "3", "#fig-automatic": "4",
			"#fig-delivered": fmt.Sprint(api.Deliveries.Delivered)} {
			if got := j.text(sel); got != want {
				t.Errorf("%s: page says %q, the API %q", sel, got, want)
			}
		}
		size, err := chromedp.Run(j.b, chromedp.Evaluate[[]float64](`[...document.querySelectorAll(".chart svg")].map(s => s.getBoundingClientRect().width * s.getBoundingClientRect().height)`))
		if err != nil {
			t.Fatal(err)
		}
		for i, a := range size {
			if a < 10000 {
				t.Errorf("chart %d has an area of %.0f px²", i, a)
			}
		}
		// A policy that drops the charts' stylesheet leaves every shape black.
		bg, err := chromedp.Run(j.b, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("#timeline svg .mhc-bg")).fill`))
		if err != nil {
			t.Fatal(err)
		}
		if black := bg == "rgb(0, 0, 0)"; black || (scheme == "light") != (bg == "rgb(255, 255, 255)") {
			t.Errorf("%s mode: the chart's background is %s", scheme, bg)
		}
		j.shot("report-" + scheme)
		j.do("open the growth page", chromedp.Navigate(e.url+"/admin/growth"))
		j.wait("the growth charts", `document.querySelector("#growth svg rect") !== null && document.querySelector("#click-rate svg rect") !== null`)
		if got := j.text("#growth-subscribes"); got != "4" {
			t.Errorf("growth page: %q subscribed, want 4", got)
		}
		if got := j.text("#issue-rates .readers"); got != "3" {
			t.Errorf("growth page: %q readers of the issue, want 3", got)
		}
		j.shot("growth-" + scheme)
	}
	t.Logf("screenshots: %s", strings.Join(j.shots, " "))
}

// get fetches path with the session's cookie and returns the body.
func (e *env) get(t *testing.T, path string, cookie *http.Cookie) string {
	t.Helper()
	req, _ := http.NewRequest("GET", e.url+path, nil)
	req.AddCookie(cookie)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	return string(b)
}
