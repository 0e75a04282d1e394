package admin

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"masthead/auth"
	"masthead/internal/smtptest"
	"masthead/newsletter"
)

// An editor sees an article's key on its form and in the list, changes it,
// and is told when the key is another article's; the refused form keeps
// what they typed.
func TestArticleFormKey(t *testing.T) {
	e := newEnv(t, smtptest.Options{})
	cookie, csrf := e.session(t, e.user(t, "lois@planet.example", auth.Editor))
	ctx := context.Background()
	day := newsletter.Date{Year: 2009, Month: 7, Day: 9}
	first := &newsletter.Article{PublicationID: e.pub.ID, Date: day, Section: "Front Page", Title: "Bridge Vote", Status: newsletter.Ready}
	second := &newsletter.Article{PublicationID: e.pub.ID, Date: day, Section: "Front Page", Title: "Heat Wave", Key: "heat", Status: newsletter.Ready}
	if err := e.st.SaveArticles(ctx, first, second); err != nil {
		t.Fatal(err)
	}
	if page := e.page(t, "/admin/articles/"+strconv.FormatInt(first.ID, 10), cookie); !strings.Contains(page, `name="key" id="key" value="`+first.Key+`"`) {
		t.Fatalf("the form does not show the key %q:\n%s", first.Key, page)
	}
	post := func(id int64, key string) (int, string) {
		t.Helper()
		form := url.Values{"csrf": {csrf}, "title": {"Bridge Vote"}, "date": {day.String()}, "section": {"Front Page"},
			"body": {"The council voted."}, "ready": {"1"}, "key": {key}}
		req, _ := http.NewRequest("POST", e.url+"/admin/articles/"+strconv.FormatInt(id, 10), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(cookie)
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, html.UnescapeString(string(b))
	}
	if code, body := post(first.ID, "heat"); code != http.StatusUnprocessableEntity ||
		!strings.Contains(body, `key: "heat" is already the key of article `+strconv.FormatInt(second.ID, 10)) || !strings.Contains(body, `value="heat"`) {
		t.Fatalf("a taken key: %d\n%.3000s", code, body)
	}
	if got, _ := e.st.Article(ctx, first.ID); got.Key != first.Key {
		t.Errorf("after the refusal the key is %q, want %q kept", got.Key, first.Key)
	}
	if code, body := post(first.ID, "bridge-vote"); code != http.StatusSeeOther {
		t.Fatalf("a free key: %d\n%.2000s", code, body)
	}
	if got, _ := e.st.Article(ctx, first.ID); got.Key != "bridge-vote" || got.Body != "The council voted." {
		t.Errorf("saved: key %q body %q", got.Key, got.Body)
	}
	// Left empty, the key stays.
	if code, _ := post(first.ID, ""); code != http.StatusSeeOther {
		t.Fatalf("an empty key: %d", code)
	}
	if got, _ := e.st.Article(ctx, first.ID); got.Key != "bridge-vote" {
		t.Errorf("after saving with the key empty: %q, want it kept", got.Key)
	}
	if list := e.page(t, "/admin/articles", cookie); !strings.Contains(list, `<td class="key">bridge-vote</td>`) || !strings.Contains(list, `<td class="key">heat</td>`) {
		t.Errorf("the list does not show the keys:\n%s", list)
	}
}
