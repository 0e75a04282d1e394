package httpauth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"masthead/auth"
	"masthead/store"
	"masthead/store/storetest"
	"masthead/web/httpauth"
)

func openStore(t *testing.T) *store.Store { return storetest.Open(t, storetest.SQLite) }

func TestLoginSessionAndCSRF(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	svc := auth.New(st, auth.Options{})
	sess := httpauth.New(svc, httpauth.Options{Secure: true})
	if ok, _ := svc.HasUsers(ctx); ok {
		t.Fatal("a new database has users")
	}
	u, err := svc.CreateUser(ctx, "Lois@Planet.example", "kryptonite-42", auth.Editor)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateUser(ctx, "lois@planet.example", "kryptonite-42", auth.Admin); !errors.Is(err, store.ErrConflict) {
		t.Errorf("second account with one address: %v", err)
	}
	if _, err := svc.Login(ctx, "lois@planet.example", "wrong password", "192.0.2.1"); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := svc.Login(ctx, "nobody@planet.example", "kryptonite-42", "192.0.2.1"); !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("unknown account: %v", err)
	}
	got, err := svc.Login(ctx, " LOIS@planet.example", "kryptonite-42", "192.0.2.1")
	if err != nil || got.ID != u.ID {
		t.Fatalf("login: %v %v", got, err)
	}

	rec := httptest.NewRecorder()
	se, err := sess.StartSession(ctx, rec, got)
	if err != nil {
		t.Fatal(err)
	}
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 || cookies[0].Name != httpauth.SessionCookie || !cookies[0].HttpOnly || !cookies[0].Secure ||
		cookies[0].SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie %+v: want HttpOnly, Secure, SameSite=Lax", cookies)
	}
	if cookies[0].Value == se.TokenHash || len(se.TokenHash) != 64 {
		t.Error("the cookie holds the stored hash, or the stored value is not a SHA-256 hex")
	}

	form := url.Values{httpauth.CSRFField: {se.CSRF}}
	req := httptest.NewRequest("POST", "/admin/x", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(cookies[0])
	p, err := sess.Authenticate(req)
	if err != nil || p.User.ID != u.ID || p.Session == nil {
		t.Fatalf("authenticate by cookie: %+v %v", p, err)
	}
	if !httpauth.ValidCSRF(req, p) {
		t.Error("the session's CSRF token is refused")
	}
	bad := httptest.NewRequest("POST", "/admin/x", strings.NewReader("csrf=forged"))
	bad.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if httpauth.ValidCSRF(bad, p) {
		t.Error("a forged CSRF token is accepted")
	}
	if httpauth.ValidCSRF(httptest.NewRequest("POST", "/admin/x", nil), p) {
		t.Error("a post without a CSRF token is accepted")
	}

	out := httptest.NewRecorder()
	if err := sess.EndSession(ctx, out, req); err != nil {
		t.Fatal(err)
	}
	if _, err := sess.Authenticate(req); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("after logout: %v", err)
	}
	if c := out.Result().Cookies(); len(c) != 1 || c[0].MaxAge >= 0 {
		t.Errorf("logout does not clear the cookie: %+v", c)
	}
}

func TestSessionExpires(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	now := time.Date(2009, 7, 9, 8, 0, 0, 0, time.UTC)
	st.SetClock(func() time.Time { return now })
	svc := auth.New(st, auth.Options{SessionTTL: time.Hour, Now: func() time.Time { return now }})
	sess := httpauth.New(svc, httpauth.Options{})
	u, err := svc.CreateUser(ctx, "perry@planet.example", "editor-in-chief", auth.Admin)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	if _, err := sess.StartSession(ctx, rec, u); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/admin/", nil)
	req.AddCookie(rec.Result().Cookies()[0])
	if _, err := sess.Authenticate(req); err != nil {
		t.Fatal(err)
	}
	now = now.Add(61 * time.Minute)
	if _, err := sess.Authenticate(req); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("expired session: %v", err)
	}
	if n, err := st.DeleteExpiredSessions(ctx); err != nil || n != 1 {
		t.Errorf("DeleteExpiredSessions = %d, %v", n, err)
	}
}

func TestClientIP(t *testing.T) {
	for _, c := range []struct {
		remote string
		xff    []string
		trust  bool
		want   string
	}{
		{"192.0.2.1:4242", nil, false, "192.0.2.1"},
		{"[2001:db8:1:2::1]:4242", nil, false, "2001:db8:1:2::/64"},
		{"[2001:db8:1:3::1]:4242", nil, false, "2001:db8:1:3::/64"},
		// Not trusted: the header is anyone's to write.
		{"10.0.0.2:4242", []string{"203.0.113.5"}, false, "10.0.0.2"},
		// Trusted: the last hop, the one the proxy added; earlier ones are forgeable.
		{"10.0.0.2:4242", []string{"203.0.113.5"}, true, "203.0.113.5"},
		{"10.0.0.2:4242", []string{"198.51.100.1, 203.0.113.5"}, true, "203.0.113.5"},
		{"10.0.0.2:4242", []string{"198.51.100.1", "203.0.113.5"}, true, "203.0.113.5"},
		{"10.0.0.2:4242", []string{"2001:db8:9:9::1"}, true, "2001:db8:9:9::/64"},
		{"10.0.0.2:4242", []string{"not-an-ip"}, true, "10.0.0.2"},
		{"10.0.0.2:4242", nil, true, "10.0.0.2"},
	} {
		r := httptest.NewRequest("GET", "/admin/login", nil)
		r.RemoteAddr = c.remote
		for _, v := range c.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := httpauth.ClientIP(r, c.trust); got != c.want {
			t.Errorf("ClientIP(%s, XFF %q, trust %v) = %s, want %s", c.remote, c.xff, c.trust, got, c.want)
		}
	}
}

func TestAPIToken(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	svc := auth.New(st, auth.Options{})
	sess := httpauth.New(svc, httpauth.Options{})
	u, err := svc.CreateUser(ctx, "bot@planet.example", "a-long-password", auth.Editor)
	if err != nil {
		t.Fatal(err)
	}
	token, tok, err := svc.CreateToken(ctx, u.ID, "ci")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(token, auth.TokenPrefix) || tok.TokenHash != auth.HashToken(token) || strings.Contains(tok.TokenHash, token) {
		t.Fatalf("token %q stored as %q", token, tok.TokenHash)
	}
	list, err := st.APITokens(ctx, u.ID)
	if err != nil || len(list) != 1 || list[0].TokenHash == token {
		t.Fatalf("stored tokens: %+v %v", list, err)
	}
	for _, tc := range []struct {
		header string
		ok     bool
	}{
		{"Bearer " + token, true},
		{"bearer " + token, true},
		{"Bearer " + token + "x", false},
		{"Basic " + token, false},
		{"Bearer", false},
	} {
		req := httptest.NewRequest("GET", "/api/articles", nil)
		req.Header.Set("Authorization", tc.header)
		p, err := sess.Authenticate(req)
		if tc.ok != (err == nil) {
			t.Errorf("%q: %v", tc.header, err)
			continue
		}
		if tc.ok && (p.User.ID != u.ID || p.Token == nil || !httpauth.ValidCSRF(req, p)) {
			t.Errorf("%q: principal %+v", tc.header, p)
		}
	}
	if err := st.DeleteAPIToken(ctx, tok.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/api/articles", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if _, err := sess.Authenticate(req); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("revoked token: %v", err)
	}
}
