// Package poller is in charge of polling a publication's feeds: it fetches
// each feed (feeds.Fetcher, a conditional GET within bounds), parses it,
// turns each item into an article of the issue of its date in the
// publication's zone, and stores the articles and the poll's record through
// the Store it declares (*store.Store implements it). A failing feed gets its
// error, its failures in a row and its next attempt (feeds.NextPoll) recorded,
// and its stored articles are left as they are.
//
// It works on its own in `masthead serve` (Run polls each feed when it is
// due, claiming it so that another process of the same database does not
// poll it too) and on request through workspace (an editor's "poll now").
//
// Benchmark: go test -run X -bench PollRound -benchmem ./feeds/poller/
package poller

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"masthead/feeds"
	"masthead/newsletter"
)

// Store is what polling needs from the database.
type Store interface {
	Publication(ctx context.Context, id int64) (*newsletter.Publication, error)
	// ClaimDueFeeds returns up to limit feeds due at now, each held until
	// now+hold so that no other process polls it meanwhile.
	ClaimDueFeeds(ctx context.Context, now time.Time, hold time.Duration, limit int) ([]*newsletter.Feed, error)
	// RecordFeedPoll stores a poll's record that changed no article.
	RecordFeedPoll(ctx context.Context, f *newsletter.Feed) error
	// ApplyFeedPoll stores the items' articles (new ones created, changed
	// ones updated unless their date is frozen) and the poll's record in
	// one transaction.
	ApplyFeedPoll(ctx context.Context, f *newsletter.Feed, items []newsletter.FeedArticle) (newsletter.FeedPoll, error)
}

// Config is what a Poller is made of. Store is required.
type Config struct {
	Store Store
	// Fetch bounds every fetch (timeout, size, redirects, private addresses).
	Fetch feeds.Options
	// Tick is how often Run looks for due feeds (default 30s).
	Tick time.Duration
	// Parallel is how many feeds Run fetches at once (default 4).
	Parallel int
	Log      *slog.Logger
	Now      func() time.Time
}

// Poller polls feeds. It is safe for concurrent use.
type Poller struct {
	st       Store
	fetcher  *feeds.Fetcher
	parser   *feeds.Parser
	tick     time.Duration
	parallel int
	hold     time.Duration
	log      *slog.Logger
	now      func() time.Time
	wake     chan struct{}
}

// New returns a Poller.
func New(c Config) *Poller {
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Tick <= 0 {
		c.Tick = 30 * time.Second
	}
	if c.Parallel <= 0 {
		c.Parallel = 4
	}
	timeout := c.Fetch.Timeout
	if timeout <= 0 {
		timeout = feeds.DefaultTimeout
	}
	return &Poller{
		st: c.Store, fetcher: feeds.NewFetcher(c.Fetch, c.Log), parser: feeds.NewParser(),
		tick: c.Tick, parallel: c.Parallel, hold: 2*timeout + time.Minute, log: c.Log, now: c.Now,
		wake: make(chan struct{}, 1),
	}
}

// Close closes the fetcher's idle connections.
func (p *Poller) Close() { p.fetcher.Close() }

// Wake makes Run look for due feeds now (a feed was just added).
func (p *Poller) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// ErrStore wraps a failure to store a poll: the feed answered, the database
// did not. The feed's record says only that (the details are logged).
var ErrStore = errors.New("the articles could not be stored")

