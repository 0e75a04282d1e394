package admin

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"masthead/auth"
	"masthead/internal/smtptest"
	"masthead/newsletter"
	"masthead/workspace"
)

// The settings page's coming fires say which will do nothing: a date an
// editor skipped, a date whose issue was sent already.
func TestNextFiresMarkIdleOnes(t *testing.T) {
	e := newEnv(t, smtptest.Options{})
	cookie, csrf := e.session(t, e.user(t, "perry@planet.example", auth.Admin))
	ctx := context.Background()
	times, err := workspace.NextFires(e.pub, time.Now(), 5)
	if err != nil || len(times) != 5 {
		t.Fatalf("fires %v %v", times, err)
	}
	skipped, sent := newsletter.DateOf(times[1]), newsletter.DateOf(times[2])
	if resp := e.request(t, "POST", "/admin/issues/"+skipped.String()+"/skip", cookie, url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("skip: %d", resp.StatusCode)
	}
	if err := e.st.SaveArticles(ctx, &newsletter.Article{PublicationID: e.pub.ID, Date: sent, Section: "News",
		Title: "Early", Body: "Sent ahead.", Status: newsletter.Ready}); err != nil {
		t.Fatal(err)
	}
	if resp := e.request(t, "POST", "/admin/issues/"+sent.String()+"/assemble", cookie, url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("assemble: %d", resp.StatusCode)
	}
	iss, err := e.st.IssueByDate(ctx, e.pub.ID, sent)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.SetIssueStatus(ctx, iss.ID, nil, newsletter.Sent, time.Time{}); err != nil {
		t.Fatal(err)
	}
	page := e.page(t, "/admin/settings", cookie)
	items := regexp.MustCompile(`(?s)<li( class="idle")?>(.*?)</li>`).FindAllStringSubmatch(page[strings.Index(page, `id="next-fires"`):], -1)
	if len(items) != 5 {
		t.Fatalf("%d fires listed:\n%s", len(items), page)
	}
	for i, want := range []string{"", "does nothing: an editor skipped this date", "does nothing: the issue was sent already", "", ""} {
		got := items[i][2]
		if (want == "") != (items[i][1] == "") || (want != "" && !strings.Contains(got, want)) || (want == "" && strings.Contains(got, "does nothing")) {
			t.Errorf("fire %d (%s): %q, want %q", i+1, newsletter.DateOf(times[i]), got, want)
		}
	}
}
