package cli

import (
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// feedSite serves a feed at /feed/ that the test can replace or break.
type feedSite struct {
	*httptest.Server
	mu     sync.Mutex
	body   []byte
	status int
}

func newFeedSite(t *testing.T, fixture string) *feedSite {
	t.Helper()
	s := &feedSite{status: http.StatusOK}
	s.set(t, fixture)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		body, status := s.body, s.status
		s.mu.Unlock()
		if r.URL.Path != "/feed/" {
			http.NotFound(w, r)
			return
		}
		if status != http.StatusOK {
			http.Error(w, "down", status)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *feedSite) set(t *testing.T, fixture string) {
	t.Helper()
	b, err := os.ReadFile("../../feeds/testdata/" + fixture)
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.body, s.status = b, http.StatusOK
	s.mu.Unlock()
}

func (s *feedSite) fail(status int) {
	s.mu.Lock()
	s.status = status
	s.mu.Unlock()
}

// An editor's path through the feed commands: add (bad input refused),
// poll (N new, then M updated), a failing poll shown by feed list, remove.
func TestFeedCommands(t *testing.T) {
	db := newDB(t)
	setupPlanet(t, db)
	site := newFeedSite(t, "planet-rss2.xml")

	if code, _, errs := runCLI(t, db, "", "feed", "add", site.URL+"/feed/", "--section", "Comics"); code == 0 || !strings.Contains(errs, `section: unknown section "Comics"`) {
		t.Errorf("feed add with an unknown section: exit %d, %s", code, errs)
	}
	if code, _, errs := runCLI(t, db, "", "feed", "add", "--status", "published", site.URL+"/feed/"); code == 0 || !strings.Contains(errs, "status") {
		t.Errorf("feed add with a bad status: exit %d, %s", code, errs)
	}
	code, out, errs := runCLI(t, db, "", "feed", "add", site.URL+"/feed/", "--section", "News", "--category", "City=Front Page",
		"--status", "draft", "--content", "excerpt", "--interval", "5m")
	if code != 0 || !strings.Contains(out, "added feed 1") {
		t.Fatalf("feed add: %d %s %s", code, out, errs)
	}

	// Without --feeds-allow-private the test's site on 127.0.0.1 is refused.
	code, out, _ = runCLI(t, db, "", "feed", "poll")
	if code != 1 || !strings.Contains(out, "address refused: 127.0.0.1 is a loopback address") ||
		!strings.Contains(out, "allow them with --feeds-allow-private (MASTHEAD_FEEDS_ALLOW_PRIVATE=1)") {
		t.Errorf("poll of a loopback feed: exit %d, %s", code, out)
	}
	code, out, errs = runCLI(t, db, "", "feed", "poll", "1", "--feeds-allow-private")
	if code != 0 || !strings.Contains(out, "feed 1 "+site.URL+"/feed/: 3 new, 0 updated") {
		t.Fatalf("first poll: %d %s %s", code, out, errs)
	}
	_, out, _ = runCLI(t, db, "", "article", "list")
	if !regexp.MustCompile(`2009-07-09 +daily +Front Page`).MatchString(out) || !strings.Contains(out, "draft") || strings.Count(out, "\n") != 4 {
		t.Errorf("article list after the poll:\n%s", out)
	}
	site.set(t, "planet-rss2-edited.xml")
	code, out, _ = runCLI(t, db, "", "feed", "poll", "--feeds-allow-private")
	if code != 0 || !strings.Contains(out, "1 new, 1 updated") {
		t.Errorf("poll of the edited feed: exit %d, %s", code, out)
	}

	site.fail(http.StatusInternalServerError)
	code, out, _ = runCLI(t, db, "", "feed", "poll", "--feeds-allow-private")
	if code != 1 || !strings.Contains(out, ": error: ") || !strings.Contains(out, "the server answered 500 Internal Server Error") {
		t.Errorf("poll of a failing feed: exit %d, %s", code, out)
	}
	// Times are in the publication's zone (America/New_York), the zone named.
	zoned := regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d E[SD]T`)
	if !regexp.MustCompile(`\(next poll ` + zoned.String() + `\)`).MatchString(out) {
		t.Errorf("poll error's next poll without its zone: %s", out)
	}
	_, out, _ = runCLI(t, db, "", "feed", "list")
	if !strings.Contains(out, "LAST ERROR") || !strings.Contains(out, "the server answered 500") || !strings.Contains(out, "draft") {
		t.Errorf("feed list does not show the error:\n%s", out)
	}
	if len(zoned.FindAllString(out, -1)) != 2 {
		t.Errorf("feed list's last and next poll without their zone:\n%s", out)
	}
	if _, out, _ = runCLI(t, db, "", "article", "list"); strings.Count(out, "\n") != 5 {
		t.Errorf("articles after the failure:\n%s", out)
	}

	if code, out, _ = runCLI(t, db, "", "feed", "remove", "1"); code != 0 || !strings.Contains(out, "removed feed 1") {
		t.Errorf("feed remove: %d %s", code, out)
	}
	if code, _, errs = runCLI(t, db, "", "feed", "remove", "1"); code == 0 {
		t.Errorf("removing twice succeeded: %s", errs)
	}
	if _, out, _ = runCLI(t, db, "", "article", "list"); strings.Count(out, "\n") != 5 {
		t.Errorf("articles after removing the feed:\n%s", out)
	}
}
