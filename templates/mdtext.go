package templates

import (
	"fmt"
	"html"
	neturl "net/url"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/util"
	xhtml "golang.org/x/net/html"
)

// markdownText writes a parsed Markdown document as plain text: what a
// careful person would type in a text email, not a dump of the HTML.
func markdownText(doc ast.Node, source []byte, width int) string {
	w := &textWriter{src: source}
	return strings.Join(w.blocks(doc, width), "\n")
}

type textWriter struct {
	src  []byte
	skip bool // inside inline <script> or <style>: drop the text
}

// blocks renders the block children of parent, separated by blank lines
// (none inside the items of a tight list).
func (w *textWriter) blocks(parent ast.Node, width int) []string {
	tight := false
	if l, ok := parent.Parent().(*ast.List); ok && parent.Kind() == ast.KindListItem {
		tight = l.IsTight
	}
	var out []string
	for c := parent.FirstChild(); c != nil; c = c.NextSibling() {
		lines := w.block(c, width)
		if len(lines) == 0 {
			continue
		}
		if len(out) > 0 && !tight {
			out = append(out, "")
		}
		out = append(out, lines...)
	}
	return out
}

func (w *textWriter) block(n ast.Node, width int) []string {
	width = max(width, 20) // deep nesting still gets readable lines
	switch n := n.(type) {
	case *ast.Paragraph, *ast.TextBlock:
		return wrapBreaks(w.inline(n), width)
	case *ast.Heading:
		lines := wrapBreaks(w.inline(n), width)
		long := 0
		for _, l := range lines {
			long = max(long, utf8.RuneCountInString(l))
		}
		// A subhead is lighter than the headlines and rules (full
		// lines of "=" and "-"): a short underline of its own length for
		// the body's top level, nothing for the levels under it.
		if n.Level > 3 {
			return lines
		}
		return append(lines, strings.Repeat("-", long))
	case *ast.ThematicBreak:
		return []string{"* * *"}
	case *ast.CodeBlock, *ast.FencedCodeBlock:
		return w.code(n)
	case *ast.HTMLBlock:
		return wrapBreaks(htmlText(w.raw(n)), width)
	case *ast.Blockquote:
		return prefixLines(w.blocks(n, width-2), "> ", "> ")
	case *ast.List:
		return w.list(n, width)
	case *east.Table:
		return w.table(n, width)
	default:
		return w.blocks(n, width)
	}
}

// code keeps a code block verbatim, indented by four spaces.
func (w *textWriter) code(n ast.Node) []string {
	var out []string
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		l := strings.TrimRight(string(seg.Value(w.src)), "\r\n")
		if l == "" {
			out = append(out, "")
		} else {
			out = append(out, "    "+l)
		}
	}
	return out
}

func (w *textWriter) raw(n ast.Node) string {
	var b strings.Builder
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		b.Write(seg.Value(w.src))
	}
	return b.String()
}

// list writes "- " or "1. " markers with a hanging indent.
func (w *textWriter) list(l *ast.List, width int) []string {
	count := l.ChildCount()
	markerWidth := 2
	if l.IsOrdered() {
		markerWidth = len(fmt.Sprint(l.Start+count-1)) + 2
	}
	var out []string
	i := 0
	for item := l.FirstChild(); item != nil; item = item.NextSibling() {
		marker := "- "
		if l.IsOrdered() {
			marker = fmt.Sprintf("%d. ", l.Start+i)
		}
		marker += strings.Repeat(" ", markerWidth-len(marker))
		lines := w.blocks(item, width-markerWidth)
		if len(lines) == 0 {
			lines = []string{""}
		}
		if i > 0 && !l.IsTight {
			out = append(out, "")
		}
		out = append(out, prefixLines(lines, marker, strings.Repeat(" ", markerWidth))...)
		i++
	}
	return out
}

