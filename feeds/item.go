package feeds

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"
)

// Item is one entry of a feed, ready to become an article.
type Item struct {
	// Key identifies the item across polls: its GUID (Atom id, JSON Feed
	// id), else its link. It is unique within one feed, not across feeds.
	Key string
	// Title is plain text on one line.
	Title string
	// Author is the item's authors' names ("A, B"), else the feed's; their
	// e-mail addresses are never kept.
	Author string
	// Categories are the item's categories or tags, plain text, each once.
	Categories []string
	// Link is the canonical, absolute http(s) address of the article on
	// the site, without utm_* tracking parameters; "" when it has none.
	Link string
	// Published and Updated are the item's times, zero when the feed gives
	// none (an Atom entry without published has its updated time here).
	Published time.Time
	Updated   time.Time
	// Summary is the plain-text summary, when the feed gives one besides the
	// content, cut to about 400 characters: a deck under the headline.
	Summary string
	// Body is the article body in Markdown, sanitised (see Converter): the
	// full content or the excerpt, as the Parser was asked.
	Body string
	// Image is the lead image, zero when the item has none.
	Image Image
	// Hash is a digest of every field above: a changed Hash between two
	// polls means the item was edited.
	Hash string
}

// Image is an item's lead image: an image enclosure, a Media RSS
// media:content or media:thumbnail, a JSON Feed image, else the first image
// of its content (InBody then says so, for a caller that shows the lead
// image apart and would show it twice).
type Image struct {
	URL    string // absolute http(s)
	Alt    string // its alternative text or title, "" when the feed gives none
	InBody bool
}

// maxKey bounds an item's key: a GUID is an identifier, not a document.
const maxKey = 2048

// maxSummary is the length Summary is cut to, in runes.
const maxSummary = 400

func (p *Parser) item(gi *gofeed.Item, base *url.URL, content Content, feedType string) (Item, error) {
	it := Item{
		Title:      p.conv.Text(gi.Title),
		Author:     authorName(gi.Authors),
		Categories: p.categories(gi.Categories),
		Published:  timeOf(gi.PublishedParsed),
		Updated:    timeOf(gi.UpdatedParsed),
	}
	it.Link = itemLink(gi, base)
	it.Key = strings.TrimSpace(gi.GUID)
	if it.Key == "" {
		it.Key = it.Link
	}
	switch {
	case it.Key == "":
		return Item{}, errors.New("it has neither a guid (id) nor a link, so it cannot be told apart between polls")
	case len(it.Key) > maxKey:
		return Item{}, fmt.Errorf("its guid is longer than %d bytes", maxKey)
	case !utf8.ValidString(it.Key):
		return Item{}, errors.New("its guid is not valid UTF-8")
	case it.Title == "":
		return Item{}, errors.New("it has no title")
	}

	// Relative links in the content are relative to the article's page.
	contentBase := base
	if l := absoluteBase(it.Link); l != nil {
		contentBase = l
	}
	baseStr := ""
	if contentBase != nil {
		baseStr = contentBase.String()
	}
	plainContent := gi.Custom[plainTextKey] != ""
	// JSON Feed's summary is plain text by its specification.
	plainSummary := feedType == "json"
	body, summary := gi.Content, gi.Description
	var first *image
	var err error
	switch {
	case content == Excerpt && summary != "":
		it.Body, first, err = p.conv.convert(asHTML(summary, plainSummary), baseStr, false)
		it.Summary = cut(p.conv.Text(asHTML(summary, plainSummary)), maxSummary)
	case content == Excerpt:
		it.Body, first, err = p.conv.convert(asHTML(body, plainContent), baseStr, true)
	case body != "":
		it.Body, first, err = p.conv.convert(asHTML(body, plainContent), baseStr, false)
		if summary != "" {
			it.Summary = cut(p.conv.Text(asHTML(summary, plainSummary)), maxSummary)
		}
	default:
		it.Body, first, err = p.conv.convert(asHTML(summary, plainSummary), baseStr, false)
	}
	if err != nil {
		return Item{}, err
	}
	it.Image = leadImage(gi, contentBase)
	if it.Image.URL == "" && first != nil {
		it.Image = Image{URL: first.url, Alt: first.alt, InBody: true}
	}
	if it.Image.URL != "" && first != nil && first.url == it.Image.URL {
		it.Image.InBody = true
	}
	return it, nil
}

// itemLink is the item's page: its link, another of its links, or a GUID
// that is an http(s) URL (RSS isPermaLink).
func itemLink(gi *gofeed.Item, base *url.URL) string {
	for _, raw := range append([]string{gi.Link}, gi.Links...) {
		if l, ok := resolveLink(base, raw); ok {
			return l
		}
	}
	if g := strings.TrimSpace(gi.GUID); strings.HasPrefix(g, "http://") || strings.HasPrefix(g, "https://") {
		if l, ok := resolveLink(nil, g); ok {
			return l
		}
	}
	return ""
}

