package admin

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"masthead/auth"
	"masthead/internal/smtptest"
	"masthead/newsletter"
)

// samplePath fills a route pattern's wildcards so that it matches.
func samplePath(pattern string) (string, string) {
	method, path, _ := strings.Cut(pattern, " ")
	path = strings.NewReplacer("{id}", "1", "{date}", "2009-07-09", "{action}", "hold", "{$}", "").Replace(path)
	if strings.HasSuffix(path, "/static/") {
		path += "admin.css"
	}
	return method, path
}

func (e *env) request(t *testing.T, method, path string, cookie *http.Cookie, form url.Values, header ...string) *http.Response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, e.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestEveryRouteIsGuarded walks the route table: without a session every
// page redirects to the login; an editor gets 403 on admin pages; a form
// post without the CSRF token is refused with 403 and changes nothing.
func TestEveryRouteIsGuarded(t *testing.T) {
	e := newEnv(t, smtptest.Options{})
	ed := e.user(t, "lois@planet.example", auth.Editor)
	ad := e.user(t, "perry@planet.example", auth.Admin)
	edCookie, edCSRF := e.session(t, ed)
	adCookie, adCSRF := e.session(t, ad)
	for _, rt := range e.admin.routes() {
		method, path := samplePath(rt.pattern)
		t.Run(rt.pattern, func(t *testing.T) {
			if method == http.MethodPost {
				// A browser's post from another site is refused even with
				// the session's own token, as the public forms and the login are.
				cookie, csrf := edCookie, edCSRF
				if rt.role == auth.Admin {
					cookie, csrf = adCookie, adCSRF
				}
				for _, h := range [][]string{{"Origin", "http://evil.example"}, {"Sec-Fetch-Site", "cross-site"}} {
					if resp := e.request(t, method, path, cookie, url.Values{"csrf": {csrf}}, h...); resp.StatusCode != http.StatusForbidden {
						t.Errorf("post with %s: %s and a valid CSRF token: %d, want 403", h[0], h[1], resp.StatusCode)
					}
				}
			}
			resp := e.request(t, method, path, nil, url.Values{"x": {"1"}})
			if rt.role == "" {
				if resp.StatusCode >= 300 && resp.StatusCode < 400 {
					t.Errorf("public route redirects: %d", resp.StatusCode)
				}
				return
			}
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/login?next=") {
				t.Errorf("anonymous: %d to %q, want 303 to the login", resp.StatusCode, loc)
			}
			if rt.role == auth.Admin {
				if resp := e.request(t, method, path, edCookie, url.Values{"x": {"1"}}); resp.StatusCode != http.StatusForbidden {
					t.Errorf("editor on an admin route: %d, want 403", resp.StatusCode)
				}
			}
			if method == http.MethodPost {
				cookie := edCookie
				if rt.role == auth.Admin {
					cookie = adCookie
				}
				if resp := e.request(t, method, path, cookie, url.Values{"csrf": {"forged"}}); resp.StatusCode != http.StatusForbidden {
					t.Errorf("post with a forged CSRF token: %d, want 403", resp.StatusCode)
				}
				if resp := e.request(t, method, path, cookie, url.Values{}); resp.StatusCode != http.StatusForbidden {
					t.Errorf("post without a CSRF token: %d, want 403", resp.StatusCode)
				}
			}
		})
	}
	// The CSRF-less posts above changed nothing: the hold of 2009-07-09 made no issue.
	if _, err := e.st.IssueByDate(context.Background(), e.pub.ID, newsletter.Date{Year: 2009, Month: 7, Day: 9}); err == nil {
		t.Error("a refused post changed the database")
	}
	// The stylesheet's directory is not listed.
	if resp := e.request(t, "GET", "/admin/static/", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/admin/static/: %d, want 404", resp.StatusCode)
	}
	// Unknown admin paths redirect strangers too, revealing nothing.
	if resp := e.request(t, "GET", "/admin/no/such/page", nil, nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("unknown admin path, anonymous: %d", resp.StatusCode)
	}
}

// TestFirstRunIsNotOpen: with no account, the admin shows how to create one
// and nothing else.
func TestFirstRunIsNotOpen(t *testing.T) {
	e := newEnv(t, smtptest.Options{})
	resp := e.request(t, "GET", "/admin/issues", nil, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("/admin/issues with no accounts: %d", resp.StatusCode)
	}
	res, err := http.Get(e.url + "/admin/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), "masthead user add you@example.org --role admin") || strings.Contains(string(body), `name="password"`) {
		t.Errorf("first-run page:\n%s", body)
	}
	// Logging in is impossible: there is no form and no account.
	form := url.Values{"email": {"x@y.org"}, "password": {"whatever-password"}}
	if resp := e.request(t, "POST", "/admin/login", nil, form); resp.StatusCode == http.StatusSeeOther {
		t.Error("a login with no accounts redirected")
	}
}

// TestPagesRender opens every page with an admin session: each renders (no
// template error) with the right content type.
func TestPagesRender(t *testing.T) {
	e := newEnv(t, smtptest.Options{})
	e.subscribers(t, 2)
	ad := e.user(t, "perry@planet.example", auth.Admin)
	cookie, csrf := e.session(t, ad)
	ctx := context.Background()
	today := e.pub.Today(time.Now())
	art := &newsletter.Article{PublicationID: e.pub.ID, Date: today, Section: "News", Title: "Market Opens", Body: "Stalls *opened*.", Status: newsletter.Ready}
	if err := e.st.SaveArticles(ctx, art); err != nil {
		t.Fatal(err)
	}
	if resp := e.request(t, "POST", "/admin/issues/"+today.String()+"/assemble", cookie, url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("assemble: %d", resp.StatusCode)
	}
	for _, path := range []string{"/admin/issues", "/admin/issues/" + today.String(), "/admin/issues/" + today.String() + "/ledger",
		"/admin/articles", "/admin/articles/new", "/admin/articles/1", "/admin/subscribers", "/admin/subscribers/1",
		"/admin/settings", "/admin/outbox", "/admin/tokens", "/admin/users",
		"/admin/issues/" + today.String() + "/preview?format=html", "/admin/issues/" + today.String() + "/preview?format=text"} {
		req, _ := http.NewRequest("GET", e.url+path, nil)
		req.AddCookie(cookie)
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		ct := resp.Header.Get("Content-Type")
		if resp.StatusCode != 200 || !(strings.HasPrefix(ct, "text/html") || strings.HasPrefix(ct, "text/plain")) {
			t.Errorf("%s: %d %s\n%.500s", path, resp.StatusCode, ct, body)
		}
	}
}