// prefixLines puts first before the first line and rest before the others;
// blank lines get the prefix without trailing spaces.
func prefixLines(lines []string, first, rest string) []string {
	for i, l := range lines {
		p := rest
		if i == 0 {
			p = first
		}
		if l == "" {
			lines[i] = strings.TrimRight(p, " ")
		} else {
			lines[i] = p + l
		}
	}
	return lines
}

// inline writes the inline content of n as one string; hard line breaks are
// "\n", soft ones spaces; entities are decoded and raw HTML tags dropped.
func (w *textWriter) inline(n ast.Node) string {
	var b strings.Builder
	w.inlineTo(&b, n)
	return b.String()
}

func (w *textWriter) inlineTo(b *strings.Builder, parent ast.Node) {
	for c := parent.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			if w.skip {
				continue
			}
			v := c.Value(w.src)
			if _, code := parent.(*ast.CodeSpan); code || c.IsRaw() {
				b.Write(v)
			} else {
				b.WriteString(html.UnescapeString(string(util.UnescapePunctuations(v))))
			}
			if c.HardLineBreak() {
				b.WriteByte('\n')
			} else if c.SoftLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			if c.IsCode() {
				b.WriteString(html.UnescapeString(string(c.Value)))
			} else {
				b.Write(c.Value)
			}
		case *ast.RawHTML:
			// Tags only: the text between them comes as Text nodes, which
			// are dropped inside scripts and styles.
			var tag strings.Builder
			for i := 0; i < c.Segments.Len(); i++ {
				seg := c.Segments.At(i)
				tag.Write(seg.Value(w.src))
			}
			switch t := strings.ToLower(tag.String()); {
			case strings.HasPrefix(t, "<script"), strings.HasPrefix(t, "<style"):
				w.skip = !strings.HasSuffix(t, "/>")
			case strings.HasPrefix(t, "</script"), strings.HasPrefix(t, "</style"):
				w.skip = false
			}
		case *ast.Image:
			if alt := strings.TrimSpace(w.inline(c)); alt != "" {
				b.WriteString("[image: " + alt + "]")
			} else {
				b.WriteString("[image]")
			}
		case *ast.AutoLink:
			if c.AutoLinkType == ast.AutoLinkEmail {
				b.Write(c.Label(w.src))
			} else {
				// In angle brackets (RFC 3986 appendix C), so that the
				// punctuation after a bare URL is not read as part of it.
				b.WriteString("<" + string(c.URL(w.src)) + ">")
			}
		case *ast.Link:
			text := strings.TrimSpace(w.inline(c))
			url := string(c.Destination)
			switch {
			case !linkKept(url):
				b.WriteString(text) // the HTML's sanitiser drops such a link; so does the text
			case text == "" || text == url:
				b.WriteString("<" + url + ">")
			case text == strings.TrimPrefix(url, "mailto:"):
				b.WriteString(text)
			default:
				b.WriteString(text + " <" + url + ">")
			}
		default:
			w.inlineTo(b, c)
		}
	}
}

// htmlText is the text of an HTML fragment, without scripts and styles.
func htmlText(fragment string) string {
	var b strings.Builder
	z := xhtml.NewTokenizer(strings.NewReader(fragment))
	skip := 0
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return b.String()
		case xhtml.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case xhtml.StartTagToken:
			if name, _ := z.TagName(); isRawTextTag(name) {
				skip++
			}
		case xhtml.EndTagToken:
			if name, _ := z.TagName(); isRawTextTag(name) && skip > 0 {
				skip--
			}
		}
	}
}

func isRawTextTag(name []byte) bool {
	s := string(name)
	return s == "script" || s == "style" || s == "template" || s == "textarea"
}

// linkKept says whether the HTML part keeps a link to url: bluemonday's UGC
// policy allows http, https and mailto URLs and relative ones, and drops
// the href of any other (javascript:, data:, vbscript: ...).
func linkKept(url string) bool {
	u, err := neturl.Parse(strings.TrimSpace(url))
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "", "http", "https", "mailto":
		return true
	}
	return false
}
