package feeds

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func parseFile(t *testing.T, name, feedURL string, content Content) *Feed {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	f, err := NewParser().Parse(b, feedURL, content)
	if err != nil {
		t.Fatalf("Parse %s: %v", name, err)
	}
	if len(f.Skipped) > 0 {
		t.Errorf("%s: skipped %v", name, f.Skipped)
	}
	return f
}

// wantFeed parses a fixture and checks the feed's own fields and number of
// items.
func wantFeed(t *testing.T, name, feedURL, title, link, typ string, items int) []Item {
	t.Helper()
	f := parseFile(t, name, feedURL, Full)
	if f.Title != title || f.Link != link || f.Type != typ {
		t.Errorf("feed: %q %q %q, want %q %q %q", f.Title, f.Link, f.Type, title, link, typ)
	}
	if len(f.Items) != items {
		t.Fatalf("%d items, want %d", len(f.Items), items)
	}
	return f.Items
}

// bodyHas checks that an item's body holds each of the Markdown pieces.
func bodyHas(t *testing.T, it Item, pieces ...string) {
	t.Helper()
	for _, p := range pieces {
		if !strings.Contains(it.Body, p) {
			t.Errorf("%s: body lacks %q:\n%s", it.Key, p, it.Body)
		}
	}
}

func TestParseRSS(t *testing.T) {
	items := wantFeed(t, "planet-rss2.xml", "https://planet.example/feed/",
		"The Daily Planet – All the news that fits", "https://planet.example", "rss 2.0", 3)
	heat, bridge, letters := items[0], items[1], items[2]

	if heat.Key != "https://planet.example/?p=4812" {
		t.Errorf("key %q, want the guid", heat.Key)
	}
	if heat.Title != "Heat Wave Arrives as Temperatures Top 100°" || heat.Author != "Lois Lane" {
		t.Errorf("title %q author %q", heat.Title, heat.Author)
	}
	if strings.Join(heat.Categories, ",") != "City,Weather" {
		t.Errorf("categories %q", heat.Categories)
	}
	if heat.Link != "https://planet.example/2009/07/09/heat-wave-arrives/" {
		t.Errorf("link %q, want it without utm_ parameters", heat.Link)
	}
	if want := time.Date(2009, 7, 9, 13, 45, 0, 0, time.UTC); !heat.Published.Equal(want) || !heat.Updated.IsZero() {
		t.Errorf("published %v updated %v", heat.Published, heat.Updated)
	}
	// The enclosure is the lead image; the body is content:encoded.
	if heat.Image != (Image{URL: "https://planet.example/wp-content/uploads/2009/07/heat.jpg"}) {
		t.Errorf("image %+v", heat.Image)
	}
	bodyHas(t, heat,
		"past **100 degrees** for",
		"[cooling centres](https://planet.example/2009/07/08/cooling-centres/)",
		"![Children play in the fountain at Centennial Park](https://planet.example/wp-content/uploads/2009/07/heat-1024x683.jpg)",
		"## What the city advises",
		"- Check on elderly neighbours *twice a day*.",
		"> “We have not seen a July like this since 1988,”",
	)
	if !strings.HasPrefix(heat.Summary, "Temperatures climbed past 100 degrees for a third straight day") {
		t.Errorf("summary %q", heat.Summary)
	}

	// media:content names the lead image; a lazy image and an embedded
	// video stay in the body.
	if bridge.Image != (Image{URL: "https://planet.example/wp-content/uploads/2009/07/bridge-lead.jpg", Alt: "The Harbour Bridge at dusk"}) {
		t.Errorf("bridge image %+v", bridge.Image)
	}
	bodyHas(t, bridge,
		"![The Harbour Bridge at dusk](https://planet.example/wp-content/uploads/2009/07/bridge.jpg)",
		"1. Deck resurfacing",
		"[Embedded content from youtube.com](https://www.youtube.com/embed/dQw4w9WgXcQ)",
	)

	// Only a description: it is the body, and there is no separate summary.
	if letters.Key != "https://planet.example/2009/07/09/letters/" || letters.Body != "Readers on the heat, the bridge and the new bus lanes." || letters.Summary != "" {
		t.Errorf("letters: key %q body %q summary %q", letters.Key, letters.Body, letters.Summary)
	}
	if letters.Image.URL != "" {
		t.Errorf("letters image %+v", letters.Image)
	}
}

