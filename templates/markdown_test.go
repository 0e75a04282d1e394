package templates

import (
	"strings"
	"testing"
)

func TestMarkdownText(t *testing.T) {
	m := NewMarkdown()
	long := strings.Repeat("word ", 40)
	tests := []struct {
		name, src, want string
	}{
		{"paragraph", "Hello,\nworld.", "Hello, world."},
		{"wrap", long, strings.TrimSpace(strings.Repeat("word ", 15)) + "\n" +
			strings.TrimSpace(strings.Repeat("word ", 15)) + "\n" + strings.TrimSpace(strings.Repeat("word ", 10))},
		{"paragraphs", "One.\n\nTwo.", "One.\n\nTwo."},
		{"heading", "# Title\n\nText.", "Title\n-----\n\nText."},
		{"small heading", "# Big\n\n### Small", "Big\n---\n\nSmall"},
		{"list", "- a\n- b", "- a\n- b"},
		{"ordered", "1. a\n2. b", "1. a\n2. b"},
		{"ordered from 9", "9. a\n10. b", "9.  a\n10. b"},
		{"hanging indent", "- " + long, "- " + strings.TrimSpace(strings.Repeat("word ", 15)) + "\n  " +
			strings.TrimSpace(strings.Repeat("word ", 15)) + "\n  " + strings.TrimSpace(strings.Repeat("word ", 10))},
		{"nested", "- a\n  - b", "- a\n  - b"},
		{"loose list", "- a\n\n- b", "- a\n\n- b"},
		{"quote", "> a\n>\n> b", "> a\n>\n> b"},
		{"code", "```\nif a  <  b {\n\tx()\n}\n```", "    if a  <  b {\n    \tx()\n    }"},
		{"indented code", "    x := 1", "    x := 1"},
		{"link", "[the site](https://a.example/x)", "the site <https://a.example/x>"},
		{"link same", "[https://a.example](https://a.example)", "<https://a.example>"},
		{"autolink", "<https://a.example/y>", "<https://a.example/y>"},
		{"bare link", "see https://a.example/z now", "see <https://a.example/z> now"},
		{"bare link, then punctuation", "Sign up at https://x.example/register. Or (https://x.example/a), \"https://x.example/b\"; done.",
			"Sign up at <https://x.example/register>. Or (<https://x.example/a>),\n“<https://x.example/b>”; done."},
		{"link the HTML drops", "[click](javascript:alert(1)) and [that](data:text/html,x)", "click and that"},
		{"email", "<ed@a.example>", "ed@a.example"},
		{"image", "![A cat](cat.png)", "[image: A cat]"},
		{"image no alt", "![](cat.png)", "[image]"},
		{"emphasis", "*a* **b** ~~c~~ `d`", "a b c d"},
		{"inline html", "Hi <b>there</b>!", "Hi there!"},
		{"inline script", "Hi <script>alert(1)</script>you", "Hi you"},
		{"html block", "<div class=\"x\">\n<p>Boxed</p>\n</div>", "Boxed"},
		{"script block", "<script>\nalert(1)\n</script>", ""},
		{"entities", "AT&amp;T &copy; 2009 &#8212; &lt;", "AT&T © 2009 — <"},
		{"typographer", `"quoted" -- it's`, "“quoted” – it’s"},
		{"escapes", `\*not em\* a\_b`, "*not em* a_b"},
		{"hard break", "a  \nb", "a\nb"},
		{"rule", "a\n\n---\n\nb", "a\n\n* * *\n\nb"},
		{"table", "| a | bb |\n|---|---|\n| 1 | 2 |", "a | bb\n--+---\n1 | 2"},
		{"long word", strings.Repeat("x", 100), strings.Repeat("x", 78) + "\n" + strings.Repeat("x", 22)},
		{"long url", "https://a.example/" + strings.Repeat("p", 80), "<https://a.example/" + strings.Repeat("p", 80) + ">"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got, err := m.Markdown(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Markdown(%q) text:\n%s\nwant:\n%s", tt.src, got, tt.want)
			}
		})
	}
}

