package newsletter

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ArticleStatus says whether an article may go into an issue.
type ArticleStatus string

const (
	Draft ArticleStatus = "draft"
	Ready ArticleStatus = "ready"
)

// Article is one story, written in Markdown, meant for the issue of its date.
type Article struct {
	ID            int64
	PublicationID int64
	// Key names the article for good within its publication, whatever its
	// headline or date become: an article file's key: (or id:), a feed
	// item's GUID, or, when none is given, the one masthead assigns
	// (AssignedKey). Imports and feeds update the article with their key.
	Key  string
	Date Date // the issue date it belongs to
	// Edition is the edition of that date it belongs to: 0 the daily issue
	// (every article before extra editions existed), N the date's extra N
	// (see Issue.Edition).
	Edition  int
	Section  string // e.g. "News"; ordered by the publication's section list
	Position int    // order within its section
	Title    string // headline
	Deck     string // optional summary under the headline
	Author   string
	Body     string // Markdown
	Status   ArticleStatus
	// LeadImage is the SHA-256 of the library picture shown with the
	// headline ("" for none); LeadAlt says what it shows, for readers who
	// cannot see it, and is required with a lead image (workspace takes the
	// library's alt text when the article gives none).
	LeadImage string
	LeadAlt   string
	// SourceURL is the article's page on the newsroom's own site (a feed
	// item's link), shown as "Read on the site"; "" for none.
	SourceURL string
	// SourceImage is the lead image the site's feed gives (an enclosure,
	// media:content, a JSON Feed image) by its address, shown above the
	// body; "" for none. (LeadImage is a picture of masthead's library.)
	SourceImage string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Limits on article fields, generous for a newsroom and small enough to refuse
// garbage.
const (
	maxTitle = 300
	maxLine  = 200
	maxBody  = 1 << 20
	// MaxPosition is the largest order of an article within its section:
	// far more articles than any issue has, and far from overflowing.
	MaxPosition = 10000
)

// Validate checks the article against its publication; src names where it came
// from for error messages.
func (a *Article) Validate(p *Publication, src string) error {
	var errs Errors
	bad := func(field, format string, args ...any) {
		errs = append(errs, &FieldError{Source: src, Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	a.Title = strings.TrimSpace(a.Title)
	a.Section = strings.TrimSpace(a.Section)
	a.Author = strings.TrimSpace(a.Author)
	a.Deck = strings.TrimSpace(a.Deck)
	a.Key = strings.TrimSpace(a.Key)
	a.LeadImage = strings.TrimSpace(a.LeadImage)
	a.LeadAlt = strings.TrimSpace(a.LeadAlt)
	if problem := KeyProblem(a.Key); problem != "" {
		bad("key", "%s", problem)
	}
	if a.Status == "" {
		a.Status = Ready
	}
	switch {
	case a.Title == "":
		bad("title", "is required")
	case utf8.RuneCountInString(a.Title) > maxTitle:
		bad("title", "is longer than %d characters", maxTitle)
	}
	for field, v := range map[string]string{"title": a.Title, "section": a.Section, "author": a.Author, "deck": a.Deck} {
		if problem := OneLineProblem(v); problem != "" {
			bad(field, "%s", problem)
		} else if field != "title" && utf8.RuneCountInString(v) > maxLine {
			bad(field, "is longer than %d characters", maxLine)
		}
	}
	// The lead image is a picture's reference until workspace resolves it
	// (an id, a SHA-256, an address); its alt text is required then, when
	// the library's is known.
	switch {
	case a.LeadImage == "" && a.LeadAlt != "":
		bad("image_alt", "is set but there is no lead image")
	case OneLineProblem(a.LeadImage) != "":
		bad("image", "%s", OneLineProblem(a.LeadImage))
	case OneLineProblem(a.LeadAlt) != "":
		bad("image_alt", "%s", OneLineProblem(a.LeadAlt))
	case utf8.RuneCountInString(a.LeadAlt) > MaxAlt:
		bad("image_alt", "is longer than %d characters", MaxAlt)
	}
	if a.Date.IsZero() {
		bad("date", "is required (YYYY-MM-DD)")
	}
	if len(a.Body) > maxBody {
		bad("body", "is larger than %d bytes", maxBody)
	}
	if !utf8.ValidString(a.Body) || !utf8.ValidString(a.Title) || !utf8.ValidString(a.Deck) {
		bad("body", "is not valid UTF-8")
	}
	for field, v := range map[string]string{"source_url": a.SourceURL, "source_image": a.SourceImage} {
		if problem := webAddressProblem(v); problem != "" {
			bad(field, "%s", problem)
		}
	}
	if a.Position < 0 || a.Position > MaxPosition {
		bad("position", "must be from 0 to %d", MaxPosition)
	}
	switch a.Status {
	case Draft, Ready:
	default:
		bad("status", "%q must be draft or ready", a.Status)
	}
	if p != nil {
		if _, ok := p.SectionRank(a.Section); !ok {
			bad("section", "unknown section %q; %s orders its sections as: %s", a.Section, p.Name, strings.Join(p.Sections, ", "))
		}
	}
	return errs.orNil()
}

// SortArticles orders articles as they appear in an issue: by the publication's
// section order (by section name when it has none), then position, then age.
func SortArticles(p *Publication, articles []*Article) {
	sort.SliceStable(articles, func(i, j int) bool {
		x, y := articles[i], articles[j]
		rx, _ := p.SectionRank(x.Section)
		ry, _ := p.SectionRank(y.Section)
		if rx != ry {
			return rx < ry
		}
		if len(p.Sections) == 0 && x.Section != y.Section {
			return x.Section < y.Section
		}
		if x.Position != y.Position {
			return x.Position < y.Position
		}
		return x.ID < y.ID
	})
}

// maxURL is the longest address an article links to.
const maxURL = 2048

// webAddressProblem says what keeps v from being an address an email may
// link to ("" for none, or an absolute http or https URL), "" if nothing.
func webAddressProblem(v string) string {
	if v == "" {
		return ""
	}
	if len(v) > maxURL {
		return fmt.Sprintf("is longer than %d bytes", maxURL)
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Sprintf("%q is not an absolute http or https address", v)
	}
	return ""
}

// OneLineProblem says what keeps s from being one line of text for a header
// or a heading, "" if nothing: a line break (CR, LF, and Unicode's NEL,
// LINE SEPARATOR, PARAGRAPH SEPARATOR), or another control character. The
// same rule holds for a subscriber's name (subscribers.NormalizeName).
func OneLineProblem(s string) string {
	if i := strings.IndexAny(s, "\r\n\u0085\u2028\u2029"); i >= 0 {
		return "must be one line"
	}
	if i := strings.IndexFunc(s, unicode.IsControl); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return fmt.Sprintf("contains a control character (%U)", r)
	}
	return ""
}