func TestParseRSSExcerpt(t *testing.T) {
	f := parseFile(t, "planet-rss2.xml", "https://planet.example/feed/", Excerpt)
	want := "Temperatures climbed past 100 degrees for a third straight day as the city opened cooling centres in every borough. … [Continue reading](https://planet.example/2009/07/09/heat-wave-arrives/)"
	if f.Items[0].Body != want {
		t.Errorf("excerpt %q\nwant %q", f.Items[0].Body, want)
	}
	full := parseFile(t, "planet-rss2.xml", "https://planet.example/feed/", Full)
	if f.Items[0].Key != full.Items[0].Key || f.Items[0].Image != full.Items[0].Image {
		t.Errorf("excerpt and full disagree on key or image")
	}
}

func TestParseAtom(t *testing.T) {
	items := wantFeed(t, "gazette-atom.xml", "https://gazette.example/feeds/all.atom",
		"The Harbour Gazette", "https://gazette.example/", "atom 1.0", 3)
	ferry, lifeboat, tides := items[0], items[1], items[2]
	// xml:base on the feed and the entry make the relative links absolute.
	if ferry.Link != "https://gazette.example/news/2009/07/ferry-strike-ends" {
		t.Errorf("ferry link %q", ferry.Link)
	}
	if ferry.Key != "tag:gazette.example,2009-07-09:/news/2009/07/ferry-strike-ends" || ferry.Title != "Ferry Strike Ends After Nine Days" {
		t.Errorf("ferry key %q title %q", ferry.Key, ferry.Title)
	}
	if ferry.Author != "Jenny Wren, Tom Pinch" || strings.Join(ferry.Categories, ",") != "Transport,harbour" {
		t.Errorf("ferry author %q categories %q", ferry.Author, ferry.Categories)
	}
	if ferry.Image.URL != "https://gazette.example/media/ferry-chart.png" {
		t.Errorf("ferry image %+v, want the enclosure", ferry.Image)
	}
	bodyHas(t, ferry,
		"[new pay offer](https://gazette.example/news/2009/07/pay-offer)",
		"![The morning ferry leaves the quay](https://gazette.example/media/ferry.jpg)",
		"[summer timetable](https://gazette.example/timetables/ferry.pdf)",
		"### Timetable",
	)
	if ferry.Summary != "Ferries run again from Friday after crews accepted a new pay offer." {
		t.Errorf("ferry summary %q", ferry.Summary)
	}
	if !ferry.Updated.Equal(time.Date(2009, 7, 9, 7, 5, 0, 0, time.UTC)) {
		t.Errorf("ferry updated %v", ferry.Updated)
	}

	// No published: updated stands in; no author: the feed's.
	if lifeboat.Link != "https://gazette.example/events/lifeboat-open-day" || lifeboat.Author != "Gazette Newsroom" {
		t.Errorf("lifeboat link %q author %q", lifeboat.Link, lifeboat.Author)
	}
	if !lifeboat.Published.Equal(time.Date(2009, 7, 8, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("lifeboat published %v", lifeboat.Published)
	}
	if !strings.Contains(lifeboat.Body, "**Saturday**. [All events](https://gazette.example/events/)") || !strings.Contains(lifeboat.Body, "- Cakes in aid of the crew") {
		t.Errorf("lifeboat (xhtml) body:\n%s", lifeboat.Body)
	}
	// type="text" content keeps its paragraphs and is not read as HTML.
	if tides.Body != "High water at 06:12 and 18:31 on Monday.\n\nSpring tides & strong currents from Wednesday: take care at the harbour mouth." {
		t.Errorf("tides body %q", tides.Body)
	}
}

func TestParseJSONFeed(t *testing.T) {
	items := wantFeed(t, "bulletin.json", "https://bulletin.example/feed.json",
		"Valley Bulletin", "https://bulletin.example/", "json 1.1", 2)
	budget, market := items[0], items[1]
	if budget.Key != "2009-07-09-school-budget" || budget.Author != "Ana Ruiz" || budget.Link != "https://bulletin.example/2009/07/09/school-budget" {
		t.Errorf("budget key %q author %q link %q", budget.Key, budget.Author, budget.Link)
	}
	if budget.Image != (Image{URL: "https://bulletin.example/img/board-lead.jpg"}) {
		t.Errorf("budget image %+v", budget.Image)
	}
	if !strings.Contains(budget.Body, "[restores a bus route](https://bulletin.example/2009/07/01/bus-routes)") ||
		!strings.Contains(budget.Body, "![Board members vote](https://bulletin.example/img/board.jpg)") {
		t.Errorf("budget body:\n%s", budget.Body)
	}
	if budget.Summary != "The board passed a $12.4 million budget with two new teachers." {
		t.Errorf("budget summary %q", budget.Summary)
	}
	if strings.Join(budget.Categories, ",") != "Schools,Budget" {
		t.Errorf("categories %q", budget.Categories)
	}
	// content_text is text: its "<b>" is shown, not obeyed.
	if market.Author != "Valley Bulletin staff" {
		t.Errorf("market author %q, want the feed's", market.Author)
	}
	if !strings.HasPrefix(market.Body, "The farmers' market moves to Saturdays from next week.\n\nStalls open at 8 a.m. &lt;b&gt;Parking&lt;/b&gt;") {
		t.Errorf("market body %q", market.Body)
	}
}

func TestParseFirstImageOfContent(t *testing.T) {
	feed := `<rss version="2.0"><channel><title>T</title><link>https://t.example/</link>
<item><title>A</title><link>/a</link><guid>a</guid><description>&lt;p&gt;x &lt;img src="/i/a.jpg" alt="Alt a"&gt;&lt;/p&gt;</description></item>
<item><title>B</title><link>https://t.example/b</link><guid>b</guid><enclosure url="https://t.example/b.mp3" type="audio/mpeg" length="1"/><enclosure url="/i/b.png" length="1"/></item>
<item><title>C</title><link>https://t.example/c</link><guid>c</guid><description>&lt;img src="javascript:x"&gt;no image</description></item>
</channel></rss>`
	f, err := NewParser().Parse([]byte(feed), "https://t.example/feed", Full)
	if err != nil {
		t.Fatal(err)
	}
	want := []Image{
		{URL: "https://t.example/i/a.jpg", Alt: "Alt a", InBody: true},
		{URL: "https://t.example/i/b.png"}, // by its extension; the audio is no image
		{},
	}
	for i, it := range f.Items {
		if it.Image != want[i] {
			t.Errorf("item %s image %+v, want %+v", it.Key, it.Image, want[i])
		}
	}
	if f.Items[0].Link != "https://t.example/a" {
		t.Errorf("relative item link resolved to %q", f.Items[0].Link)
	}
}

func TestParseSkipsWhatCannotBeKept(t *testing.T) {
	feed := `<rss version="2.0"><channel><title>T</title>
<item><title>No key</title><description>x</description></item>
<item><title>One</title><guid>k1</guid><description>first</description></item>
<item><title></title><guid>k2</guid><description>untitled</description></item>
<item><title>One again</title><guid>k1</guid><description>second</description></item>
<item><title>Two</title><guid>k3</guid></item>
</channel></rss>`
	f, err := NewParser().Parse([]byte(feed), "https://t.example/feed", Full)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 2 || f.Items[0].Key != "k1" || f.Items[0].Body != "first" || f.Items[1].Key != "k3" {
		t.Fatalf("items %+v", f.Items)
	}
	var got []string
	for _, s := range f.Skipped {
		got = append(got, s.Error())
	}
	want := []string{
		`item 1 ("No key"): it has neither a guid (id) nor a link, so it cannot be told apart between polls`,
		`item 3: it has no title`,
		`item 4 ("One again"): its key "k1" is item 2's too; the first is kept`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("skipped:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseNotAFeed(t *testing.T) {
	p := NewParser()
	for body, want := range map[string]string{
		"<!DOCTYPE html><html><head><title>Planet</title></head><body>news</body></html>": "web page",
		"":                         "empty",
		"%PDF-1.4 ...":             "not RSS, Atom or JSON Feed",
		`<rss version="2.0"><chan`: "",
		`{"version": "https://jso`: "",
	} {
		_, err := p.Parse([]byte(body), "https://t.example/", Full)
		if !errors.Is(err, ErrNotFeed) || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%.30q) = %v, want ErrNotFeed saying %q", body, err, want)
		}
	}
}

func TestItemHashTellsAnEdit(t *testing.T) {
	a := parseFile(t, "planet-rss2.xml", "https://planet.example/feed/", Full)
	b := parseFile(t, "planet-rss2.xml", "https://planet.example/feed/", Full)
	if a.Items[0].Hash != b.Items[0].Hash || a.Items[0].Hash == a.Items[1].Hash || len(a.Items[0].Hash) != 64 {
		t.Errorf("hashes %q %q %q", a.Items[0].Hash, b.Items[0].Hash, a.Items[1].Hash)
	}
	edited := a.Items[0]
	edited.Title += "!"
	if edited.hash() == a.Items[0].Hash {
		t.Error("a changed title keeps the hash")
	}
}
