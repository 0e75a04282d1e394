package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
)

// A script's path through the feed routes: a bad feed refused with the
// field named, one added, polled (its articles made, with their page on the
// site), its failure answered and listed, removed.
func TestFeedRoutes(t *testing.T) {
	f := newFixture(t)
	body, err := os.ReadFile("../feeds/testdata/planet-rss2.xml")
	if err != nil {
		t.Fatal(err)
	}
	var down atomic.Bool
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "gone", http.StatusGone)
			return
		}
		w.Write(body)
	}))
	defer site.Close()
	const js = "application/json"

	code, out := f.do(t, f.editor, "POST", "/api/feeds", js, `{"url": "`+site.URL+`/feed/", "content": "teaser"}`)
	if code != 422 || !strings.Contains(out, "content") {
		t.Errorf("bad content: %d %s", code, out)
	}
	code, out = f.do(t, f.editor, "POST", "/api/feeds", js, `{"url": "`+site.URL+`/feed/", "interval": "soon"}`)
	if code != 422 || !strings.Contains(out, "interval") {
		t.Errorf("bad interval: %d %s", code, out)
	}
	code, out = f.do(t, f.editor, "POST", "/api/feeds", js, `{"url": "`+site.URL+`/feed/", "section": "News",
		"categories": {"City": "Front Page"}, "status": "draft", "interval": "30m"}`)
	if code != 201 {
		t.Fatalf("add: %d %s", code, out)
	}
	var added feedJSON
	if err := json.Unmarshal([]byte(out), &added); err != nil || added.ID == 0 || added.Interval != "30m0s" || added.Categories["City"] != "Front Page" {
		t.Fatalf("added feed %s (%v)", out, err)
	}
	if code, out = f.do(t, f.editor, "POST", "/api/feeds", js, `{"url": "`+site.URL+`/feed/"}`); code != 409 {
		t.Errorf("the same feed twice: %d %s", code, out)
	}

	id := itoa(int(added.ID))
	code, out = f.do(t, f.editor, "POST", "/api/feeds/"+id+"/poll", js, "")
	var res pollJSON
	if code != 200 || json.Unmarshal([]byte(out), &res) != nil || res.New != 3 || res.Error != "" {
		t.Fatalf("poll: %d %s", code, out)
	}
	code, out = f.do(t, f.editor, "GET", "/api/articles?status=draft", "", "")
	if code != 200 || strings.Count(out, `"source_url": "https://planet.example/`) != 3 {
		t.Errorf("articles after the poll: %d %s", code, out)
	}

	down.Store(true)
	code, out = f.do(t, f.editor, "POST", "/api/feeds/"+id+"/poll", js, "")
	if code != 200 || json.Unmarshal([]byte(out), &res) != nil || !strings.Contains(res.Error, "410 Gone") || res.Feed.Failures != 1 {
		t.Errorf("poll of a failing feed: %d %s", code, out)
	}
	code, out = f.do(t, f.editor, "GET", "/api/feeds", "", "")
	if code != 200 || !strings.Contains(out, `"failures": 1`) || !strings.Contains(out, "410 Gone") {
		t.Errorf("list: %d %s", code, out)
	}

	if code, out = f.do(t, f.editor, "DELETE", "/api/feeds/"+id, "", ""); code != 204 {
		t.Errorf("remove: %d %s", code, out)
	}
	if code, _ = f.do(t, f.editor, "POST", "/api/feeds/"+id+"/poll", js, ""); code != 404 {
		t.Errorf("poll of a removed feed: %d", code)
	}
	if code, out = f.do(t, f.editor, "GET", "/api/articles", "", ""); strings.Count(out, `"source_url": "https://planet.example/`) != 3 {
		t.Errorf("articles after removing the feed: %d %s", code, out)
	}
}
