package templates

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func renderTestIssue(t *testing.T, n int) (th *Theme, iss *Issue, htm, text string) {
	t.Helper()
	th, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	iss = testIssue(t, th.md, n)
	htm, text, err = th.RenderEmail(iss)
	if err != nil {
		t.Fatal(err)
	}
	return th, iss, htm, text
}

func TestRenderEmailHTML(t *testing.T) {
	_, iss, htm, _ := renderTestIssue(t, 20)
	doc := checkHTML(t, htm)

	ids := map[string]bool{}
	var tocLinks []string
	styled, classed := 0, 0
	for _, el := range elements(doc) {
		if id, ok := attr(el, "id"); ok {
			if ids[id] {
				t.Errorf("duplicate id %q", id)
			}
			ids[id] = true
		}
		if href, ok := attr(el, "href"); ok && strings.HasPrefix(href, "#article-") {
			tocLinks = append(tocLinks, href)
		}
		if src, ok := attr(el, "src"); ok {
			t.Errorf("external asset %s", src)
		}
		// Every element the style sheet targets by class got its style inline.
		if _, ok := attr(el, "class"); ok {
			classed++
			if _, ok := attr(el, "style"); ok {
				styled++
			} else {
				t.Errorf("<%s class=...> has no inlined style", el.Data)
			}
		}
		if el.Data == "a" {
			if s, _ := attr(el, "style"); !strings.Contains(s, "color:") {
				t.Errorf("<a> without an inlined colour: %q", s)
			}
		}
	}
	if classed < 100 || styled != classed {
		t.Errorf("%d of %d classed elements styled", styled, classed)
	}
	if !ids["top"] {
		t.Error("no top anchor")
	}
	for i, a := range iss.Articles {
		if !ids[a.Anchor] {
			t.Errorf("no anchor %q", a.Anchor)
		}
		if i >= len(tocLinks) || tocLinks[i] != "#"+a.Anchor {
			t.Errorf("TOC link %d is not #%s", i, a.Anchor)
		}
	}
	wants := []string{
		`<html lang="en" dir="ltr">`,
		`<meta name="color-scheme" content="light dark"/>`,
		"@media only screen and (max-width: 660px)",
		"@media (prefers-color-scheme: dark)",
		"max-width:640px",
		"The Daily Planet",
		"All the news that fits, every morning",
		"Volume 3, Number 153",
		"Thursday, July 9, 2009",
		"Good morning[[MH:greeting]].",
		`href="[[MH:unsubscribe]]"`,
		"[[MH:email]]",
		`<a href="https://planet.example/issues/2009-07-09" style="color:#8b1a1a">View in your browser</a>`,
		`>Return to Main Page</a>`,
		"Copyright 2007-2009 - The Daily Planet, Metropolis. All rights reserved.",
		"355 Main Street, Metropolis, NY 10001",
		`<div class="byline" `, ">By Lois Lane</div>",
		">Back to the top</a>",
		"<!--[if mso]>",
	}
	for _, a := range iss.Articles {
		wants = append(wants, ">"+a.Title+"</h2>", ">"+a.Deck+"</div>", `<a href="#`+a.Anchor+`" `)
	}
	for _, w := range wants {
		if !strings.Contains(htm, w) {
			t.Errorf("HTML lacks %q", w)
		}
	}
	if n := strings.Count(htm, ">Back to the top</a>"); n != 20 {
		t.Errorf("%d Back to the top links, want 20", n)
	}
	for _, bad := range []string{"ZgotmplZ", "<script", "http://", "@import", "url("} {
		if strings.Contains(htm, bad) {
			t.Errorf("HTML has %q", bad)
		}
	}
	if len(htm) < 30_000 || len(htm) > 100_000 {
		t.Errorf("HTML is %d bytes; want ~40 KB, under Gmail's 102 KB clipping", len(htm))
	}
}

func TestRenderEmailText(t *testing.T) {
	_, iss, _, text := renderTestIssue(t, 20)
	checkText(t, text)
	wants := []string{
		"THE DAILY PLANET",
		"All the news that fits, every morning",
		"Volume 3, Number 153",
		"Thursday, July 9, 2009",
		"Good morning[[MH:greeting]].",
		"IN THIS ISSUE",
		"\n 1. Council approves harbour plan, part 1, after a long and heated night of\n    debate\n",
		"\n20. Council approves harbour plan, part 20",
		"By Clark Kent",
		"the council’s website\n<https://council.example/plans/harbour-0>, and",
		"AT&T Tower",
		"- Two new piers are built for the fishing fleet.",
		"> We listened to everyone",
		"\nhttps://planet.example/issues/2009-07-09\n",
		"Copyright 2007-2009 - The Daily Planet, Metropolis. All rights reserved.",
		"355 Main Street, Metropolis, NY 10001",
		"\n[[MH:email]]\n",
		"\n[[MH:unsubscribe]]\n",
		"Return to Main Page:\nhttps://planet.example/\n",
	}
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q", w)
		}
	}
	for i := range iss.Articles {
		if !strings.Contains(text, fmt.Sprintf("\n%d. Council approves harbour plan, part %d,", i+1, i+1)) {
			t.Errorf("text lacks headline %d", i+1)
		}
	}
	if strings.Contains(text, "\n\n\n") {
		t.Error("text has runs of blank lines")
	}
}