// resolveLink makes raw absolute against base, accepts http and https only
// and drops utm_* tracking parameters.
func resolveLink(base *url.URL, raw string) (string, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", false
	}
	if !u.IsAbs() {
		if base == nil {
			return "", false
		}
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	if strings.Contains(u.RawQuery, "utm_") {
		q := u.Query()
		for k := range q {
			if strings.HasPrefix(strings.ToLower(k), "utm_") {
				q.Del(k)
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.String(), true
}

// leadImage is the image the feed names for the item, if any.
func leadImage(gi *gofeed.Item, base *url.URL) Image {
	for _, e := range gi.Enclosures {
		if isImage(e.Type, e.URL) {
			if u, ok := resolveLink(base, e.URL); ok {
				return Image{URL: u}
			}
		}
	}
	media := gi.Extensions["media"]
	contents := media["content"]
	for _, g := range media["group"] {
		contents = append(contents, g.Children["content"]...)
	}
	for _, c := range contents {
		if c.Attrs["medium"] == "image" || isImage(c.Attrs["type"], "") ||
			(c.Attrs["medium"] == "" && c.Attrs["type"] == "" && isImage("", c.Attrs["url"])) {
			if u, ok := resolveLink(base, c.Attrs["url"]); ok {
				return Image{URL: u, Alt: mediaText(c)}
			}
		}
	}
	for _, c := range contents {
		for _, th := range c.Children["thumbnail"] {
			if u, ok := resolveLink(base, th.Attrs["url"]); ok {
				return Image{URL: u, Alt: mediaText(c)}
			}
		}
	}
	for _, th := range media["thumbnail"] {
		if u, ok := resolveLink(base, th.Attrs["url"]); ok {
			return Image{URL: u}
		}
	}
	if gi.Image != nil {
		if u, ok := resolveLink(base, gi.Image.URL); ok {
			return Image{URL: u, Alt: strings.TrimSpace(gi.Image.Title)}
		}
	}
	return Image{}
}

// isImage says whether a MIME type, or else a URL's extension, is an image's.
func isImage(mime, rawURL string) bool {
	if mime != "" {
		return strings.HasPrefix(strings.ToLower(strings.TrimSpace(mime)), "image/")
	}
	if rawURL == "" {
		return false
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	switch strings.ToLower(path.Ext(u.Path)) {
	case ".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif":
		return true
	}
	return false
}

// mediaText is a media:content's description or title, for alt text.
func mediaText(c ext.Extension) string {
	for _, k := range []string{"description", "title"} {
		if v := c.Children[k]; len(v) > 0 && strings.TrimSpace(v[0].Value) != "" {
			return strings.Join(strings.Fields(html.UnescapeString(v[0].Value)), " ")
		}
	}
	return ""
}

// authorName joins the authors' names; e-mail addresses are left out.
func authorName(people []*gofeed.Person) string {
	var names []string
	for _, a := range people {
		if a != nil && strings.TrimSpace(a.Name) != "" {
			names = append(names, strings.Join(strings.Fields(a.Name), " "))
		}
	}
	return strings.Join(names, ", ")
}

func (p *Parser) categories(raw []string) []string {
	var out []string
	seen := make(map[string]bool, len(raw))
	for _, c := range raw {
		c = p.conv.Text(c)
		k := strings.ToLower(c)
		if c == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, c)
	}
	return out
}

// asHTML returns s as HTML: as it is, or, when plain, escaped with its blank
// lines as paragraph breaks and its newlines as line breaks.
func asHTML(s string, plain bool) string {
	if !plain {
		return s
	}
	var b strings.Builder
	for _, para := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if para = strings.TrimSpace(para); para != "" {
			b.WriteString("<p>")
			b.WriteString(strings.ReplaceAll(html.EscapeString(para), "\n", "<br>"))
			b.WriteString("</p>")
		}
	}
	return b.String()
}

// cut shortens s to at most n runes at a word boundary, with an ellipsis.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	if i := strings.LastIndexByte(string(r), ' '); i > n/2 {
		return strings.TrimRight(string(r)[:i], " ,;:.-") + "…"
	}
	return string(r) + "…"
}

// hash digests every field of the item but Hash.
func (it Item) hash() string {
	h := sha256.New()
	field := func(s string) { fmt.Fprintf(h, "%d:%s;", len(s), s) }
	field(it.Key)
	field(it.Title)
	field(it.Author)
	field(strings.Join(it.Categories, "\x00"))
	field(it.Link)
	field(it.Published.UTC().Format(time.RFC3339Nano))
	field(it.Updated.UTC().Format(time.RFC3339Nano))
	field(it.Summary)
	field(it.Body)
	field(it.Image.URL)
	field(it.Image.Alt)
	return hex.EncodeToString(h.Sum(nil))
}
