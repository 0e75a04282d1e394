package feeds

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/JohannesKaufmann/html-to-markdown/v2/converter"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/base"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/commonmark"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/strikethrough"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/table"
	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Converter turns untrusted HTML from a feed into an article body in
// Markdown. It is safe for concurrent use; make one and share it (a Parser
// holds one).
//
// The HTML is first sanitised with bluemonday's UGC policy, which drops
// scripts, styles, forms, event handlers and every URL that is not http,
// https or mailto. Then, on the parsed tree: relative links and images are
// made absolute against the item's address (and dropped, keeping their text,
// when there is none to resolve them against, or when they point into the
// page itself with a bare #fragment); a lazy-loading image's data-src
// becomes its src; an embedded frame (a video, a post) becomes a link to what
// it showed, since no mail client plays it. Last, html-to-markdown writes
// CommonMark with GitHub tables and strikethrough, which
// templates.Markdowner renders back.
type Converter struct {
	ugc    *bluemonday.Policy
	strict *bluemonday.Policy
	md     *converter.Converter
	tag    *regexp.Regexp // a whole HTML tag, as in "<em>" or "</a>"
}

// NewConverter returns a Converter.
func NewConverter() *Converter {
	ugc := bluemonday.UGCPolicy()
	// Kept only so that tidy can turn them into something safe: an iframe
	// into a link, a lazy image's real address into its src.
	ugc.AllowAttrs("src").OnElements("iframe")
	ugc.AllowAttrs("data-src", "data-lazy-src", "data-original").OnElements("img")
	md := converter.NewConverter(converter.WithPlugins(
		base.NewBasePlugin(),
		commonmark.NewCommonmarkPlugin(),
		table.NewTablePlugin(),
		strikethrough.NewStrikethroughPlugin(),
	))
	return &Converter{ugc: ugc, strict: bluemonday.StrictPolicy(), md: md,
		tag: regexp.MustCompile(`</?[a-zA-Z][a-zA-Z0-9-]*(\s[^<>]*)?/?>`)}
}

// Markdown converts the HTML fragment src into Markdown, resolving relative
// URLs against base (an absolute http or https URL, normally the item's
// link; "" drops relative links and images).
func (c *Converter) Markdown(src, base string) (string, error) {
	md, _, err := c.convert(src, base, false)
	return md, err
}

// Excerpt is like Markdown but keeps only the first paragraph that has text
// (the whole fragment when it has no paragraph): an excerpt of a feed that
// gives full articles and no summary.
func (c *Converter) Excerpt(src, base string) (string, error) {
	md, _, err := c.convert(src, base, true)
	return md, err
}

// convert is Markdown or Excerpt, and also returns the first image of src.
func (c *Converter) convert(src, base string, excerpt bool) (string, *image, error) {
	if strings.TrimSpace(src) == "" {
		return "", nil, nil
	}
	doc, first, err := c.prepare(src, base)
	if err != nil {
		return "", nil, err
	}
	n := doc
	if p := firstParagraph(doc); excerpt && p != nil {
		n = p
	}
	md, err := c.render(n)
	return md, first, err
}

// Text is the plain text of a title, category or summary on one line: its
// tags removed when it holds any (an Atom type="html" title, a description),
// its entities decoded and its runs of white space made one space. A "<"
// that starts no tag ("x<y") is kept as text.
func (c *Converter) Text(src string) string {
	switch {
	case c.tag.MatchString(src):
		src = html.UnescapeString(c.strict.Sanitize(src))
	case strings.Contains(src, "&"):
		src = html.UnescapeString(src)
	}
	return strings.Join(strings.Fields(src), " ")
}

// image is an <img> found in content.
type image struct{ url, alt string }

// prepare sanitises src, parses it and tidies the tree; it returns the tree
// and its first image.
func (c *Converter) prepare(src, baseURL string) (*html.Node, *image, error) {
	clean := c.ugc.Sanitize(src)
	doc, err := html.Parse(strings.NewReader(clean))
	if err != nil {
		return nil, nil, fmt.Errorf("feeds: parse content: %w", err)
	}
	t := tidier{base: absoluteBase(baseURL)}
	t.walk(doc)
	return doc, t.first, nil
}

