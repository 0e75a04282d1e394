package cli

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// /metrics shows the list's size and the sends' progress: by default a
// scraper must send an API token; --public-metrics opens it for a scraper on a
// network of its own.
func TestServeMetricsNeedAToken(t *testing.T) {
	db := filepath.Join(t.TempDir(), "masthead.db")
	if code, out, errs := runCLI(t, db, "a-long-password\n", "user", "add", "perry@planet.example"); code != 0 {
		t.Fatalf("user add: %d %s %s", code, out, errs)
	}
	code, out, errs := runCLI(t, db, "", "token", "create", "--name", "prometheus", "--user", "perry@planet.example")
	if code != 0 {
		t.Fatalf("token create: %d %s", code, errs)
	}
	token := strings.TrimSpace(out)
	scrape := func(s *serving, token string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", "http://"+s.addr+"/metrics", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}

	s := serveInProcess(t, db)
	waitHTTP(t, s, "http://"+s.addr+"/healthz")
	if code, body := scrape(s, ""); code != http.StatusUnauthorized || strings.Contains(body, "masthead_") {
		t.Errorf("anonymous scrape: %d\n%.300s", code, body)
	}
	if code, body := scrape(s, "mh_not-a-real-token"); code != http.StatusUnauthorized {
		t.Errorf("scrape with a wrong token: %d\n%.300s", code, body)
	}
	if code, body := scrape(s, token); code != http.StatusOK || !strings.Contains(body, "masthead_send_rate") {
		t.Errorf("scrape with a token: %d\n%.300s", code, body)
	}
	s.stop(t)

	s = serveInProcess(t, db, "--public-metrics")
	waitHTTP(t, s, "http://"+s.addr+"/healthz")
	if code, body := scrape(s, ""); code != http.StatusOK || !strings.Contains(body, "masthead_send_rate") {
		t.Errorf("anonymous scrape with --public-metrics: %d\n%.300s", code, body)
	}
	s.stop(t)
}