// Poll fetches f now and stores what it brought. The error is the feed's
// (a fetch or a parse that failed, in words an editor can act on), which is
// also recorded with the feed, or wraps ErrStore. f is updated with the
// poll's record.
func (p *Poller) Poll(ctx context.Context, f *newsletter.Feed) (newsletter.FeedPoll, error) {
	pub, err := p.st.Publication(ctx, f.PublicationID)
	if err != nil {
		return newsletter.FeedPoll{}, fmt.Errorf("feed %d: %w: %w", f.ID, ErrStore, err)
	}
	now := p.now()
	f.LastAttempt = now
	resp, err := p.fetcher.Fetch(ctx, feeds.Request{URL: f.URL, ETag: f.ETag, LastModified: f.LastModified})
	if err != nil {
		if ctx.Err() != nil {
			return newsletter.FeedPoll{}, ctx.Err() // shutting down: not the feed's failure
		}
		return newsletter.FeedPoll{}, p.failed(ctx, f, now, err)
	}
	digest := ""
	if !resp.NotModified {
		sum := sha256.Sum256(resp.Body)
		digest = hex.EncodeToString(sum[:])
	}
	if resp.NotModified || digest == f.BodyDigest {
		p.succeeded(f, now, resp)
		if err := p.st.RecordFeedPoll(ctx, f); err != nil {
			return newsletter.FeedPoll{}, p.storeFailed(ctx, f, err)
		}
		return newsletter.FeedPoll{NotModified: true}, nil
	}
	parsed, err := p.parser.Parse(resp.Body, resp.URL, content(f.Content))
	if err != nil {
		return newsletter.FeedPoll{}, p.failed(ctx, f, now, err)
	}
	items := make([]newsletter.FeedArticle, 0, len(parsed.Items))
	var skipped []string
	for _, e := range parsed.Skipped {
		skipped = append(skipped, e.Error())
	}
	for i, it := range parsed.Items {
		a, err := ArticleOf(pub, f, it, now)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("item %d %q: %v", i+1, it.Title, err))
			continue
		}
		items = append(items, newsletter.FeedArticle{Key: it.Key, Hash: it.Hash, Article: a})
	}
	p.succeeded(f, now, resp)
	before := f.BodyDigest
	f.BodyDigest = digest
	res, err := p.st.ApplyFeedPoll(ctx, f, items)
	if err != nil {
		f.BodyDigest = before // the body was not taken: read it again next time
		return newsletter.FeedPoll{}, p.storeFailed(ctx, f, err)
	}
	res.Skipped = skipped
	p.log.Info("feed polled", "feed", f.ID, "url", f.URL, "new", res.New, "updated", res.Updated,
		"unchanged", res.Unchanged, "frozen", res.Frozen, "skipped", len(skipped))
	return res, nil
}

func content(c newsletter.FeedContent) feeds.Content {
	if c == newsletter.FeedExcerpt {
		return feeds.Excerpt
	}
	return feeds.Full
}

func (p *Poller) succeeded(f *newsletter.Feed, now time.Time, resp *feeds.Response) {
	f.ETag, f.LastModified = resp.ETag, resp.LastModified
	f.LastSuccess, f.Failures, f.LastError = now, 0, ""
	f.NextPoll = feeds.NextPoll(now, 0, f.Interval)
}

// failed records a poll that failed (the feed's articles untouched) and
// returns its error.
func (p *Poller) failed(ctx context.Context, f *newsletter.Feed, now time.Time, cause error) error {
	f.Failures++
	f.LastError = cause.Error()
	f.NextPoll = feeds.NextPoll(now, f.Failures, f.Interval)
	var se *feeds.StatusError
	if errors.As(cause, &se) && se.RetryAfter > 0 && now.Add(se.RetryAfter).After(f.NextPoll) {
		f.NextPoll = now.Add(min(se.RetryAfter, feeds.MaxBackoff))
	}
	p.log.Warn("feed poll failed", "feed", f.ID, "url", f.URL, "failures", f.Failures,
		"next_poll", f.NextPoll.Format(time.RFC3339), "err", cause)
	if err := p.st.RecordFeedPoll(ctx, f); err != nil {
		return errors.Join(cause, fmt.Errorf("%w: %w", ErrStore, err))
	}
	return cause
}

// storeFailed records, when it can, that the database did not take a poll.
func (p *Poller) storeFailed(ctx context.Context, f *newsletter.Feed, cause error) error {
	p.log.Error("feed poll not stored", "feed", f.ID, "url", f.URL, "err", cause)
	f.Failures++
	f.LastError = ErrStore.Error() + " (see the server's log)"
	f.NextPoll = feeds.NextPoll(f.LastAttempt, f.Failures, f.Interval)
	if err := p.st.RecordFeedPoll(ctx, f); err != nil {
		p.log.Error("feed poll not recorded", "feed", f.ID, "err", err)
	}
	return fmt.Errorf("feed %d: %w: %w", f.ID, ErrStore, cause)
}