func (c *Converter) render(n *html.Node) (string, error) {
	out, err := c.md.ConvertNode(n)
	if err != nil {
		return "", fmt.Errorf("feeds: convert content to Markdown: %w", err)
	}
	return strings.ToValidUTF8(strings.TrimSpace(string(out)), "\uFFFD"), nil
}

// tidier makes a sanitised tree fit for an email: see Converter.
type tidier struct {
	base  *url.URL
	first *image
}

// walk tidies the tree below n, children before their parent, so that what
// an unwrapped link held is already tidy when it moves up.
func (t *tidier) walk(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		t.walk(c)
		if c.Type == html.ElementNode {
			switch c.DataAtom {
			case atom.A:
				t.link(c)
			case atom.Img:
				t.image(c)
			case atom.Iframe:
				t.frame(c)
			}
		}
		c = next
	}
}

// link makes an <a> absolute, or unwraps it (its children stay) when it has
// nowhere to go outside the page.
func (t *tidier) link(n *html.Node) {
	href, ok := t.resolve(attr(n, "href"), true)
	if !ok {
		unwrap(n)
		return
	}
	n.Attr = []html.Attribute{{Key: "href", Val: href}}
}

// image makes an <img> absolute, taking a lazy-loading image's real address,
// or removes it.
func (t *tidier) image(n *html.Node) {
	src := attr(n, "src")
	for _, lazy := range []string{"data-src", "data-lazy-src", "data-original"} {
		if src != "" {
			break
		}
		src = attr(n, lazy)
	}
	abs, ok := t.resolve(src, false)
	if !ok {
		n.Parent.RemoveChild(n)
		return
	}
	alt := attr(n, "alt")
	n.Attr = []html.Attribute{{Key: "src", Val: abs}, {Key: "alt", Val: alt}}
	if title := attr(n, "title"); title != "" {
		n.Attr = append(n.Attr, html.Attribute{Key: "title", Val: title})
	}
	if t.first == nil {
		t.first = &image{url: abs, alt: alt}
	}
}

// frame replaces an <iframe> by a paragraph with a link to its address.
func (t *tidier) frame(n *html.Node) {
	src, ok := t.resolve(attr(n, "src"), false)
	if !ok {
		n.Parent.RemoveChild(n)
		return
	}
	label := src
	if u, err := url.Parse(src); err == nil {
		label = "Embedded content from " + strings.TrimPrefix(u.Hostname(), "www.")
	}
	a := &html.Node{Type: html.ElementNode, Data: "a", DataAtom: atom.A,
		Attr: []html.Attribute{{Key: "href", Val: src}}}
	a.AppendChild(&html.Node{Type: html.TextNode, Data: label})
	p := &html.Node{Type: html.ElementNode, Data: "p", DataAtom: atom.P}
	p.AppendChild(a)
	n.Parent.InsertBefore(p, n)
	n.Parent.RemoveChild(n)
}

// resolve makes raw absolute against the base and accepts http and https
// (and mailto when mailto) URLs with a host; a bare #fragment has no target
// outside the page.
func (t *tidier) resolve(raw string, mailto bool) (string, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" || strings.HasPrefix(raw, "#") {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", false
	}
	if !u.IsAbs() {
		if t.base == nil {
			return "", false
		}
		u = t.base.ResolveReference(u)
	}
	switch {
	case (u.Scheme == "http" || u.Scheme == "https") && u.Host != "":
		return u.String(), true
	case mailto && u.Scheme == "mailto" && u.Opaque != "":
		return u.String(), true
	}
	return "", false
}

// absoluteBase parses s as the base of relative URLs, nil unless it is an
// absolute http or https URL.
func absoluteBase(s string) *url.URL {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil
	}
	return u
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// unwrap replaces n by its children.
func unwrap(n *html.Node) {
	for c := n.FirstChild; c != nil; c = n.FirstChild {
		n.RemoveChild(c)
		n.Parent.InsertBefore(c, n)
	}
	n.Parent.RemoveChild(n)
}

// firstParagraph is the first <p> holding text, or nil.
func firstParagraph(n *html.Node) *html.Node {
	if n.Type == html.ElementNode && n.DataAtom == atom.P && strings.TrimSpace(textOf(n)) != "" {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if p := firstParagraph(c); p != nil {
			return p
		}
	}
	return nil
}

func textOf(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(textOf(c))
	}
	return b.String()
}
