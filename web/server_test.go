package web

import (
	"net/http"
	"strings"
	"testing"
)

func TestHealth(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		res, body := e.get(path)
		if res.StatusCode != 200 || body == "" {
			t.Errorf("%s: %d %q", path, res.StatusCode, body)
		}
	}
	e.st.Close()
	for _, path := range []string{"/healthz", "/readyz"} {
		if res, _ := e.get(path); res.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%s with the database closed: %d, want 503", path, res.StatusCode)
		}
	}
}

func TestStylesheet(t *testing.T) {
	e := newEnv(t)
	res, body := e.get("/static/style.css")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") || !strings.Contains(body, "prefers-color-scheme") {
		t.Fatalf("style.css: %d %s %.60q", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
}

func TestNotFound(t *testing.T) {
	e := newEnv(t)
	res, body := e.get("/no/such/page")
	isPage(t, res, 404)
	if !strings.Contains(body, "Return to Main Page") {
		t.Errorf("404 page: %s", body)
	}
}

func TestMounts(t *testing.T) {
	hit := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(name + " " + r.URL.Path)) })
	}
	e := newEnv(t, func(d *Deps) { d.Admin, d.API, d.Metrics = hit("admin"), hit("api"), hit("metrics") })
	for path, want := range map[string]string{
		"/admin/issues": "admin /admin/issues", "/api/articles": "api /api/articles", "/metrics": "metrics /metrics",
	} {
		if _, body := e.get(path); body != want {
			t.Errorf("GET %s = %q, want %q", path, body, want)
		}
	}
	// Without them, the paths are not found.
	e = newEnv(t)
	for _, path := range []string{"/admin/", "/api/articles", "/metrics"} {
		if res, _ := e.get(path); res.StatusCode != 404 {
			t.Errorf("GET %s without the part mounted: %d", path, res.StatusCode)
		}
	}
}

func TestPanicShowsNoDetails(t *testing.T) {
	boom := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("secret internal detail") })
	e := newEnv(t, func(d *Deps) { d.Admin = boom })
	res, body := e.get("/admin/x")
	isPage(t, res, 500)
	if strings.Contains(body, "secret internal detail") {
		t.Error("the panic's text reached the client")
	}
	if !strings.Contains(e.logs.String(), "secret internal detail") {
		t.Error("the panic was not logged")
	}
}

func TestBodyLimit(t *testing.T) {
	e := newEnv(t)
	big := "email=" + strings.Repeat("a", formLimit) + "%40example.org"
	res, body := e.postForm("/subscribe", big)
	isPage(t, res, http.StatusRequestEntityTooLarge)
	if !strings.Contains(body, "Too much data") {
		t.Errorf("413 page: %s", body)
	}
}

func TestTokensNotLogged(t *testing.T) {
	e := newEnv(t)
	e.get("/unsubscribe/SECRETTOKEN")
	if strings.Contains(e.logs.String(), "SECRETTOKEN") {
		t.Errorf("the access log shows a token: %s", e.logs.String())
	}
}
