package templates

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// articleMarkdown is a body of about 1.5 KB of Markdown with the usual parts.
func articleMarkdown(i int) string {
	return fmt.Sprintf(`The city council voted %d to 3 on Wednesday night to approve the new
harbour plan, ending a debate that had run since the spring. Supporters said
the plan would bring "hundreds of jobs" -- opponents called it a gamble.

## What changes

- The old ferry terminal is torn down in the autumn, and the site is turned
  into a public park with a promenade along the water.
- Two new piers are built for the fishing fleet.
- Parking on Harbour Street is free on Sundays.

> We listened to everyone, and this is the plan the city asked for,
> said the mayor after the vote.

The full text of the plan is on [the council's website](https://council.example/plans/harbour-%d),
and a public meeting is held at the library on Monday at 7 p.m. Residents
who cannot attend may write to the planning office at AT&amp;T Tower, room %d.

Construction is expected to take *two years*; the council will publish
progress reports every quarter, and the first one is due in October.
`, i+4, i, 100+i)
}

// testIssue is an issue of n articles whose bodies went through m.
func testIssue(tb testing.TB, m *Markdowner, n int) *Issue {
	tb.Helper()
	iss := sampleIssue()
	iss.Articles = nil
	for i := range n {
		h, txt, err := m.Markdown(articleMarkdown(i))
		if err != nil {
			tb.Fatal(err)
		}
		iss.Articles = append(iss.Articles, Article{
			Anchor:  fmt.Sprintf("article-%d", i+1),
			Section: []string{"City", "Sports", "Opinion", ""}[i%4],
			Title:   fmt.Sprintf("Council approves harbour plan, part %d, after a long and heated night of debate", i+1),
			Deck:    "The vote ends a debate that ran since the spring",
			Author:  []string{"Lois Lane", "Clark Kent", ""}[i%3],
			HTML:    h,
			Text:    txt,
		})
	}
	return iss
}

var (
	reTag    = regexp.MustCompile(`</?[a-zA-Z][a-zA-Z0-9]*[\s/>]`)
	reEntity = regexp.MustCompile(`&(#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);`)
)

// checkText fails on HTML tags or entities and on lines over Width columns.
func checkText(t *testing.T, s string) {
	t.Helper()
	if m := reTag.FindString(s); m != "" {
		t.Errorf("text has an HTML tag %q", m)
	}
	if m := reEntity.FindString(s); m != "" {
		t.Errorf("text has an HTML entity %q", m)
	}
	for i, l := range strings.Split(s, "\n") {
		if n := utf8.RuneCountInString(l); n > Width {
			t.Errorf("text line %d has %d columns: %q", i+1, n, l)
		}
	}
}

var voidElements = map[string]bool{"area": true, "base": true, "br": true, "col": true,
	"embed": true, "hr": true, "img": true, "input": true, "link": true, "meta": true,
	"source": true, "track": true, "wbr": true}

// checkHTML tokenizes s and fails on a tokenizer error, an end tag that does
// not close the innermost open element, or elements left open; it returns
// the parsed document.
func checkHTML(t *testing.T, s string) *html.Node {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(s))
	var open []string
	for done := false; !done; {
		switch z.Next() {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				t.Fatalf("tokenizer: %v", z.Err())
			}
			done = true
		case html.StartTagToken:
			name, _ := z.TagName()
			if !voidElements[string(name)] {
				open = append(open, string(name))
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if len(open) == 0 || open[len(open)-1] != string(name) {
				t.Fatalf("end tag </%s> does not close the open element (open: %v)", name, open)
			}
			open = open[:len(open)-1]
		}
	}
	if len(open) > 0 {
		t.Fatalf("elements left open: %v", open)
	}
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return doc
}

// elements lists the element nodes under n in document order.
func elements(n *html.Node) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode {
			out = append(out, d)
		}
	}
	return out
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}
