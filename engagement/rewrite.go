package engagement

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// RewriteOptions configure a Rewriter.
type RewriteOptions struct {
	// BaseURL is the public address of masthead ("https://news.example"):
	// links become BaseURL + "/r/" + token. Links under BaseURL, by http or
	// https (the web edition, "view in your browser", unsubscribe and
	// confirm pages, links already rewritten) are never rewritten.
	BaseURL string
	// Skip lists more URL prefixes that are never rewritten, such as the
	// publication's own web edition at another address
	// ("https://planet.example/archive/"). Scheme and host compare without
	// regard to case.
	Skip []string
	// SkipFunc, if set, is asked about every link that is otherwise
	// rewritten; true leaves it alone.
	SkipFunc func(url string) bool
	// PerRecipient adds the per-message part to every rewritten link:
	// BaseURL + "/r/" + token + "." + RecipientMarker, the marker filled per
	// message with Signer.RecipientPart. Off, links are the same for every
	// recipient and name no one.
	PerRecipient bool
	// OpenImage adds a 1x1 tracking image (BaseURL + "/o/" + token, with
	// the per-message part when PerRecipient) before the HTML's </body>.
	OpenImage bool
}

// Rewriter rewrites the links of rendered issues. It is safe for concurrent
// use.
type Rewriter struct {
	signer       *Signer
	base         string   // without a trailing slash
	skip         []string // prefixKeys, the base's first
	skipFunc     func(string) bool
	perRecipient bool
	openImage    bool
}

// NewRewriter checks the options and returns a Rewriter.
func NewRewriter(s *Signer, opt RewriteOptions) (*Rewriter, error) {
	if s == nil {
		return nil, errors.New("engagement: NewRewriter needs a Signer")
	}
	base := strings.TrimSuffix(opt.BaseURL, "/")
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("engagement: base URL %q: want http(s)://host[/path]", opt.BaseURL)
	}
	rw := &Rewriter{signer: s, base: base, skipFunc: opt.SkipFunc,
		perRecipient: opt.PerRecipient, openImage: opt.OpenImage}
	// The base under either scheme: the web edition by http and https.
	_, hostPath, _ := strings.Cut(base, "://")
	rw.skip = append(rw.skip, prefixKey("http://"+hostPath+"/"), prefixKey("https://"+hostPath+"/"))
	for _, p := range opt.Skip {
		if !strings.Contains(p, "://") {
			return nil, fmt.Errorf("engagement: skip prefix %q: want an absolute URL", p)
		}
		rw.skip = append(rw.skip, prefixKey(p))
	}
	return rw, nil
}

// Rewritten is an issue's bodies with their links rewritten, and the link
// table to store with the issue.
type Rewritten struct {
	HTML  string
	Text  string
	Links []Link
}

// Rewrite rewrites every trackable link of an issue's rendered HTML (<a> and
// <area> href outside <head>) and text part (bare URLs and URLs in angle
// brackets) to a redirect naming the issue and the link. One URL gets one
// index however often it appears. Everything else in the HTML stays byte
// for byte as it was; the text part changes only where a URL was.
func (rw *Rewriter) Rewrite(issueID int64, html, text string) (*Rewritten, error) {
	if issueID <= 0 {
		return nil, fmt.Errorf("engagement: rewrite: issue id %d", issueID)
	}
	t := &table{rw: rw, issueID: issueID, index: map[string]int{}}
	outHTML, err := t.html(html)
	if err != nil {
		return nil, err
	}
	outText, err := t.text(text)
	if err != nil {
		return nil, err
	}
	return &Rewritten{HTML: outHTML, Text: outText, Links: t.links}, nil
}

// table numbers the links of one issue as they are found.
type table struct {
	rw      *Rewriter
	issueID int64
	index   map[string]int
	links   []Link
}

// wants reports whether the link u (decoded, trimmed) is to be rewritten.
func (t *table) wants(u string) bool {
	if !trackable(u) {
		return false
	}
	k := prefixKey(u)
	for _, p := range t.rw.skip {
		if strings.HasPrefix(k, p) {
			return false
		}
	}
	return t.rw.skipFunc == nil || !t.rw.skipFunc(u)
}

// add returns the index of u, numbering it if it is new (then first is true).
func (t *table) add(u, text, anchor string) (index int, first bool, err error) {
	if i, ok := t.index[u]; ok {
		return i, false, nil
	}
	if len(t.links) == MaxLinks {
		return 0, false, fmt.Errorf("%w (%d)", ErrTooManyLinks, MaxLinks)
	}
	i := len(t.links) + 1
	t.index[u] = i
	t.links = append(t.links, Link{Index: i, URL: u, Text: clip(text), Anchor: anchor})
	return i, true, nil
}

// redirect is the URL that replaces link i.
func (t *table) redirect(i int) string { return t.rw.url("/r/", t.issueID, i) }

func (rw *Rewriter) url(path string, issueID int64, i int) string {
	u := rw.base + path + rw.signer.LinkToken(issueID, i)
	if rw.perRecipient {
		u += string(tokenSep) + RecipientMarker
	}
	return u
}
