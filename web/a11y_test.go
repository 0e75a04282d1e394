package web

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// accessible checks what can be checked of a page's accessibility without a
// screen reader: a language, one h1 and headings that do not skip a level,
// a label for every visible form field, and no external resources.
func accessible(t testing.TB, page string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatalf("parse page: %v", err)
	}
	labels := map[string]bool{}
	var inputs []*html.Node
	var headings []int
	lang := false
	var walk func(n *html.Node, inLabel bool)
	walk = func(n *html.Node, inLabel bool) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "html":
				lang = attr(n, "lang") != ""
			case "label":
				if f := attr(n, "for"); f != "" {
					labels[f] = true
				}
				inLabel = true
			case "input", "select", "textarea":
				if attr(n, "type") != "hidden" && !inLabel {
					inputs = append(inputs, n)
				}
			case "h1", "h2", "h3", "h4", "h5", "h6":
				headings = append(headings, int(n.Data[1]-'0'))
			case "script", "link", "img", "iframe":
				for _, a := range []string{"src", "href"} {
					if v := attr(n, a); strings.HasPrefix(v, "http") || strings.HasPrefix(v, "//") {
						if n.Data != "link" || attr(n, "rel") != "alternate" {
							t.Errorf("<%s %s=%q>: an external resource", n.Data, a, v)
						}
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inLabel)
		}
	}
	walk(doc, false)
	if !lang {
		t.Error("<html> has no lang")
	}
	for _, in := range inputs {
		if id := attr(in, "id"); id == "" || !labels[id] {
			t.Errorf("<%s name=%q> has no label", in.Data, attr(in, "name"))
		}
	}
	if len(headings) == 0 || headings[0] != 1 {
		t.Errorf("headings %v: the first is not an h1", headings)
	}
	for i := 1; i < len(headings); i++ {
		if headings[i] > headings[i-1]+1 {
			t.Errorf("headings %v skip a level", headings)
		}
		if headings[i] == 1 {
			t.Errorf("headings %v: more than one h1", headings)
		}
	}
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}
