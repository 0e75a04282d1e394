package engagement

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	xhtml "golang.org/x/net/html"
)

func newRewriter(t testing.TB, opt RewriteOptions) *Rewriter {
	t.Helper()
	if opt.BaseURL == "" {
		opt.BaseURL = testBase
	}
	rw, err := NewRewriter(NewSigner(testSecret()), opt)
	if err != nil {
		t.Fatal(err)
	}
	return rw
}

// checkHTMLEdits fails unless out is in byte for byte, except that some
// href values of <a> and <area> tags outside <head> became redirects: each
// to the link of links whose URL the old value was. It tokenizes both with
// x/net/html, independently of the rewriter's own reading of tags.
func checkHTMLEdits(t testing.TB, rw *Rewriter, issueID int64, in, out string, links []Link) (rewritten int) {
	t.Helper()
	zi := xhtml.NewTokenizer(strings.NewReader(in))
	zo := xhtml.NewTokenizer(strings.NewReader(out))
	for n := 0; ; n++ {
		ti, to := zi.Next(), zo.Next()
		if ti != to {
			t.Fatalf("token %d: %v in the input, %v in the output", n, ti, to)
		}
		if ti == xhtml.ErrorToken {
			break
		}
		ri, ro := string(zi.Raw()), string(zo.Raw())
		if ri == ro {
			continue
		}
		k := strings.Index(ro, rw.base+"/r/")
		if k < 0 || (ti != xhtml.StartTagToken && ti != xhtml.SelfClosingTagToken) {
			t.Fatalf("token %d changed: %q became %q", n, ri, ro)
		}
		tok := ro[k+len(rw.base)+3:]
		tok = tok[:strings.IndexAny(tok, "\"' \t\n\f\r>")]
		ref, err := rw.signer.Verify(strings.TrimSuffix(tok, "."+RecipientMarker))
		if err != nil || ref.IssueID != issueID || ref.Link < 1 || ref.Link > len(links) {
			t.Fatalf("token %d: redirect %q: %+v, %v", n, tok, ref, err)
		}
		redirect := rw.url("/r/", issueID, ref.Link)
		if !strings.HasPrefix(ro[k:], redirect) {
			t.Fatalf("token %d: %q is not the redirect %q", n, ro[k:], redirect)
		}
		end := len(ri) - (len(ro) - k - len(redirect))
		if end < k || ri[:k] != ro[:k] || ri[end:] != ro[k+len(redirect):] {
			t.Fatalf("token %d: more than an href value changed:\n%q\n%q", n, ri, ro)
		}
		if old := strings.TrimFunc(xhtml.UnescapeString(ri[k:end]), isHTMLSpace); old != links[ref.Link-1].URL {
			t.Fatalf("token %d: href %q became the redirect of %q", n, old, links[ref.Link-1].URL)
		}
		rewritten++
	}
	return rewritten
}

// The issue as the built-in theme renders it: article links become
// redirects, in place; the unsubscribe slot, "view in your browser", the
// main page, mailto:, #fragments, relative links and the skipped archive
// stay; the link table says where each goes and from which article.
func TestRewriteIssue(t *testing.T) {
	html, text := renderIssue(t)
	rw := newRewriter(t, RewriteOptions{Skip: []string{"HTTPS://Planet.Example/archive/"}})
	out, err := rw.Rewrite(42, html, text)
	if err != nil {
		t.Fatal(err)
	}
	want := []Link{
		{Index: 1, URL: "https://council.example/plans/harbour?year=2009&part=1", Text: "the council’s website", Anchor: "article-1"},
		{Index: 2, URL: "https://maps.example/harbour", Text: "Harbour map", Anchor: "article-1"},
		{Index: 3, URL: "https://weather.example/today", Text: "https://weather.example/today", Anchor: "article-2"},
	}
	if !reflect.DeepEqual(out.Links, want) {
		t.Errorf("links:\n%+v\nwant\n%+v", out.Links, want)
	}
	if n := checkHTMLEdits(t, rw, 42, html, out.HTML, out.Links); n != 4 {
		t.Errorf("%d hrefs rewritten, want 4 (the plan twice)", n)
	}
	for _, keep := range []string{
		`href="[[MH:unsubscribe]]"`, `href="` + testBase + `/issues/sample/2009-07-09"`, `href="` + testBase + `/"`,
		`href="mailto:desk@planet.example"`, `href="#article-2"`, `href="/local/page"`,
		`href="https://planet.example/archive/2009/07/08"`, `src="https://cdn.example/map.png"`,
	} {
		if !strings.Contains(out.HTML, keep) {
			t.Errorf("HTML lost %s", keep)
		}
	}

	// The text part: the same links by the same indexes; the rest as it was.
	for i, l := range want {
		if strings.Contains(out.Text, l.URL) {
			t.Errorf("text still has %s", l.URL)
		}
		if r := rw.url("/r/", 42, i+1); !strings.Contains(out.Text, r) {
			t.Errorf("text lacks the redirect of %s", l.URL)
		}
	}
	for _, keep := range []string{"[[MH:unsubscribe]]", "<mailto:desk@planet.example>", "<#article-2>", testBase + "/issues/sample/2009-07-09\n"} {
		if !strings.Contains(out.Text, keep) {
			t.Errorf("text lost %s", keep)
		}
	}
	undone := out.Text
	for i, l := range want {
		undone = strings.ReplaceAll(undone, rw.url("/r/", 42, i+1), l.URL)
	}
	if strings.Join(strings.Fields(undone), " ") != strings.Join(strings.Fields(text), " ") {
		t.Errorf("the text changed beyond its URLs and line breaks:\n%s", out.Text)
	}
	for i, line := range strings.Split(out.Text, "\n") {
		if !strings.Contains(line, rw.base+"/r/") && len([]rune(line)) > textWidth {
			t.Errorf("text line %d is %d columns: %q", i+1, len([]rune(line)), line)
		}
	}
}

