package newsletter

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// FeedContent says what of a feed item becomes an article's body.
type FeedContent string

const (
	// FeedFull takes the whole article the feed gives (content:encoded,
	// Atom content, JSON Feed content), or its summary when that is all.
	FeedFull FeedContent = "full"
	// FeedExcerpt takes the summary, or the first paragraph of the content:
	// the reader follows "Read on the site" for the rest.
	FeedExcerpt FeedContent = "excerpt"
)

// Bounds of a feed's polling interval.
const (
	MinFeedInterval     = time.Minute
	MaxFeedInterval     = 7 * 24 * time.Hour
	DefaultFeedInterval = 15 * time.Minute
)

// Feed is a newsroom's RSS, Atom or JSON feed that a publication takes
// articles from, and the record of its polls (validators for a conditional
// GET, the failures in a row since the last success, the next attempt).
type Feed struct {
	ID            int64
	PublicationID int64
	URL           string
	Section       string // the articles' section when no category maps to one
	// Categories maps a feed category (compared without regard to case) to
	// a section of the publication.
	Categories map[string]string
	Status     ArticleStatus // of new articles: ready (straight into the issue) or draft
	Content    FeedContent
	Interval   time.Duration

	ETag         string
	LastModified string
	BodyDigest   string // of the last body taken: the same bytes again are not parsed again
	LastAttempt  time.Time
	LastSuccess  time.Time
	Failures     int    // failed polls in a row since the last success
	LastError    string // of the last poll, "" when it succeeded
	NextPoll     time.Time
	CreatedAt    time.Time
}

// Validate checks a new feed against its publication, filling defaults.
func (f *Feed) Validate(p *Publication) error {
	var errs Errors
	bad := func(field, format string, args ...any) {
		errs = append(errs, &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	f.URL = strings.TrimSpace(f.URL)
	f.Section = strings.TrimSpace(f.Section)
	if f.Status == "" {
		f.Status = Ready
	}
	if f.Content == "" {
		f.Content = FeedFull
	}
	if f.Interval == 0 {
		f.Interval = DefaultFeedInterval
	}
	if u, err := url.Parse(f.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("url", "%q is not an http or https address", f.URL)
	} else if len(f.URL) > maxURL {
		bad("url", "is longer than %d bytes", maxURL)
	}
	switch f.Status {
	case Draft, Ready:
	default:
		bad("status", "%q must be ready or draft", f.Status)
	}
	switch f.Content {
	case FeedFull, FeedExcerpt:
	default:
		bad("content", "%q must be full or excerpt", f.Content)
	}
	if f.Interval < MinFeedInterval || f.Interval > MaxFeedInterval {
		bad("interval", "%s must be from %s to %s", f.Interval, MinFeedInterval, MaxFeedInterval)
	}
	sections := map[string]string{"section": f.Section}
	for from, to := range f.Categories {
		if strings.TrimSpace(from) == "" || utf8.RuneCountInString(from) > maxLine || OneLineProblem(from) != "" {
			bad("category", "%q is not a category name", from)
		}
		sections["category "+from] = to
	}
	for field, s := range sections {
		if problem := OneLineProblem(s); problem != "" {
			bad(field, "%s", problem)
		} else if _, ok := p.SectionRank(s); !ok {
			bad(field, "unknown section %q; %s orders its sections as: %s", s, p.Name, strings.Join(p.Sections, ", "))
		}
	}
	return errs.orNil()
}

// FeedArticle is what one feed item makes: its article, keyed within the
// feed by the item's key (its GUID, Atom id or link), with a digest of the
// item that tells an edited item from an unchanged one.
type FeedArticle struct {
	Key     string
	Hash    string
	Article *Article
}

// FeedPoll counts what one poll did to a feed's articles.
type FeedPoll struct {
	// NotModified: the feed answered 304, or the same bytes as last time,
	// and nothing was read.
	NotModified bool
	New         int // articles created
	Updated     int // articles whose item changed, updated in place
	Unchanged   int // items as they were
	// Frozen are changed items whose article's issue is going or gone out:
	// the article stays as it was sent.
	Frozen int
	// Removed are changed items whose article an editor deleted: it is not
	// made again.
	Removed int
	// Skipped are items left out, with why (no key, a body too large).
	Skipped []string
}