func TestMarkdownTextWide(t *testing.T) {
	m := NewMarkdown()
	src := "> - " + strings.Repeat("quoted list item words ", 20) + "\n\n" + strings.Repeat("para ", 50)
	_, got, err := m.Markdown(src)
	if err != nil {
		t.Fatal(err)
	}
	checkText(t, got)
	if !strings.HasPrefix(got, "> - quoted") || !strings.Contains(got, "\n>   quoted") {
		t.Errorf("quote with list:\n%s", got)
	}
}

func TestMarkdownSanitise(t *testing.T) {
	m := NewMarkdown()
	tests := []struct {
		name, src string
		want      []string // in the HTML
		not       []string // not in the HTML
	}{
		{"script", "Hi\n\n<script>alert(1)</script>", []string{"<p>Hi</p>"}, []string{"<script", "alert"}},
		{"inline script", "Hi <script>alert(1)</script>", []string{"Hi"}, []string{"<script"}},
		{"onclick", `<b onclick="x()">bold</b>`, []string{"<b>bold</b>"}, []string{"onclick"}},
		{"javascript link", `[x](javascript:alert(1))`, []string{"x"}, []string{"javascript:"}},
		{"iframe", `<iframe src="https://evil.example"></iframe>`, nil, []string{"<iframe"}},
		{"style", `<p style="color:red">red</p>`, []string{"red"}, []string{"style="}},
		{"markdown", "# T\n\n*e* [l](https://a.example)", []string{"<h3>T</h3>", "<em>e</em>", `href="https://a.example"`}, nil},
		{"subheading is h3", "Text\n\n## Sub\n\n### Subsub", []string{"<h3>Sub</h3>", "<h4>Subsub</h4>"}, nil},
		{"table", "| a |\n|---|\n| 1 |", []string{"<table>", "<td>1</td>"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _, err := m.Markdown(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(h), w) {
					t.Errorf("HTML %q lacks %q", h, w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(string(h), n) {
					t.Errorf("HTML %q has %q", h, n)
				}
			}
		})
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		s     string
		width int
		want  []string
	}{
		{"", 10, nil},
		{"a b c", 3, []string{"a b", "c"}},
		{"  a   b  ", 10, []string{"a b"}},
		{"abcdefghij k", 4, []string{"abcd", "efgh", "ij k"}},
		{"x https://a.example/long y", 8, []string{"x", "https://a.example/long", "y"}},
		{"héllo wörld", 5, []string{"héllo", "wörld"}},
	}
	for _, tt := range tests {
		got := wrap(tt.s, tt.width)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("wrap(%q, %d) = %q, want %q", tt.s, tt.width, got, tt.want)
		}
	}
}

// Images of a body: a library picture gets its public URL, width and
// height; an external one the column's width (Outlook needs it told); a
// relative one that is no library picture is left as written.
func TestMarkdownImagesAreSized(t *testing.T) {
	lib := "/media/" + strings.Repeat("ab", 32) + "-1200.jpg"
	images := func(src string) (string, int, int, bool) {
		if src == lib {
			return "https://news.example" + lib, 600, 400, true
		}
		return "", 0, 0, false
	}
	html, text, err := NewMarkdown().MarkdownImages("![The harbour]("+lib+")\n\n![Chart](https://other.example/c.png)\n\n![Cat](cat.png)", images)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<img src="https://news.example` + lib + `" alt="The harbour" width="600" height="400">`,
		`<img src="https://other.example/c.png" alt="Chart" width="584">`,
		`<img src="cat.png" alt="Cat">`,
	} {
		if !strings.Contains(string(html), want) {
			t.Errorf("HTML lacks %s:\n%s", want, html)
		}
	}
	if !strings.Contains(text, "[image: The harbour]") {
		t.Errorf("text: %s", text)
	}
}
