package feeds

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"masthead/templates"
)

// FuzzMarkdown: whatever HTML a feed carries, the conversion neither fails
// nor panics, gives valid UTF-8 with no unsafe raw HTML, and renders through
// the Markdown renderer to safe HTML.
func FuzzMarkdown(f *testing.F) {
	for _, s := range []string{
		`<p>Hello <a href="/x">world</a></p>`,
		`<script>alert(1)</script><p onclick="x()">t</p>`,
		`<img src="data:x" data-src="/a.jpg" onerror="alert(1)"><iframe src="https://v.example/e"></iframe>`,
		`<ul><li>a<ol><li>b</ol></ul><blockquote><blockquote>q</blockquote></blockquote><h1>H</h1>`,
		`<a href="javascript:alert(1)"><img src="/i.png"></a><table><tr><td>1</td></tr></table>`,
		`<p>[x](javascript:alert(1)) <b>*not*</b> \` + "`code`" + `</p><pre><code>&lt;script&gt;</code></pre>`,
		"<p>\x00\xff broken <b><i>nesting</b></i>",
		`<svg><a xlink:href="javascript:alert(1)">x</a></svg><math><mi>x</mi></math>`,
	} {
		f.Add(s, "https://planet.example/2009/07/09/story/")
	}
	c := NewConverter()
	md := templates.NewMarkdown()
	f.Fuzz(func(t *testing.T, src, base string) {
		for _, excerpt := range []bool{false, true} {
			out, _, err := c.convert(src, base, excerpt)
			if err != nil {
				t.Fatalf("convert(%q): %v", src, err)
			}
			if !utf8.ValidString(out) {
				t.Fatalf("convert(%q) = %q: not UTF-8", src, out)
			}
			if raw, err := rawRender(out); err != nil || unsafeHTML(raw) != nil {
				t.Fatalf("convert(%q) = %q renders, unsanitised, to %q: %v %v", src, out, raw, err, unsafeHTML(raw))
			}
			h, _, err := md.Markdown(out)
			if err != nil {
				t.Fatalf("render %q: %v", out, err)
			}
			if err := unsafeHTML(string(h)); err != nil {
				t.Fatalf("convert(%q) renders to %q, which holds %v", src, h, err)
			}
		}
	})
}

// FuzzParse: whatever bytes a server sends, parsing neither panics nor
// gives an item without a key or title, or with a link or image that is not
// absolute http(s).
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1","items":[{"id":1,"title":"x"}]}`))
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom" xml:base="javascript:x/"><entry><id>a</id><title>t</title><link href="b"/></entry></feed>`))
	p := NewParser()
	f.Fuzz(func(t *testing.T, body []byte) {
		feed, err := p.Parse(body, "https://planet.example/feed/", Full)
		if err != nil {
			return
		}
		for _, it := range feed.Items {
			if it.Key == "" || it.Title == "" || len(it.Hash) != 64 {
				t.Fatalf("item %+v", it)
			}
			for _, u := range []string{it.Link, it.Image.URL} {
				if u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
					t.Fatalf("item %q has address %q", it.Key, u)
				}
			}
			if !utf8.ValidString(it.Body) {
				t.Fatalf("item %q body not UTF-8", it.Key)
			}
		}
	})
}
