package cli

import (
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"masthead/internal/testenv"
)

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// testServeTrustProxy: behind a reverse proxy every client has the proxy's
// address. By default X-Forwarded-For is ignored, so an attacker's failures
// refuse everyone on that account; with MASTHEAD_TRUST_PROXY=1 the last hop
// is the client, and the owner, elsewhere, signs in.
func testServeTrustProxy(t *testing.T, bin string) {
	for _, c := range []struct {
		name  string
		env   []string
		owner int // the owner's status after the attacker's failures
	}{
		{"off by default", nil, http.StatusTooManyRequests},
		{"MASTHEAD_TRUST_PROXY=1", []string{"MASTHEAD_TRUST_PROXY=1"}, http.StatusSeeOther},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if code, out, errs := runCLI(t, filepath.Join(dir, "masthead.db"), "a-long-password\n", "user", "add", "perry@planet.example"); code != 0 {
				t.Fatalf("user add: %d %s %s", code, out, errs)
			}
			addr := testenv.Addr(testenv.FreePort(t))
			p := startServe(t, bin, dir, c.env, "serve", "--addr", addr, "--no-sample")
			waitHTTP(t, p, "http://"+addr+"/healthz")
			login := func(password, forwardedFor string) int {
				t.Helper()
				resp, err := http.Get("http://" + addr + "/admin/login")
				if err != nil {
					t.Fatal(err)
				}
				page, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				m := csrfInput.FindSubmatch(page)
				if m == nil || len(resp.Cookies()) == 0 {
					t.Fatalf("no login form:\n%s", page)
				}
				form := url.Values{"csrf": {string(m[1])}, "email": {"perry@planet.example"}, "password": {password}}
				req, _ := http.NewRequest("POST", "http://"+addr+"/admin/login", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("X-Forwarded-For", forwardedFor)
				req.AddCookie(resp.Cookies()[0])
				resp, err = noRedirectClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.StatusCode
			}
			for range 5 {
				// The attacker forges an earlier hop; the proxy appends the real one.
				if code := login("wrong-password", "203.0.113.5, 198.51.100.66"); code != http.StatusUnauthorized {
					t.Fatalf("a wrong password: %d\n%s", code, p.log())
				}
			}
			if code := login("a-long-password", "203.0.113.5, 198.51.100.66"); code != http.StatusTooManyRequests {
				t.Errorf("the attacker after 5 failures: %d, want 429", code)
			}
			if code := login("a-long-password", "203.0.113.5"); code != c.owner {
				t.Errorf("the owner from another client: %d, want %d", code, c.owner)
			}
			p.stop(t)
		})
	}
}

var noRedirectClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// testServeHTTPLimits: serve's HTTP server is web.Server.HTTPServer's, with
// its limits: a request header over 64 KiB is refused (431).
func testServeHTTPLimits(t *testing.T, bin string) {
	dir := t.TempDir()
	addr := testenv.Addr(testenv.FreePort(t))
	p := startServe(t, bin, dir, nil, "serve", "--addr", addr, "--no-sample")
	waitHTTP(t, p, "http://"+addr+"/healthz")
	for _, c := range []struct {
		size int
		want int
	}{{1 << 10, http.StatusOK}, {200 << 10, http.StatusRequestHeaderFieldsTooLarge}} {
		req, _ := http.NewRequest("GET", "http://"+addr+"/healthz", nil)
		req.Header.Set("X-Padding", strings.Repeat("a", c.size))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("a %d-byte header: %d, want %d", c.size, resp.StatusCode, c.want)
		}
	}
	p.stop(t)
}
