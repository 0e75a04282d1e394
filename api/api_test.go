package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"masthead/auth"
	"masthead/delivery"
	"masthead/feeds"
	"masthead/feeds/poller"
	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
	"masthead/web/httpauth"
	"masthead/workspace"
)

// fixture is an API over a real SQLite database with one publication, an
// editor and an admin (each with a token), and the built-in outbox as sender.
type fixture struct {
	st           *store.Store
	svc          *auth.Service
	sessions     *httpauth.Sessions
	api          *API
	editor       string // bearer tokens
	admin        string
	pub          *newsletter.Publication
	editorCookie *http.Cookie
	editorCSRF   string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "api.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := &newsletter.Publication{Slug: "planet", Name: "The Daily Planet", From: "news@planet.example",
		TimeZone: "America/New_York", Schedule: "0 6 * * *", VolumeStart: newsletter.Date{Year: 2007, Month: 2, Day: 7},
		Sections: []string{"Front Page", "News"}}
	p.Normalize()
	if err := st.SavePublication(ctx, p); err != nil {
		t.Fatal(err)
	}
	eng, err := delivery.New(st, delivery.NewOutbox(st), delivery.Config{BaseURL: "https://planet.example",
		Signer: subscribers.NewSigner([]byte("0123456789abcdef0123"))}, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc := auth.New(st, auth.Options{})
	// The feeds of the tests are on 127.0.0.1.
	feedPoller := poller.New(poller.Config{Store: st, Fetch: feeds.Options{AllowPrivate: true, Timeout: 10 * time.Second}})
	t.Cleanup(feedPoller.Close)
	work, err := workspace.New(workspace.Config{Store: st, Sends: eng, Accounts: svc, Feeds: feedPoller, BaseURL: "https://planet.example"})
	if err != nil {
		t.Fatal(err)
	}
	sessions := httpauth.New(svc, httpauth.Options{})
	f := &fixture{st: st, svc: svc, pub: p, api: New(Deps{Work: work, Auth: sessions}), sessions: sessions}
	for _, u := range []struct {
		email string
		role  auth.Role
		token *string
	}{{"lois@planet.example", auth.Editor, &f.editor}, {"perry@planet.example", auth.Admin, &f.admin}} {
		user, err := svc.CreateUser(ctx, u.email, "a-long-password", u.role)
		if err != nil {
			t.Fatal(err)
		}
		if *u.token, _, err = svc.CreateToken(ctx, user.ID, "test"); err != nil {
			t.Fatal(err)
		}
		if u.role == auth.Editor {
			rec := httptest.NewRecorder()
			se, err := sessions.StartSession(ctx, rec, user)
			if err != nil {
				t.Fatal(err)
			}
			f.editorCookie, f.editorCSRF = rec.Result().Cookies()[0], se.CSRF
		}
	}
	return f
}

// do makes a request with a bearer token ("" for none) and returns the
// status and body.
func (f *fixture) do(t *testing.T, token, method, path, ctype, body string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	f.api.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func errorCode(body string) string {
	var e errorBody
	if json.Unmarshal([]byte(body), &e) != nil {
		return "(not an error body)"
	}
	return e.Error.Code
}

// samplePath fills a pattern's wildcards so that the route matches.
func samplePath(pattern string) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	path = strings.NewReplacer("{id}", "1", "{slug}", "planet").Replace(path)
	return method, path
}