// Per-recipient links carry the slot marker after the link token; filling
// it with a message's part gives a token that names the recipient.
func TestRewritePerRecipient(t *testing.T) {
	html, text := renderIssue(t)
	rw := newRewriter(t, RewriteOptions{PerRecipient: true})
	out, err := rw.Rewrite(42, html, text)
	if err != nil {
		t.Fatal(err)
	}
	checkHTMLEdits(t, rw, 42, html, out.HTML, out.Links)
	// Five: the plan twice, the map, the weather, the archive (not skipped here).
	n := strings.Count(out.HTML, "."+RecipientMarker+`"`)
	if n != 5 || strings.Count(out.Text, "."+RecipientMarker) != 5 {
		t.Fatalf("markers: %d in the HTML, %d in the text", n, strings.Count(out.Text, "."+RecipientMarker))
	}
	part := rw.signer.RecipientPart(42, 1001, at(0))
	filled := strings.ReplaceAll(out.HTML, RecipientMarker, part)
	i := strings.Index(filled, testBase+"/r/")
	tok := filled[i+len(testBase)+3:]
	tok = tok[:strings.IndexByte(tok, '"')]
	ref, err := rw.signer.Verify(tok)
	if err != nil || ref.Recipient != 1001 || ref.Link != 1 || !ref.SentAt.Equal(at(0)) {
		t.Errorf("filled token %q: %+v, %v", tok, ref, err)
	}
}

