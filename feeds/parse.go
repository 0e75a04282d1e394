package feeds

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	gfjson "github.com/mmcdole/gofeed/json"
)

// Content says which of an item's texts becomes the article body.
type Content int

const (
	// Full takes the whole article (RSS content:encoded, Atom content, JSON
	// Feed content_html or content_text), or the summary when that is all
	// the feed gives.
	Full Content = iota
	// Excerpt takes the summary (RSS description, Atom summary, JSON Feed
	// summary), or the first paragraph of the content when there is none.
	Excerpt
)

// Feed is a parsed feed.
type Feed struct {
	Title string // the feed's title, plain text
	Link  string // the site's home page, absolute ("" when the feed gives none)
	Type  string // "rss 2.0", "atom 1.0", "json 1.1" ...
	// Items in the feed's order, each key once.
	Items []Item
	// Skipped lists the items left out and why (no key, a key seen before in
	// the feed, content that cannot be converted); the others are kept.
	Skipped []ItemError
}

// ItemError is an item left out of Feed.Items.
type ItemError struct {
	Index int    // 1-based position of the item in the feed
	Title string // its title, to find it in the feed
	Err   error
}

func (e ItemError) Error() string {
	if e.Title != "" {
		return fmt.Sprintf("item %d (%q): %v", e.Index, e.Title, e.Err)
	}
	return fmt.Sprintf("item %d: %v", e.Index, e.Err)
}

// Parser reads feeds. It is safe for concurrent use; make one and share it.
type Parser struct {
	feed *gofeed.Parser
	conv *Converter
}

// NewParser returns a Parser.
func NewParser() *Parser {
	fp := gofeed.NewParser()
	// The lead image is taken from the sanitised content (see Item.Image),
	// not from a second parse of the raw HTML.
	fp.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	fp.AtomTranslator = atomTranslator{}
	fp.JSONTranslator = jsonTranslator{}
	return &Parser{feed: fp, conv: NewConverter()}
}

// Converter is the parser's HTML to Markdown converter, for callers that
// convert other untrusted HTML the same way.
func (p *Parser) Converter() *Converter { return p.conv }

// Parse reads an RSS, Atom or JSON feed fetched from feedURL (the final URL,
// against which relative links resolve) and turns its items into Items with
// the body chosen by content. A body that is not a feed is an error wrapping
// ErrNotFeed; an item that cannot be used is listed in Feed.Skipped and the
// rest are kept.
func (p *Parser) Parse(body []byte, feedURL string, content Content) (*Feed, error) {
	gf, err := p.feed.Parse(bytes.NewReader(body))
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			return nil, fmt.Errorf("%w: %s", ErrNotFeed, looksLike(body))
		}
		return nil, fmt.Errorf("%w: %v", ErrNotFeed, err)
	}
	base := absoluteBase(feedURL)
	f := &Feed{
		Title: p.conv.Text(gf.Title),
		Type:  strings.TrimSpace(gf.FeedType + " " + strings.TrimPrefix(gf.FeedVersion, "https://jsonfeed.org/version/")),
		Items: make([]Item, 0, len(gf.Items)),
	}
	if link, ok := resolveLink(base, gf.Link); ok {
		f.Link = link
	}
	feedAuthor := authorName(gf.Authors)
	seen := make(map[string]int, len(gf.Items))
	for i, gi := range gf.Items {
		it, err := p.item(gi, base, content, gf.FeedType)
		if err == nil && it.Key != "" {
			if first, dup := seen[it.Key]; dup {
				err = fmt.Errorf("its key %q is item %d's too; the first is kept", it.Key, first)
			}
		}
		if err != nil {
			f.Skipped = append(f.Skipped, ItemError{Index: i + 1, Title: p.conv.Text(gi.Title), Err: err})
			continue
		}
		seen[it.Key] = i + 1
		if it.Author == "" {
			it.Author = feedAuthor
		}
		it.Hash = it.hash()
		f.Items = append(f.Items, it)
	}
	return f, nil
}

// looksLike says what a body that is not a feed seems to be, for the error.
func looksLike(body []byte) string {
	head := strings.ToLower(string(body[:min(len(body), 1024)]))
	switch {
	case len(bytes.TrimSpace(body)) == 0:
		return "the answer is empty"
	case strings.Contains(head, "<html") || strings.Contains(head, "<!doctype html"):
		return "the address gives a web page, not its feed (look for an RSS or Atom link on the page)"
	}
	return "it is not RSS, Atom or JSON Feed"
}

// plainTextKey marks, in gofeed.Item.Custom, an item whose content is plain
// text rather than HTML (JSON Feed content_text, Atom type="text").
const plainTextKey = "masthead.plain-content"

// atomTranslator is gofeed's, noting which entries have text content.
type atomTranslator struct{ gofeed.DefaultAtomTranslator }

func (t atomTranslator) Translate(feed interface{}) (*gofeed.Feed, error) {
	f, err := t.DefaultAtomTranslator.Translate(feed)
	af, ok := feed.(*atom.Feed)
	if err != nil || !ok || len(af.Entries) != len(f.Items) {
		return f, err
	}
	for i, e := range af.Entries {
		if e.Content != nil && (e.Content.Type == "" || e.Content.Type == "text") && e.Content.Src == "" {
			markPlain(f.Items[i])
		}
	}
	return f, nil
}

// jsonTranslator is gofeed's, noting which items have only content_text.
type jsonTranslator struct{ gofeed.DefaultJSONTranslator }

func (t jsonTranslator) Translate(feed interface{}) (*gofeed.Feed, error) {
	f, err := t.DefaultJSONTranslator.Translate(feed)
	jf, ok := feed.(*gfjson.Feed)
	if err != nil || !ok || len(jf.Items) != len(f.Items) {
		return f, err
	}
	for i, it := range jf.Items {
		if it.ContentHTML == "" && it.ContentText != "" {
			markPlain(f.Items[i])
		}
	}
	return f, nil
}

func markPlain(it *gofeed.Item) {
	if it.Custom == nil {
		it.Custom = map[string]string{}
	}
	it.Custom[plainTextKey] = "1"
}

// timeOf is *t, or the zero time.
func timeOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
