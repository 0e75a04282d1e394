package templates

import (
	"bytes"
	"fmt"
	"html/template"
	"regexp"
	"strconv"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	gmtext "github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Markdowner turns an article's Markdown body into sanitised HTML and plain
// text. It holds the configured goldmark parser and bluemonday policy, which
// are costly to build: create one with NewMarkdown at start (a Theme holds
// one) and share it; it is safe for concurrent use.
type Markdowner struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// bareURL is what goldmark's Linkify takes for a URL in running text: its
// own pattern, less the quotes and angle brackets, which end a URL in
// prose ("see https://x.example/b"; then ...) rather than belong to it.
var bareURL = regexp.MustCompile(`^(?:http|https|ftp)://[-a-zA-Z0-9@:%._\+~#=]{1,256}\.[a-z]+(?::\d+)?(?:[/#?][-a-zA-Z0-9@:%_+.~#$!?&/=\(\);,\^{}\[\]` + "`" + `]*)?`)

// NewMarkdown returns a Markdowner for GitHub-flavoured Markdown (tables,
// strikethrough, bare links) with typographic quotes and dashes.
func NewMarkdown() *Markdowner { return NewMarkdownQuotes(true) }

// NewMarkdownQuotes is NewMarkdown with typographic quotes, dashes and
// ellipses (goldmark's Typographer) on or off: off keeps a body's straight
// quotes as typed.
func NewMarkdownQuotes(typographic bool) *Markdowner {
	exts := []goldmark.Extender{extension.Table, extension.Strikethrough,
		extension.NewLinkify(extension.WithLinkifyURLRegexp(bareURL))}
	if typographic {
		exts = append(exts, extension.Typographer)
	}
	md := goldmark.New(
		goldmark.WithExtensions(exts...),
		goldmark.WithParserOptions(parser.WithASTTransformers(
			util.Prioritized(headingShift{}, 100))),
		// Raw HTML is let through here and sanitised by the policy after.
		goldmark.WithRendererOptions(gmhtml.WithUnsafe()),
	)
	return &Markdowner{md: md, policy: bluemonday.UGCPolicy()}
}

// Markdown renders src as sanitised HTML (raw HTML in src is kept, minus what
// bluemonday's UGC policy removes: scripts, event handlers, styles ...) and
// as plain text written from the same syntax tree, wrapped at Width columns.
//
// Headings in a body are shifted so that its top level is <h3>, since an
// issue's <h1> is the publication and its <h2>s are the headlines.
func (m *Markdowner) Markdown(src string) (html template.HTML, text string, err error) {
	return m.MarkdownImages(src, nil)
}

// Images says what an image of a body is: for the address of a picture of
// masthead's library, its public URL and the width and height to draw it
// at; ok false for any other address.
type Images func(src string) (url string, width, height int, ok bool)

// MarkdownImages is Markdown with the body's images sized for the email
// column: a picture of the library (images says which) gets its public URL
// and its width and height; an external image (http or https) is drawn no
// wider than the column, ColumnWidth, which Outlook needs told. A nil
// images knows no library picture.
func (m *Markdowner) MarkdownImages(src string, images Images) (html template.HTML, text string, err error) {
	source := []byte(src)
	doc := m.md.Parser().Parse(gmtext.NewReader(source))
	sizeImages(doc, images)
	var buf bytes.Buffer
	if err := m.md.Renderer().Render(&buf, source, doc); err != nil {
		return "", "", fmt.Errorf("templates: render markdown: %w", err)
	}
	clean := m.policy.SanitizeBytes(buf.Bytes())
	return template.HTML(clean), markdownText(doc, source, Width), nil
}

// headingShift moves headings down so that the body's top level is <h3>
// ("## What changes" in a body that has no "#" heading is an <h3> too).
type headingShift struct{}

func (headingShift) Transform(doc *ast.Document, _ gmtext.Reader, _ parser.Context) {
	var headings []*ast.Heading
	top := 6
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			headings = append(headings, h)
			top = min(top, h.Level)
		}
		return ast.WalkContinue, nil
	})
	for _, h := range headings {
		h.Level = min(h.Level+3-top, 6)
	}
}

// sizeImages gives each image of doc its width and height: a library
// picture's own (and its public URL), an external one the column's width.
func sizeImages(doc ast.Node, images Images) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		img, ok := n.(*ast.Image)
		if !ok || !entering {
			return ast.WalkContinue, nil
		}
		dest := string(img.Destination)
		if images != nil {
			if url, w, h, ok := images(dest); ok {
				img.Destination = []byte(url)
				img.SetAttributeString("width", []byte(strconv.Itoa(w)))
				img.SetAttributeString("height", []byte(strconv.Itoa(h)))
				return ast.WalkContinue, nil
			}
		}
		if lower := strings.ToLower(dest); strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "http://") {
			img.SetAttributeString("width", []byte(strconv.Itoa(ColumnWidth)))
		}
		return ast.WalkContinue, nil
	})
}
