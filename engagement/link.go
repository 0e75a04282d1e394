package engagement

// Link is one row of an issue's link table, made once when the issue's links
// are rewritten and stored with the issue: the redirect sends a click on
// link Index to URL and nowhere else.
type Link struct {
	// Index numbers the issue's distinct target URLs from 1, in the order
	// they first appear (the HTML part first, then links only in the text).
	Index int `json:"index"`
	// URL is the original target as the reader's browser would read it
	// (HTML entities decoded): an absolute http or https URL.
	URL string `json:"url"`
	// Text is the link's text where it first appears (an image's alt text
	// when it has none), spaces collapsed, at most maxLinkText characters.
	Text string `json:"text"`
	// Anchor is the id of the last in-page anchor before the link's first
	// appearance in the HTML: the article it belongs to ("article-2"), as
	// newsletter.IssueArticle.Anchor names it; "" for a link only in the
	// text part or before any anchor.
	Anchor string `json:"anchor,omitempty"`
}

// maxLinkText bounds a Link's Text (in runes).
const maxLinkText = 200

// IssueLinks is an issue's link table as the redirect needs it.
type IssueLinks struct {
	IssueID       int64
	PublicationID int64
	// PerRecipient is the publication's current choice of per-subscriber
	// figures. When it is off, a click's per-message part is dropped before
	// the click is recorded, even on links of an issue sent while it was on.
	PerRecipient bool
	// Links is the table, Links[i].Index == i+1.
	Links []Link
}

// link returns the link of index i, or false.
func (t *IssueLinks) link(i int) (Link, bool) {
	if i < 1 || i > len(t.Links) || t.Links[i-1].Index != i {
		return Link{}, false
	}
	return t.Links[i-1], true
}