// TestEveryRouteNeedsCredentials walks the route table: no credentials is
// 401, a wrong token is 401, an editor on an admin route is 403, and a
// cookie-session write without the CSRF header is 403.
func TestEveryRouteNeedsCredentials(t *testing.T) {
	f := newFixture(t)
	for _, rt := range f.api.routes() {
		method, path := samplePath(rt.pattern)
		t.Run(rt.pattern, func(t *testing.T) {
			if code, body := f.do(t, "", method, path, "application/json", "{}"); code != 401 || errorCode(body) != "unauthenticated" {
				t.Errorf("anonymous: %d %s", code, body)
			}
			if code, _ := f.do(t, auth.TokenPrefix+"forged", method, path, "application/json", "{}"); code != 401 {
				t.Errorf("forged token: %d", code)
			}
			if rt.role == auth.Admin {
				if code, body := f.do(t, f.editor, method, path, "application/json", "{}"); code != 403 || errorCode(body) != "forbidden" {
					t.Errorf("editor on an admin route: %d %s", code, body)
				}
			}
			if !safeMethod(method) {
				req := httptest.NewRequest(method, path, strings.NewReader("{}"))
				req.Header.Set("Content-Type", "application/json")
				req.AddCookie(f.editorCookie)
				rec := httptest.NewRecorder()
				f.api.ServeHTTP(rec, req)
				if want := map[bool]string{true: "forbidden", false: "csrf"}[rt.role == auth.Admin]; rec.Code != 403 || errorCode(rec.Body.String()) != want {
					t.Errorf("cookie write without CSRF: %d %s", rec.Code, rec.Body)
				}
			}
		})
	}
	// An unknown path is 401 too: the route table is not revealed to strangers.
	if code, _ := f.do(t, "", "GET", "/api/nothing-here", "", ""); code != 401 {
		t.Errorf("unknown path, anonymous: %d", code)
	}
	if code, body := f.do(t, f.editor, "GET", "/api/nothing-here", "", ""); code != 404 || errorCode(body) != "not_found" {
		t.Errorf("unknown path: %d %s", code, body)
	}
}