func TestRenderEmailFill(t *testing.T) {
	_, _, htm, text := renderTestIssue(t, 3)
	hc, tc := Compile(htm, HTML), Compile(text, Text)
	unsub := "https://planet.example/u/tok?a=1&b=2"
	tests := []struct {
		name              string
		p                 Personal
		htmlWant, htmlNot []string
		textWant          []string
	}{
		{
			name:     "named",
			p:        Personal{Name: "Alice", Email: "alice@example.org", UnsubscribeURL: unsub},
			htmlWant: []string{"Good morning, Alice.", "at alice@example.org.", `href="https://planet.example/u/tok?a=1&amp;b=2"`},
			textWant: []string{"Good morning, Alice.", "\nalice@example.org\n", "\n" + unsub + "\n"},
		},
		{
			name:     "no name",
			p:        Personal{Email: "bob@example.org", UnsubscribeURL: unsub},
			htmlWant: []string{"Good morning.</div>"},
			textWant: []string{"Good morning.\n"},
		},
		{
			name:     "hostile",
			p:        Personal{Name: `<script>"&`, Email: `x"@example.org`, UnsubscribeURL: `javascript:alert(1)`},
			htmlWant: []string{"Good morning, &lt;script&gt;&#34;&amp;.", "x&#34;@example.org", `href="#"`},
			htmlNot:  []string{"<script", "javascript:"},
			textWant: []string{`Good morning, <script>"&.`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := string(hc.Fill(nil, &tt.p))
			checkHTML(t, h)
			for _, w := range tt.htmlWant {
				if !strings.Contains(h, w) {
					t.Errorf("HTML lacks %q", w)
				}
			}
			for _, n := range append(tt.htmlNot, "[[MH:") {
				if strings.Contains(h, n) {
					t.Errorf("HTML has %q", n)
				}
			}
			doc, _ := html.Parse(strings.NewReader(h))
			found := false
			for _, el := range elements(doc) {
				if href, _ := attr(el, "href"); el.Data == "a" && (href == tt.p.UnsubscribeURL || href == "#") && html.UnescapeString(el.FirstChild.Data) == "Unsubscribe" {
					found = true
				}
			}
			if !found {
				t.Errorf("no visible Unsubscribe link to %q", tt.p.UnsubscribeURL)
			}
			txt := string(tc.Fill(nil, &tt.p))
			for _, w := range tt.textWant {
				if !strings.Contains(txt, w) {
					t.Errorf("text lacks %q", w)
				}
			}
			if strings.Contains(txt, "[[MH:") {
				t.Error("text has an unfilled slot")
			}
		})
	}
}

func TestRenderWeb(t *testing.T) {
	th, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	iss := testIssue(t, th.md, 20)
	var buf bytes.Buffer
	if err := th.RenderWeb(&buf, iss); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	doc := checkHTML(t, page)
	var headings []int
	ids := map[string]bool{}
	for _, el := range elements(doc) {
		if len(el.Data) == 2 && el.Data[0] == 'h' && el.Data[1] >= '1' && el.Data[1] <= '6' {
			headings = append(headings, int(el.Data[1]-'0'))
		}
		if id, ok := attr(el, "id"); ok {
			ids[id] = true
		}
		if src, ok := attr(el, "src"); ok {
			t.Errorf("external asset %s", src)
		}
	}
	for i, h := range headings {
		if i == 0 && h != 1 || i > 0 && h > headings[i-1]+1 {
			t.Errorf("headings out of order: %v", headings)
			break
		}
	}
	for _, a := range iss.Articles {
		if !ids[a.Anchor] || !strings.Contains(page, `<a href="#`+a.Anchor+`">`) {
			t.Errorf("no anchor or TOC link for %s", a.Anchor)
		}
	}
	wants := []string{`<html lang="en" dir="ltr">`, `<link rel="stylesheet" href="/static/style.css">`,
		"Volume 3, Number 153", "Thursday, July 9, 2009", `id="top"`, ">Back to the top</a>",
		">Return to Main Page</a>", `<a href="https://planet.example/">subscribe`,
		"Copyright 2007-2009 - The Daily Planet, Metropolis. All rights reserved.",
		iss.Articles[19].Title}
	for _, w := range wants {
		if !strings.Contains(page, w) {
			t.Errorf("page lacks %q", w)
		}
	}
	for _, bad := range []string{"[[MH:", "nsubscribe", "<style"} {
		if strings.Contains(page, bad) {
			t.Errorf("page has %q", bad)
		}
	}
}

func TestSubject(t *testing.T) {
	extra := sampleIssue()
	extra.Edition, extra.Mark = "Breaking news", "B"
	empty := sampleIssue()
	empty.Articles = nil
	for _, tc := range []struct {
		name, tmpl string
		iss        *Issue
		want       string
	}{
		{"default", "", sampleIssue(), "Sample headline — The Daily Planet, Vol. 3 No. 153"},
		{"no articles", "", empty, "The Daily Planet — Thursday, July 9, 2009 (Vol. 3, No. 153)"},
		{"extra", "", extra, "Breaking news: Sample headline — The Daily Planet, Vol. 3 No. 153-B"},
		{"own", "{name} | {isodate} | {headline}", sampleIssue(), "The Daily Planet | 2009-07-09 | Sample headline"},
		{"own, placing the edition", "{name} {edition} {number}", extra, "The Daily Planet Breaking news 153-B"},
		{"without placeholders", "Today's Planet", sampleIssue(), "Today's Planet"},
	} {
		if got := Subject(tc.iss, tc.tmpl); got != tc.want {
			t.Errorf("%s: Subject = %q, want %q", tc.name, got, tc.want)
		}
	}
	for tmpl, want := range map[string]string{"{headline} {nmae}": "unknown placeholder {nmae}", "{headline": "not closed"} {
		if err := CheckSubject(tmpl); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckSubject(%q) = %v, want %q", tmpl, err, want)
		}
	}
	if err := CheckSubject(DefaultSubject); err != nil {
		t.Error(err)
	}
}
