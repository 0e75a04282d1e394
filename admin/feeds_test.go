package admin

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"

	"masthead/auth"
	"masthead/internal/smtptest"
	"masthead/store"
)

// An editor's path through the feeds page, in the browser: a bad address
// refused with the form kept, a feed added, polled now (its articles made),
// its failure shown in the list, removed with its articles kept.
func TestFeedsPage(t *testing.T) {
	e := newEnv(t, smtptest.Options{})
	e.user(t, "lois@planet.example", auth.Editor)
	fixture, err := os.ReadFile("../feeds/testdata/planet-rss2.xml")
	if err != nil {
		t.Fatal(err)
	}
	var down atomic.Bool
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(fixture)
	}))
	defer site.Close()

	j := newJourney(t)
	j.signIn(e, "lois@planet.example")
	j.do("open the feeds page", chromedp.Navigate(e.url+"/admin/feeds"), chromedp.WaitVisible(chromedp.ID("add-feed")))
	j.do("add a bad address",
		chromedp.SetValue(chromedp.CSS(`#add-feed input[name="url"]`), "ftp://planet.example/feed"),
		chromedp.Submit(chromedp.ID("add-feed")))
	j.wait("the refusal", `document.querySelector(".error") !== null && document.querySelector(".error").textContent.indexOf("url:") >= 0`)
	if v := j.text("#feeds tbody"); !strings.Contains(v, "No feed yet") {
		t.Errorf("a refused feed is listed: %s", v)
	}

	j.do("add the feed",
		chromedp.SetValue(chromedp.CSS(`#add-feed input[name="url"]`), site.URL+"/feed/"),
		chromedp.SetValue(chromedp.CSS(`#add-feed select[name="section"]`), "News"),
		chromedp.SetValue(chromedp.CSS(`#add-feed textarea[name="categories"]`), "City=Front Page"),
		chromedp.Submit(chromedp.ID("add-feed")))
	j.wait("added", `document.querySelector(".flash") !== null && document.querySelector(".flash").textContent.indexOf("Feed 1 added") >= 0`)
	j.shot("feeds-added")

	j.do("poll now", chromedp.Click(chromedp.ID("poll-1")))
	j.wait("polled", `document.querySelector(".flash") !== null && document.querySelector(".flash").textContent.indexOf("Feed 1 polled: 3 new, 0 updated") >= 0`)
	list, err := e.st.Articles(context.Background(), store.ArticleFilter{PublicationID: e.pub.ID})
	if err != nil || len(list) != 3 {
		t.Fatalf("articles after the poll: %v, %v", list, err)
	}

	down.Store(true)
	j.do("poll the broken feed", chromedp.Click(chromedp.ID("poll-1")))
	j.wait("the error", `document.querySelector(".error") !== null && document.querySelector(".error").textContent.indexOf("503") >= 0`)
	if v := j.text("#feed-1 .feed-error"); !strings.Contains(v, "the server answered 503 Service Unavailable") {
		t.Errorf("the list does not show the feed's error: %q", v)
	}
	j.shot("feeds-error")

	j.do("remove the feed",
		chromedp.Evaluate[chromedp.Void](`window.confirm = function() { return true; }`),
		chromedp.Click(chromedp.ID("remove-1")))
	j.wait("removed", `document.querySelector(".flash") !== null && document.querySelector(".flash").textContent.indexOf("Feed 1 removed") >= 0`)
	if list, _ := e.st.Articles(context.Background(), store.ArticleFilter{PublicationID: e.pub.ID}); len(list) != 3 {
		t.Errorf("articles after removing the feed: %d", len(list))
	}
}
