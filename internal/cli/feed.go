package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"masthead/feeds"
	"masthead/feeds/poller"
	"masthead/newsletter"
)

// The feed commands: a newsroom's RSS, Atom or JSON feeds that a publication
// takes articles from. `serve` polls each by itself when it is due.

// categoryMap is --category CATEGORY=SECTION, repeatable.
type categoryMap map[string]string

func (m categoryMap) String() string {
	parts := make([]string, 0, len(m))
	for k, v := range m {
		parts = append(parts, k+"="+v)
	}
	return strings.Join(parts, ",")
}

func (m categoryMap) Set(v string) error {
	from, to, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(from) == "" {
		return fmt.Errorf("%q: want CATEGORY=SECTION", v)
	}
	m[strings.TrimSpace(from)] = strings.TrimSpace(to)
	return nil
}

// feedsAllowPrivateFlag is --feeds-allow-private (MASTHEAD_FEEDS_ALLOW_PRIVATE):
// fetch feeds from loopback and private addresses.
func (a *app) feedsAllowPrivateFlag(fs *flag.FlagSet) *bool {
	def := false
	if v := a.env.Getenv("MASTHEAD_FEEDS_ALLOW_PRIVATE"); v != "" {
		def, _ = strconv.ParseBool(v)
	}
	return fs.Bool("feeds-allow-private", def, "fetch feeds from loopback and private addresses too (an intranet CMS, a feed on this machine; MASTHEAD_FEEDS_ALLOW_PRIVATE=1); off, an editor cannot make the server probe its own network")
}

func runFeedAdd(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var f newsletter.Feed
	var pubSlug, status, content string
	categories := categoryMap{}
	fs.StringVar(&pubSlug, "publication", "", "publication slug (needed only when there are several)")
	fs.StringVar(&f.Section, "section", "", "section of the feed's articles (when no --category maps theirs)")
	fs.Var(categories, "category", "CATEGORY=SECTION: articles of a feed category go to a section (repeatable)")
	fs.StringVar(&status, "status", "ready", "new articles are ready (go into the issue of their date) or draft (wait for an editor)")
	fs.StringVar(&content, "content", "full", "the article body: full (the whole text the feed gives) or excerpt (its summary)")
	fs.DurationVar(&f.Interval, "interval", newsletter.DefaultFeedInterval, "how often to poll the feed (1m to 168h)")
	url, err := a.parseOne(fs, args, "feed URL")
	if err != nil {
		return err
	}
	p, err := a.findPublication(ctx, pubSlug, false)
	if err != nil {
		return err
	}
	f.URL, f.Status, f.Content, f.Categories = url, newsletter.ArticleStatus(status), newsletter.FeedContent(content), categories
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}
	if err := work.AddFeed(ctx, p, &f); err != nil {
		return fmt.Errorf("feed not added:\n%w", err)
	}
	fmt.Fprintf(a.env.Stdout, "added feed %d %s to %s; 'masthead serve' polls it every %s, 'masthead feed poll %d' now\n",
		f.ID, f.URL, p.Slug, f.Interval, f.ID)
	return nil
}

func runFeedList(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var pubSlug string
	fs.StringVar(&pubSlug, "publication", "", "publication slug (needed only when there are several)")
	if _, err := a.parse(fs, args); err != nil {
		return err
	}
	p, err := a.findPublication(ctx, pubSlug, false)
	if err != nil {
		return err
	}
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}
	list, err := work.ListFeeds(ctx, p)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tURL\tSECTION\tSTATUS\tCONTENT\tEVERY\tLAST POLL\tNEXT POLL\tFAILURES\tLAST ERROR")
	loc := p.Location()
	for _, f := range list {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", f.ID, f.URL, f.Section, f.Status, f.Content, f.Interval,
			when(f.LastAttempt, loc), when(f.NextPoll, loc), f.Failures, clip(f.LastError, 100))
	}
	return tw.Flush()
}

// when is a time in the publication's zone, the zone named, for a listing;
// "-" for never.
func when(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(loc).Format("2006-01-02 15:04:05 MST")
}

func runFeedRemove(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var pubSlug string
	fs.StringVar(&pubSlug, "publication", "", "publication slug (needed only when there are several)")
	arg, err := a.parseOne(fs, args, "feed ID")
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil {
		return usageErr("feed ID %q: want a number from 'masthead feed list'", arg)
	}
	p, err := a.findPublication(ctx, pubSlug, false)
	if err != nil {
		return err
	}
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}
	if err := work.RemoveFeed(ctx, p, id); err != nil {
		return err
	}
	fmt.Fprintf(a.env.Stdout, "removed feed %d; its articles stay\n", id)
	return nil
}

// runFeedPoll polls one feed, or every feed of the publication, once, now.
// It exits 1 when a feed failed (its error is also kept for 'feed list').
func runFeedPoll(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var pubSlug string
	fs.StringVar(&pubSlug, "publication", "", "publication slug (needed only when there are several)")
	allowPrivate := a.feedsAllowPrivateFlag(fs)
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usageErr("one feed ID at most (none: every feed)")
	}
	p, err := a.findPublication(ctx, pubSlug, false)
	if err != nil {
		return err
	}
	if _, err := a.feedPoller(ctx, *allowPrivate); err != nil {
		return err
	}
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}
	var results []poller.Result
	if len(pos) == 1 {
		id, err := strconv.ParseInt(pos[0], 10, 64)
		if err != nil {
			return usageErr("feed ID %q: want a number from 'masthead feed list'", pos[0])
		}
		res, err := work.PollFeed(ctx, p, id)
		if err != nil {
			return err
		}
		results = append(results, res)
	} else if results, err = work.PollFeeds(ctx, p); err != nil {
		return err
	}
	if len(results) == 0 {
		fmt.Fprintf(a.env.Stdout, "%s takes no feed yet: add one with 'masthead feed add URL'\n", p.Slug)
	}
	failed := 0
	for _, r := range results {
		if r.Err != nil {
			failed++
			hint := ""
			if errors.Is(r.Err, feeds.ErrPrivateAddress) {
				hint = "; allow them with --feeds-allow-private (MASTHEAD_FEEDS_ALLOW_PRIVATE=1)"
			}
			fmt.Fprintf(a.env.Stdout, "feed %d %s: error: %v%s (next poll %s)\n", r.Feed.ID, r.Feed.URL, r.Err, hint, when(r.Feed.NextPoll, p.Location()))
			continue
		}
		fmt.Fprintf(a.env.Stdout, "feed %d %s: %s\n", r.Feed.ID, r.Feed.URL, pollSummary(r.Poll))
		for _, s := range r.Poll.Skipped {
			fmt.Fprintf(a.env.Stdout, "  skipped %s\n", s)
		}
	}
	if failed > 0 {
		return exitError{1}
	}
	return nil
}

// pollSummary is "3 new, 1 updated" and what else a poll did.
func pollSummary(r newsletter.FeedPoll) string {
	if r.NotModified {
		return "0 new, 0 updated (not modified)"
	}
	s := fmt.Sprintf("%d new, %d updated", r.New, r.Updated)
	if r.Unchanged > 0 {
		s += fmt.Sprintf(", %d unchanged", r.Unchanged)
	}
	if r.Frozen > 0 {
		s += fmt.Sprintf(", %d changed in issues already sent (kept as sent)", r.Frozen)
	}
	if r.Removed > 0 {
		s += fmt.Sprintf(", %d changed whose article was deleted (not made again)", r.Removed)
	}
	if len(r.Skipped) > 0 {
		s += fmt.Sprintf(", %d skipped", len(r.Skipped))
	}
	return s
}
