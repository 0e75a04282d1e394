package feeds_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"masthead/feeds"
)

// A poll of a newsroom's feed, as the scheduler does it: a conditional GET
// with the validators kept from the last poll, then each item as an
// article of the issue of its date in the publication's zone.
func Example() {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		fmt.Fprint(w, `<rss version="2.0"><channel><title>The Daily Planet</title><link>https://planet.example/</link>
<item><title>Heat Wave Arrives</title><link>/2009/07/09/heat-wave/</link><guid isPermaLink="false">p-4812</guid>
<pubDate>Thu, 09 Jul 2009 03:30:00 +0000</pubDate><category>Weather</category>
<description>&lt;p&gt;It was &lt;b&gt;hot&lt;/b&gt;.&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;</description></item>
</channel></rss>`)
	}))
	defer site.Close()

	// AllowPrivate only because this site is on 127.0.0.1.
	fetcher := feeds.NewFetcher(feeds.Options{AllowPrivate: true}, nil)
	defer fetcher.Close()
	parser := feeds.NewParser()
	newYork, _ := time.LoadLocation("America/New_York")

	resp, err := fetcher.Fetch(context.Background(), feeds.Request{URL: site.URL + "/feed/"})
	if err != nil {
		fmt.Println("poll failed:", err) // keep the articles; NextPoll says when to retry
		return
	}
	feed, err := parser.Parse(resp.Body, resp.URL, feeds.Full)
	if err != nil {
		fmt.Println("not a feed:", err)
		return
	}
	for _, it := range feed.Items {
		date, _ := it.Date(newYork)
		section := feeds.Section(it.Categories, map[string]string{"weather": "City"}, "News")
		fmt.Printf("%s | %s | %s | %s\n%s\n", it.Key, date, section, it.Title, it.Body)
	}
	fmt.Println("next time send ETag", resp.ETag)
	// Output:
	// p-4812 | 2009-07-08 | City | Heat Wave Arrives
	// It was **hot**.
	// next time send ETag "v1"
}
