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
	"masthead/newsletter"
)

// An editor gives the day's issue its own subject on the issue page, sees
// what readers will get, and takes it back to the publication's template.
func TestIssueSubjectForm(t *testing.T) {
	e := newEnv(t, smtptest.Options{})
	ctx := context.Background()
	d := newsletter.Date{Year: 2009, Month: 7, Day: 9}
	if err := e.st.SaveArticles(ctx, &newsletter.Article{PublicationID: e.pub.ID, Date: d, Section: "News",
		Title: "Peres frustrates Iran", Body: "Text.", Status: newsletter.Ready, Position: 1}); err != nil {
		t.Fatal(err)
	}
	cookie, csrf := e.session(t, e.user(t, "lois@planet.example", auth.Editor))
	post := func(v url.Values) {
		t.Helper()
		v.Set("csrf", csrf)
		resp := e.request(t, "POST", "/admin/issues/2009-07-09/"+v.Get("action"), cookie, v)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST %s: %d", v.Get("action"), resp.StatusCode)
		}
	}
	post(url.Values{"action": {"assemble"}})
	page := html.UnescapeString(e.page(t, "/admin/issues/2009-07-09", cookie))
	if !strings.Contains(page, "Readers see: Peres frustrates Iran — The Daily Planet, Vol. 3 No. 153") {
		t.Errorf("the issue page does not show the subject:\n%s", page)
	}
	post(url.Values{"action": {"subject"}, "subject": {"Iran protests"}})
	iss, err := e.st.IssueByDate(ctx, e.pub.ID, d)
	if err != nil || iss.Subject != "Iran protests" || iss.CustomSubject != "Iran protests" {
		t.Fatalf("after the form: %q %q %v", iss.Subject, iss.CustomSubject, err)
	}
	if page := html.UnescapeString(e.page(t, "/admin/issues/2009-07-09", cookie)); !strings.Contains(page, `value="Iran protests"`) {
		t.Errorf("the form does not show the issue's own subject")
	}
	post(url.Values{"action": {"subject"}, "subject": {""}})
	if iss, _ := e.st.IssueByDate(ctx, e.pub.ID, d); iss.Subject != "Peres frustrates Iran — The Daily Planet, Vol. 3 No. 153" || iss.CustomSubject != "" {
		t.Errorf("back to the template: %q %q", iss.Subject, iss.CustomSubject)
	}
}