func TestCookieSessionWithCSRFHeader(t *testing.T) {
	f := newFixture(t)
	req := httptest.NewRequest("POST", "/api/articles", strings.NewReader(`{"date":"2009-07-09","title":"By cookie"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(httpauth.CSRFHeader, f.editorCSRF)
	req.AddCookie(f.editorCookie)
	rec := httptest.NewRecorder()
	f.api.ServeHTTP(rec, req)
	if rec.Code != 201 {
		t.Errorf("cookie + CSRF header: %d %s", rec.Code, rec.Body)
	}
}

func TestAPI(t *testing.T) {
	f := newFixture(t)
	big := `{"date":"2009-07-09","title":"Big","body":"` + strings.Repeat("x", maxBody) + `"}`
	tests := []struct {
		name       string
		token      string // "editor", "admin"
		method     string
		path       string
		ctype      string
		body       string
		wantStatus int
		wantCode   string // error code, or "" for success
		wantBody   string // regexp the body must match
	}{
		{"me", "editor", "GET", "/api/me", "", "", 200, "", `"role": "editor"`},
		{"list publications", "editor", "GET", "/api/publications", "", "", 200, "", `"slug": "planet"[\s\S]*"next_fires": \[\s*"`},
		{"get publication", "editor", "GET", "/api/publications/planet", "", "", 200, "", `"timezone": "America/New_York"`},
		{"unknown publication", "editor", "GET", "/api/publications/nope", "", "", 404, "not_found", ""},
		{"patch publication", "admin", "PATCH", "/api/publications/planet", "application/json", `{"tagline":"All the news"}`, 200, "", `"tagline": "All the news"`},
		{"patch publication invalid", "admin", "PATCH", "/api/publications/planet", "application/json", `{"timezone":"Mars/Olympus"}`, 422, "invalid", `unknown time zone`},
		{"patch language", "admin", "PATCH", "/api/publications/planet", "application/json", `{"language":"de"}`, 200, "", `"language": "de"`},
		{"patch wording", "admin", "PATCH", "/api/publications/planet", "application/json",
			`{"wording":{"greeting":"time","go_to_top":true,"typographic_quotes":false}}`, 200, "",
			`"greeting": "time",\s*"promise": "by email every morning",\s*"back_to_top": "Back to the top",\s*"go_to_top": true,\s*"go_to_top_label": "Go to top",\s*"typographic_quotes": false`},
		{"patch wording keeps what is not given", "admin", "PATCH", "/api/publications/planet", "application/json",
			`{"wording":{"back_to_top":"Top"}}`, 200, "", `"greeting": "time",\s*"promise": "by email every morning",\s*"back_to_top": "Top",\s*"go_to_top": true`},
		{"patch wording invalid", "admin", "PATCH", "/api/publications/planet", "application/json",
			`{"wording":{"promise":"two\nlines"}}`, 422, "invalid", `promise`},
		{"patch language unknown", "admin", "PATCH", "/api/publications/planet", "application/json", `{"language":"not a tag"}`, 422, "invalid", `language`},
		{"patch signup settings", "admin", "PATCH", "/api/publications/planet", "application/json",
			`{"signup_origins":["HTTPS://www.example.org/"],"signup_confirmed_url":"https://www.example.org/welcome","welcome_email":true,"welcome_subject":"Hello"}`,
			200, "", `"signup_origins": \[\s*"https://www.example.org"\s*\],\s*"signup_confirmed_url": "https://www.example.org/welcome",\s*"welcome_email": true,\s*"welcome_subject": "Hello"`},
		{"patch signup origin invalid", "admin", "PATCH", "/api/publications/planet", "application/json", `{"signup_origins":["www.example.org"]}`, 422, "invalid", `"signup_origins: \\"www.example.org\\": an origin starts with http:// or https://"`},

		{"create article", "editor", "POST", "/api/articles", "application/json",
			`{"date":"2009-07-09","section":"News","title":"Council Votes","body":"The *council* voted.","status":"ready"}`, 201, "", `"id": 1`},
		{"create second article", "editor", "POST", "/api/articles", "application/json",
			`{"date":"2009-07-09","section":"Front Page","title":"Heat Wave","body":"Hot.","status":"ready"}`, 201, "", `"position": 1`},
		{"bad JSON", "editor", "POST", "/api/articles", "application/json", `{"title": "x",`, 400, "bad_json", ""},
		{"wrong JSON type", "editor", "POST", "/api/articles", "application/json", `{"title": 7}`, 400, "bad_json", `field \\"title\\" must be a string`},
		{"unknown field", "editor", "POST", "/api/articles", "application/json", `{"title":"x","date":"2009-07-09","colour":"red"}`, 400, "unknown_field", `colour`},
		{"two JSON values", "editor", "POST", "/api/articles", "application/json", `{"title":"x"} {"title":"y"}`, 400, "bad_json", ""},
		{"empty body", "editor", "POST", "/api/articles", "application/json", ``, 400, "bad_json", ""},
		{"oversized body", "editor", "POST", "/api/articles", "application/json", big, 413, "too_large", ""},
		{"not JSON", "editor", "POST", "/api/articles", "text/plain", `{}`, 415, "unsupported_media_type", ""},
		{"bad date", "editor", "POST", "/api/articles", "application/json", `{"title":"x","date":"9 July"}`, 422, "invalid", `date: .*9 July.* is not a date as YYYY-MM-DD`},
		{"invalid article", "editor", "POST", "/api/articles", "application/json", `{"date":"2009-07-09","section":"Weather","title":""}`, 422, "invalid", `title: is required`},
		{"get article", "editor", "GET", "/api/articles/1", "", "", 200, "", `"title": "Council Votes"`},
		{"missing article", "editor", "GET", "/api/articles/999", "", "", 404, "not_found", ""},
		{"non-numeric id", "editor", "GET", "/api/articles/abc", "", "", 404, "not_found", ""},
		{"patch article", "editor", "PATCH", "/api/articles/1", "application/json", `{"deck":"Seven to two"}`, 200, "", `"deck": "Seven to two"`},
		{"list articles", "editor", "GET", "/api/articles?date=2009-07-09&per_page=1", "", "", 200, "", `"next": "/api/articles\?date=2009-07-09&page=2&per_page=1"`},
		{"list articles page 2", "editor", "GET", "/api/articles?date=2009-07-09&per_page=1&page=2", "", "", 200, "", `"next": ""`},
		{"bad page", "editor", "GET", "/api/articles?page=0", "", "", 400, "bad_request", ""},
		{"per_page too big", "editor", "GET", "/api/articles?per_page=1000", "", "", 400, "bad_request", ""},

		{"assemble", "editor", "POST", "/api/issues", "application/json", `{"date":"2009-07-09"}`, 200, "", `"volume": 3,\s*"number": 153`},
		{"assemble empty date", "editor", "POST", "/api/issues", "application/json", `{"date":"2009-07-10"}`, 409, "empty_issue", ""},
		{"list issues", "editor", "GET", "/api/issues", "", "", 200, "", `"status": "assembled"`},
		{"get issue", "editor", "GET", "/api/issues/1", "", "", 200, "", `"title": "Heat Wave"[\s\S]*"title": "Council Votes"`},
		{"default subject", "editor", "GET", "/api/issues/1", "", "", 200, "", `"subject": "Heat Wave — The Daily Planet, Vol. 3 No. 153",\s*"own_subject": ""`},
		{"own subject", "editor", "PATCH", "/api/issues/1", "application/json", `{"subject":"  Metropolis  swelters "}`, 200, "", `"subject": "Metropolis swelters",\s*"own_subject": "Metropolis swelters"`},
		{"subject back to the template", "editor", "PATCH", "/api/issues/1", "application/json", `{"subject":""}`, 200, "", `"subject": "Heat Wave — The Daily Planet, Vol. 3 No. 153",\s*"own_subject": ""`},
		{"subject template", "admin", "PATCH", "/api/publications/planet", "application/json", `{"subject_template":"{name} {nope}"}`, 422, "invalid", `unknown placeholder \{nope\}`},
		{"preview html", "editor", "GET", "/api/issues/1/preview", "", "", 200, "", `Volume 3, Number 153[\s\S]*https://planet.example/unsubscribe/preview`},
		{"preview text", "editor", "GET", "/api/issues/1/preview?format=text", "", "", 200, "", `Heat Wave`},
		{"preview bad format", "editor", "GET", "/api/issues/1/preview?format=pdf", "", "", 400, "bad_request", ""},
		{"test send", "editor", "POST", "/api/issues/1/test", "application/json", `{"email":"lois@planet.example"}`, 200, "", `sent_to`},
		{"test send bad address", "editor", "POST", "/api/issues/1/test", "application/json", `{"email":"not an address"}`, 422, "invalid", ""},
		{"schedule in the past", "editor", "POST", "/api/issues/1/schedule", "application/json", `{"at":"2001-01-01T06:00:00Z"}`, 422, "invalid", "passed"},
		{"schedule bad time", "editor", "POST", "/api/issues/1/schedule", "application/json", `{"at":"at dawn"}`, 422, "invalid", "HH:MM"},
		{"schedule", "editor", "POST", "/api/issues/1/schedule", "application/json", `{"at":"2099-07-09T06:00:00-04:00"}`, 200, "", `"status": "scheduled"`},
		{"hold", "editor", "POST", "/api/issues/1/hold", "", "", 200, "", `"status": "held"`},
		{"release", "editor", "POST", "/api/issues/1/release", "", "", 200, "", `"status": "scheduled"`},
		{"unschedule", "editor", "POST", "/api/issues/1/unschedule", "", "", 200, "", `"status": "assembled"`},
		{"pause before sending", "editor", "POST", "/api/issues/1/pause", "", "", 409, "wrong_state", ""},
		{"status before sending", "editor", "GET", "/api/issues/1/status", "", "", 200, "", `"started": null,\s*"finished": null`},

		{"add subscriber", "editor", "POST", "/api/subscribers", "application/json", `{"email":"Clark@Example.org","name":"Clark"}`, 201, "", `"email": "clark@example.org"[\s\S]*"status": "active"`},
		{"add subscriber bad address", "editor", "POST", "/api/subscribers", "application/json", `{"email":"clark@"}`, 422, "invalid", ""},
		{"import", "editor", "POST", "/api/subscribers/import", "text/csv", "email,name\njimmy@example.org,Jimmy\nbad-address,Nobody\n", 200, "", `"added": 1[\s\S]*"bad": 1[\s\S]*"line": 3`},
		{"import no header", "editor", "POST", "/api/subscribers/import", "text/csv", "", 422, "invalid", "empty"},
		{"import not CSV", "editor", "POST", "/api/subscribers/import", "application/json", "{}", 415, "unsupported_media_type", ""},
		{"search subscribers", "editor", "GET", "/api/subscribers?q=jimmy", "", "", 200, "", `"email": "jimmy@example.org"`},
		{"get subscriber", "editor", "GET", "/api/subscribers/1", "", "", 200, "", `"history": \[[\s\S]*"kind": "subscribed"`},
		{"send", "editor", "POST", "/api/issues/1/send", "", "", 200, "", `"status": "sending"`},
		{"status", "editor", "GET", "/api/issues/1/status", "", "", 200, "", `"total": 2[\s\S]*"started": "20[0-9-]+T[^"]+",\s*"finished": null`},
		{"ledger", "editor", "GET", "/api/issues/1/deliveries?q=clark", "", "", 200, "", `"email": "clark@example.org"[\s\S]*"status": "queued"`},
		{"patch frozen issue article still fine", "editor", "PATCH", "/api/articles/2", "application/json", `{"title":"Heat Wave Ends"}`, 200, "", ``},
		{"assemble frozen", "editor", "POST", "/api/issues", "application/json", `{"date":"2009-07-09"}`, 409, "frozen", ""},
		{"lift when not suppressed", "editor", "POST", "/api/subscribers/1/lift", "application/json", `{"reason":"x"}`, 409, "wrong_state", "not suppressed"},
		{"lift unknown subscriber", "editor", "POST", "/api/subscribers/999/lift", "application/json", `{"reason":"x"}`, 404, "not_found", ""},
		{"unsubscribe", "editor", "POST", "/api/subscribers/1/unsubscribe", "application/json", `{}`, 200, "", `"status": "unsubscribed"`},
		{"cancel", "editor", "POST", "/api/issues/1/cancel", "", "", 200, "", `"status": "cancelled"`},
		{"export as admin", "admin", "GET", "/api/subscribers/export", "", "", 200, "", `email,name,status,created_at,timezone,planet\n`},
		{"delete article", "editor", "DELETE", "/api/articles/2", "", "", 204, "", ``},
		{"delete it again", "editor", "DELETE", "/api/articles/2", "", "", 404, "not_found", ``},
	}
	for _, tc := range tests {
		token := map[string]string{"editor": f.editor, "admin": f.admin}[tc.token]
		code, body := f.do(t, token, tc.method, tc.path, tc.ctype, tc.body)
		if code != tc.wantStatus {
			t.Errorf("%s: %s %s: status %d, want %d\n%.500s", tc.name, tc.method, tc.path, code, tc.wantStatus, body)
			continue
		}
		if tc.wantCode != "" && errorCode(body) != tc.wantCode {
			t.Errorf("%s: error code %q, want %q\n%.500s", tc.name, errorCode(body), tc.wantCode, body)
		}
		if tc.wantBody != "" && !regexp.MustCompile(tc.wantBody).MatchString(body) {
			t.Errorf("%s: body does not match %s\n%.1500s", tc.name, tc.wantBody, body)
		}
	}
	// The test send went to the outbox, and nothing leaks internal errors.
	msgs, err := f.st.Outbox(context.Background(), store.OutboxFilter{Recipient: "lois@planet.example"})
	if err != nil || len(msgs) != 1 {
		t.Errorf("test send in the outbox: %d messages, %v", len(msgs), err)
	}
}

func TestPreviewIsWhatASubscriberGets(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if code, body := f.do(t, f.editor, "POST", "/api/articles", "application/json",
		`{"date":"2009-07-09","title":"Heat Wave","body":"It is *hot* & humid.","status":"ready"}`); code != 201 {
		t.Fatal(code, body)
	}
	if code, body := f.do(t, f.editor, "POST", "/api/issues", "application/json", `{"date":"2009-07-09"}`); code != 200 {
		t.Fatal(code, body)
	}
	iss, err := f.st.IssueByDate(ctx, f.pub.ID, newsletter.Date{Year: 2009, Month: 7, Day: 9})
	if err != nil {
		t.Fatal(err)
	}
	_, html := f.do(t, f.editor, "GET", fmt.Sprintf("/api/issues/%d/preview", iss.ID), "", "")
	_, text := f.do(t, f.editor, "GET", fmt.Sprintf("/api/issues/%d/preview?format=text", iss.ID), "", "")

	// Send it to the outbox for reader@example.org and compare the bodies.
	eng, _ := delivery.New(f.st, delivery.NewOutbox(f.st), delivery.Config{BaseURL: "https://planet.example",
		Signer: subscribers.NewSigner([]byte("0123456789abcdef0123"))}, nil)
	comp, err := eng.Composer(ctx, iss.ID)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := comp.Compose(delivery.Recipient{Email: "reader@example.org", Name: "Reader", MessageID: "<1.2@planet.example>"}, &delivery.Buffers{})
	if err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	if _, err := msg.WriteTo(&raw); err != nil {
		t.Fatal(err)
	}
	// The message's bodies differ from the preview only in the unsubscribe
	// link (signed per subscriber in the message, a placeholder in the
	// preview); compare with that link blanked.
	blank := regexp.MustCompile(`https://planet\.example/unsubscribe/[A-Za-z0-9_\-.=]+`)
	for name, body := range map[string]string{"html": html, "text": text} {
		want := blank.ReplaceAllString(body, "UNSUB")
		if len(want) < 200 || !strings.Contains(want, "Heat Wave") {
			t.Fatalf("%s preview too small: %q", name, want)
		}
		// On the wire lines end in CRLF (RFC 5322 2.3); mail clients read them as
		// the line breaks of the stored body.
		decoded := decodeParts(t, bytes.ReplaceAll(raw.Bytes(), []byte("\r\n"), []byte("\n")))
		if !strings.Contains(blank.ReplaceAllString(decoded[name], "UNSUB"), want) {
			got := blank.ReplaceAllString(decoded[name], "UNSUB")
			i := 0
			for i < len(got) && i < len(want) && got[i] == want[i] {
				i++
			}
			t.Errorf("the %s preview is not the body the message carries; they differ at byte %d:\npreview %q\nmessage %q", name, i, want[max(0, i-40):min(len(want), i+80)], got[max(0, i-40):min(len(got), i+80)])
		}
	}
}

// decodeParts returns the decoded text/plain and text/html parts of a message.
func decodeParts(t *testing.T, raw []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	msg, err := parseMessage(raw)
	if err != nil {
		t.Fatal(err)
	}
	for ct, body := range msg {
		switch {
		case strings.HasPrefix(ct, "text/plain"):
			out["text"] = body
		case strings.HasPrefix(ct, "text/html"):
			out["html"] = body
		}
	}
	return out
}

// An export of one publication has that publication's column only; an
// export of all has one column per publication.
func TestExportColumns(t *testing.T) {
	f := newFixture(t)
	weekly := &newsletter.Publication{Slug: "weekly", Name: "The Weekly", From: "weekly@planet.example",
		TimeZone: "UTC", VolumeStart: newsletter.Date{Year: 2020, Month: 1, Day: 1}}
	weekly.Normalize()
	if err := f.st.SavePublication(context.Background(), weekly); err != nil {
		t.Fatal(err)
	}
	for path, header := range map[string]string{
		"/api/subscribers/export":                    "email,name,status,created_at,timezone,planet,weekly\n",
		"/api/subscribers/export?publication=weekly": "email,name,status,created_at,timezone,weekly\n",
	} {
		code, body := f.do(t, f.admin, "GET", path, "", "")
		if code != 200 || !strings.HasPrefix(body, header) {
			t.Errorf("GET %s: %d, header %q; want %q", path, code, strings.SplitAfter(body, "\n")[0], header)
		}
	}
}
