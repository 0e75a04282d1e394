package engagement

import (
	"strings"
	"testing"
	"time"
)

// FuzzVerify: whatever comes in the URL, Verify does not panic, and a token
// it accepts is the one spelling that Signer makes for what it names.
func FuzzVerify(f *testing.F) {
	s := NewSigner(testSecret())
	link := s.LinkToken(42, 3)
	f.Add(link)
	f.Add(link + "." + s.RecipientPart(42, 1001, at(0)))
	f.Add(link + "." + s.RecipientPart(42, 0, time.Time{}))
	f.Add(link[:20] + "\n" + link[20:])
	f.Add("")
	f.Add(".")
	f.Fuzz(func(t *testing.T, tok string) {
		ref, err := s.Verify(tok)
		if err != nil {
			return
		}
		want := s.LinkToken(ref.IssueID, ref.Link)
		if _, part, ok := strings.Cut(tok, "."); ok {
			want += "." + s.RecipientPart(ref.IssueID, ref.Recipient, ref.SentAt)
			_ = part
		}
		if tok != want {
			t.Fatalf("Verify accepted %q, a second spelling of %q", tok, want)
		}
	})
}

// FuzzRewriteHTML: whatever the HTML, rewriting does not fail, changes
// nothing but href values, and each changed one goes to its own link.
func FuzzRewriteHTML(f *testing.F) {
	html, _ := renderIssue(f)
	f.Add(html)
	for _, s := range []string{
		`<a href="https://a.example/">a</a>`,
		`<a href='https://a.example/?x=1&amp;y=2'>a</a><a href=https://b.example/>b</a>`,
		`<head><a href="https://h.example/"></a></head><body><a HREF = " https://b.example/ ">x</a>`,
		`<a href="https://a.example/" href="https://b.example/">`,
		`<a href="https://a.example/&notit;">`, `<a href="https://a.example/&amp">`,
		"<a href=\"https://a.example/\x00\">", `<a/href="https://a.example/">`, `<a =href="https://a.example/">`,
		`<a href="https://a.example/"/><area href="https://b.example/">`,
		`<svg><a href="https://s.example/">s</a></svg><math><a href="https://m.example/">m</a></math>`,
		`<textarea><a href="https://t.example/"></textarea><a href="https://u.example/">`,
		`<a href="https://a.example/[[MH:email]]">`, `<a href="[[MH:unsubscribe]]">`,
	} {
		f.Add(s)
	}
	rw := newRewriter(f, RewriteOptions{PerRecipient: true})
	f.Fuzz(func(t *testing.T, in string) {
		out, err := rw.Rewrite(9, in, "")
		if err != nil {
			t.Fatalf("Rewrite: %v", err)
		}
		checkHTMLEdits(t, rw, 9, in, out.HTML, out.Links)
		for _, l := range out.Links {
			if !trackable(l.URL) {
				t.Fatalf("link %d %q is not a trackable URL", l.Index, l.URL)
			}
		}
	})
}

// FuzzRewriteText: whatever the text, rewriting does not fail, and undoing
// the redirects gives the text back but for line breaks.
func FuzzRewriteText(f *testing.F) {
	_, text := renderIssue(f)
	f.Add(text)
	for _, s := range []string{
		"See https://a.example/x. And <https://b.example/y>, (https://c.example/z_(w)).",
		"HTTP://A.EXAMPLE https://a.example/?e=[[MH:email]] https://",
		"<https://a.example/ x> <https://b.example/>>",
	} {
		f.Add(s)
	}
	rw := newRewriter(f, RewriteOptions{})
	f.Fuzz(func(t *testing.T, in string) {
		out, err := rw.Rewrite(9, "", in)
		if err != nil {
			t.Fatalf("Rewrite: %v", err)
		}
		undone := out.Text
		for _, l := range out.Links {
			if !trackable(l.URL) {
				t.Fatalf("link %d %q is not a trackable URL", l.Index, l.URL)
			}
			undone = strings.ReplaceAll(undone, rw.url("/r/", 9, l.Index), l.URL)
		}
		if len(out.Links) == 0 && out.Text != in {
			t.Fatalf("no links, yet the text changed")
		}
		if strings.ReplaceAll(undone, "\n", " ") != strings.ReplaceAll(in, "\n", " ") &&
			strings.Join(strings.Fields(undone), " ") != strings.Join(strings.Fields(in), " ") {
			t.Fatalf("text changed beyond its URLs:\n%q\n%q", in, out.Text)
		}
	})
}