// Hand-made HTML for the corners premailer does not produce.
func TestRewriteHTMLCorners(t *testing.T) {
	in := `<!DOCTYPE html><html><head><title>x <a href="https://t.example/">no</a></title>` +
		`<link rel="stylesheet" href="https://fonts.example/css"><a href="https://head.example/">in head</a></head>` +
		`<body><!-- <a href="https://comment.example/">c</a> --><!--[if mso]><a href="https://mso.example/">m</a><![endif]-->` +
		`<style>a[href="https://style.example/"]{}</style>` +
		`<A HREF='https://Upper.example/a?x=1&amp;y=2'>Upper</A>` +
		`<a href=https://unquoted.example/p class=x>unquoted</a>` +
		`<a class="x" href = " https://spaced.example/ " >spaced</a>` +
		`<a href="https://first.example/" href="https://second.example/">dup</a>` +
		`<a href="https://x.example/?e=[[MH:email]]">slot</a>` +
		`<a href="javascript:alert(1)">js</a><a href="tel:+1555">tel</a><a href="">empty</a><a href>none</a>` +
		`<a href="https://news.example/r/already">done</a><a href="http://NEWS.EXAMPLE/issues/x">web</a>` +
		`<map><area shape="rect" coords="0,0,1,1" href="https://area.example/"></map>` +
		`<textarea><a href="https://textarea.example/">t</a></textarea>` +
		`<a id="lead"></a><a href="https://lead.example/"><img src="https://cdn.example/i.png" alt="The lead"></a>` +
		`<a href="https://news.example.com/">lookalike host</a>` +
		`</body></html>`
	rw := newRewriter(t, RewriteOptions{})
	out, err := rw.Rewrite(7, in, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range out.Links {
		got = append(got, l.URL+" | "+l.Text+" | "+l.Anchor)
	}
	want := []string{
		"https://Upper.example/a?x=1&y=2 | Upper | ",
		"https://unquoted.example/p | unquoted | ",
		"https://spaced.example/ | spaced | ",
		"https://first.example/ | dup | ",
		"https://area.example/ |  | ",
		"https://lead.example/ | The lead | lead",
		"https://news.example.com/ | lookalike host | lead",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("links:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := checkHTMLEdits(t, rw, 7, in, out.HTML, out.Links); n != len(want) {
		t.Errorf("%d rewritten, want %d", n, len(want))
	}
	if !strings.Contains(out.HTML, `href="https://second.example/"`) {
		t.Error("the second href of a tag changed")
	}
}

func TestRewriteText(t *testing.T) {
	rw := newRewriter(t, RewriteOptions{})
	r := func(i int) string { return rw.url("/r/", 1, i) }
	for _, c := range []struct{ in, want string }{
		{"See https://a.example/x.", "See " + r(1) + "."},
		{"Go (https://en.wikipedia.org/wiki/Go_(game)), then", "Go (" + r(1) + "), then"},
		{"Read more <https://a.example/x?y=1&z=2.>", "Read more <" + r(1) + ">"},
		{"HTTPS://A.EXAMPLE/ or xhttp://b.c", r(1) + " or xhttp://b.c"},
		{"and https:// alone", "and https:// alone"},
		{"mailto:a@b.example <tel:+1> [[MH:unsubscribe]] https://x.example/?e=[[MH:email]]", "mailto:a@b.example <tel:+1> [[MH:unsubscribe]] https://x.example/?e=[[MH:email]]"},
		{"web " + testBase + "/issues/a/2009-07-09 and " + testBase, "web " + testBase + "/issues/a/2009-07-09 and " + testBase},
		{"twice: https://a.example/\nhttps://a.example/!", "twice: " + r(1) + "\n" + r(1) + "!"},
		// A line made longer than 78 columns puts the redirect on its own.
		{"A long line of text before it, and then the link https://a.example/x and more words.",
			"A long line of text before it, and then the link\n" + r(1) + "\nand more words."},
		{"broken <https://a.example/ x>", "broken <" + r(1) + " x>"},
	} {
		out, err := rw.Rewrite(1, "", c.in)
		if err != nil {
			t.Fatal(err)
		}
		if out.Text != c.want {
			t.Errorf("%q:\n got %q\nwant %q", c.in, out.Text, c.want)
		}
	}
}

func TestRewriteOpenImage(t *testing.T) {
	html, _ := renderIssue(t)
	rw := newRewriter(t, RewriteOptions{OpenImage: true, PerRecipient: true})
	out, err := rw.Rewrite(42, html, "")
	if err != nil {
		t.Fatal(err)
	}
	img := `<img src="` + rw.url("/o/", 42, OpenLink) + `" width="1" height="1" alt=""`
	i := strings.Index(out.HTML, img)
	if i < 0 || !strings.HasPrefix(out.HTML[strings.Index(out.HTML[i:], ">")+i+1:], "</body>") {
		t.Fatalf("no tracking image just before </body>:\n%s", out.HTML[len(out.HTML)-400:])
	}
	if strings.Count(out.HTML, "/o/") != 1 {
		t.Error("more than one tracking image")
	}
}

// Rewriting a rewritten issue changes nothing: redirects are links to the
// base URL.
func TestRewriteTwice(t *testing.T) {
	html, text := renderIssue(t)
	rw := newRewriter(t, RewriteOptions{PerRecipient: true})
	once, err := rw.Rewrite(42, html, text)
	if err != nil {
		t.Fatal(err)
	}
	twice, err := rw.Rewrite(42, once.HTML, once.Text)
	if err != nil {
		t.Fatal(err)
	}
	if twice.HTML != once.HTML || twice.Text != once.Text || len(twice.Links) != 0 {
		t.Errorf("a second rewrite changed the issue (%d links)", len(twice.Links))
	}
}

func TestRewriteRefusals(t *testing.T) {
	s := NewSigner(testSecret())
	for _, opt := range []RewriteOptions{
		{BaseURL: ""}, {BaseURL: "news.example"}, {BaseURL: "ftp://news.example"}, {BaseURL: "https://news.example/?x=1"},
		{BaseURL: testBase, Skip: []string{"/archive/"}},
	} {
		if _, err := NewRewriter(s, opt); err == nil {
			t.Errorf("%+v accepted", opt)
		}
	}
	rw := newRewriter(t, RewriteOptions{})
	if _, err := rw.Rewrite(0, "", ""); err == nil {
		t.Error("issue 0 accepted")
	}
	var b strings.Builder
	for i := range MaxLinks + 1 {
		b.WriteString("https://a.example/")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString(string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676%26)) + string(rune('a'+i/17576)))
		b.WriteByte('\n')
	}
	if _, err := rw.Rewrite(1, "", b.String()); !errors.Is(err, ErrTooManyLinks) {
		t.Errorf("%d links: %v", MaxLinks+1, err)
	}
}
