package admin

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"masthead/auth"
	"masthead/internal/smtptest"
	"masthead/newsletter"
)

// How the email reads is saved from the settings page and seen in the
// issue's preview; a bad language tag is refused, naming the field.
func TestSettingsWording(t *testing.T) {
	e := newEnv(t, smtptest.Options{})
	cookie, csrf := e.session(t, e.user(t, "perry@planet.example", auth.Admin))
	ctx := context.Background()
	d := newsletter.Date{Year: 2009, Month: 7, Day: 9}
	art := &newsletter.Article{PublicationID: e.pub.ID, Date: d, Section: "News", Title: `Council says "yes"`,
		Body: "It voted.", Status: newsletter.Ready}
	if err := e.st.SaveArticles(ctx, art); err != nil {
		t.Fatal(err)
	}
	form := func(lang string) url.Values {
		return url.Values{"csrf": {csrf}, "name": {e.pub.Name}, "from": {e.pub.From}, "timezone": {"UTC"},
			"volume_start": {"2007-02-07"}, "numbering": {"calendar"}, "empty_policy": {"skip"},
			"greeting": {"Hello"}, "promise": {"by email at dawn"}, "back_to_top": {"Top"},
			"go_to_top": {"on"}, "go_to_top_label": {"Go to top of right column"}, "language": {lang}}
		// typographic_quotes unchecked: off
	}
	res := e.request(t, "POST", "/admin/settings", cookie, form("not a tag!"))
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad language: %d, want 422", res.StatusCode)
	}
	if res = e.request(t, "POST", "/admin/settings", cookie, form("he")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	p, err := e.st.Publication(ctx, e.pub.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := newsletter.Wording{Greeting: "Hello", Promise: "by email at dawn", BackToTop: "Top", GoToTop: true,
		GoToTopLabel: "Go to top of right column", StraightQuotes: true}
	if p.Wording != want || p.Language != "he" {
		t.Fatalf("saved %+v %q", p.Wording, p.Language)
	}
	page := e.page(t, "/admin/settings", cookie)
	for _, s := range []string{`name="greeting" value="Hello"`, `name="promise" value="by email at dawn"`,
		`name="go_to_top" value="on" checked`, `name="language" value="he"`} {
		if !strings.Contains(page, s) {
			t.Errorf("settings page lacks %s", s)
		}
	}
	if strings.Contains(page, `name="typographic_quotes" value="on" checked`) {
		t.Error("typographic quotes shown on")
	}
	if res = e.request(t, "POST", "/admin/issues/2009-07-09/assemble", cookie, url.Values{"csrf": {csrf}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("assemble: %d", res.StatusCode)
	}
	html := e.page(t, "/admin/issues/2009-07-09/preview?format=html", cookie)
	for _, s := range []string{`<html lang="he" dir="rtl">`, "Hello", ">Top</a>", ">Go to top of right column</a>", "Council says &#34;yes&#34;"} {
		if !strings.Contains(html, s) {
			t.Errorf("preview lacks %s", s)
		}
	}
}
