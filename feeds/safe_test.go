package feeds

import (
	"fmt"
	"io"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"golang.org/x/net/html"
)

// unsafeHTML reads rendered HTML the way a browser would and reports the
// first thing in it that could run or restyle: an active element, an event
// handler or style attribute, or a URL attribute that is not http, https or
// mailto. Text may say anything.
func unsafeHTML(s string) error {
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			if z.Err() == io.EOF {
				return nil
			}
			return z.Err()
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			switch tok.Data {
			case "script", "style", "iframe", "frame", "frameset", "object", "embed", "form", "input",
				"button", "textarea", "select", "svg", "math", "meta", "link", "base", "applet":
				return fmt.Errorf("element <%s>", tok.Data)
			}
			for _, a := range tok.Attr {
				key := strings.ToLower(a.Key)
				switch {
				case strings.HasPrefix(key, "on"), key == "style", key == "formaction", key == "srcset":
					return fmt.Errorf("attribute %s=%q on <%s>", a.Key, a.Val, tok.Data)
				case key == "href" || key == "src" || key == "action" || key == "cite" || key == "poster":
					v := strings.ToLower(strings.TrimSpace(a.Val))
					if i := strings.IndexByte(v, ':'); i >= 0 && !strings.ContainsAny(v[:i], "/?#") {
						if scheme := v[:i]; scheme != "http" && scheme != "https" && scheme != "mailto" {
							return fmt.Errorf("%s=%q on <%s>", a.Key, a.Val, tok.Data)
						}
					}
				}
			}
		}
	}
}

// rawRender renders Markdown as templates.Markdowner does but without its
// sanitiser: what a reader would get if the body were trusted as it is.
func rawRender(md string) (string, error) {
	var b strings.Builder
	g := goldmark.New(
		goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify),
		goldmark.WithRendererOptions(gmhtml.WithUnsafe()),
	)
	err := g.Convert([]byte(md), &b)
	return b.String(), err
}