// Limits of an article's one-line fields (newsletter.Article.Validate's).
const (
	maxTitle = 300
	maxLine  = 200
	maxURL   = 2048
)

// ArticleOf is the article a feed item makes for pub, keyed by ArticleKey:
// on the date of its
// publication (else its update, else now) in pub's zone; in the section its
// first mapped category names, else the feed's; the feed's status; the
// item's headline, byline, body, link and lead image (one not already in
// the body), and its summary as the deck when the body is the full text.
// Fields too long for an article are cut, not refused.
func ArticleOf(pub *newsletter.Publication, f *newsletter.Feed, it feeds.Item, now time.Time) (*newsletter.Article, error) {
	d, ok := it.Date(pub.Location())
	if !ok {
		d = pub.Today(now)
	}
	section := feeds.Section(it.Categories, f.Categories, f.Section)
	if _, known := pub.SectionRank(section); !known {
		section = f.Section
		if _, known := pub.SectionRank(section); !known {
			section = ""
		}
	}
	a := &newsletter.Article{
		PublicationID: pub.ID, Key: ArticleKey(f, it.Key), Date: d, Section: section, Status: f.Status,
		Title: oneLine(it.Title, maxTitle), Author: oneLine(it.Author, maxLine), Body: it.Body,
	}
	if a.Title == "" {
		a.Title = "Untitled"
	}
	if f.Content != newsletter.FeedExcerpt {
		a.Deck = oneLine(it.Summary, maxLine)
	}
	if len(it.Link) <= maxURL {
		a.SourceURL = it.Link
	}
	if !it.Image.InBody && len(it.Image.URL) <= maxURL {
		a.SourceImage = it.Image.URL
	}
	if err := a.Validate(pub, ""); err != nil {
		return nil, err
	}
	return a, nil
}

// ArticleKey is the key of the article a feed's item makes:
// "feed:<feed ID>:<item key>" (the item's GUID, Atom id or link), with a
// digest of the item key in its place when that would be too long.
func ArticleKey(f *newsletter.Feed, itemKey string) string {
	key := fmt.Sprintf("feed:%d:%s", f.ID, itemKey)
	if newsletter.KeyProblem(key) != "" {
		sum := sha256.Sum256([]byte(itemKey))
		key = fmt.Sprintf("feed:%d:sha256:%x", f.ID, sum)
	}
	return key
}

// oneLine is s on one line, cut to n characters with an ellipsis.
func oneLine(s string, n int) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r < 0x20 || r == 0x7f || r == 0x85 || r == 0x2028 || r == 0x2029 || r == ' ' || r == '\t'
	}), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// Result is what one feed's poll did.
type Result struct {
	Feed *newsletter.Feed
	Poll newsletter.FeedPoll
	Err  error
}

// PollDue polls every feed due now, a few at once, and returns what each
// poll did.
func (p *Poller) PollDue(ctx context.Context) ([]Result, error) {
	var out []Result
	for {
		due, err := p.st.ClaimDueFeeds(ctx, p.now(), p.hold, 100)
		if err != nil {
			return out, err
		}
		if len(due) == 0 {
			return out, nil
		}
		out = append(out, p.PollAll(ctx, due)...)
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
	}
}

// PollAll polls the feeds now, a few at once, in their order.
func (p *Poller) PollAll(ctx context.Context, list []*newsletter.Feed) []Result {
	out := make([]Result, len(list))
	sem := make(chan struct{}, p.parallel)
	var wg sync.WaitGroup
	for i, f := range list {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			res, err := p.Poll(ctx, f)
			out[i] = Result{Feed: f, Poll: res, Err: err}
		})
	}
	wg.Wait()
	return out
}

// Run polls each feed when it is due until ctx is done: at start, every
// Tick, and when woken.
func (p *Poller) Run(ctx context.Context) {
	t := time.NewTicker(p.tick)
	defer t.Stop()
	for {
		if _, err := p.PollDue(ctx); err != nil && ctx.Err() == nil {
			p.log.Error("feed poller", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-p.wake:
		}
	}
}
