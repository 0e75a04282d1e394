package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"masthead/newsletter"
	"masthead/store"
	"masthead/workspace"
)

func runArticleAdd(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var ar newsletter.Article
	var date, pubSlug, status string
	fs.StringVar(&date, "date", "", "issue date YYYY-MM-DD (default today in the publication's zone)")
	fs.StringVar(&ar.Title, "title", "", "headline (required)")
	fs.StringVar(&ar.Deck, "deck", "", "summary under the headline")
	fs.StringVar(&ar.Section, "section", "", "section, e.g. News")
	fs.StringVar(&ar.Author, "author", "", "byline")
	fs.StringVar(&ar.LeadImage, "image", "", "lead image: a library picture's id or SHA-256 (masthead media list)")
	fs.StringVar(&ar.LeadAlt, "image-alt", "", "what the lead image shows (default: the library's alt text)")
	fs.StringVar(&ar.Key, "key", "", "the article's key, for later imports (default: assigned, a and its ID)")
	fs.IntVar(&ar.Position, "position", 0, "order within the section")
	fs.StringVar(&status, "status", "ready", "ready or draft")
	fs.StringVar(&pubSlug, "publication", "", "publication slug (needed only when there are several)")
	edition := editionFlag(fs)
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usageErr("one body FILE (or - for stdin) at most")
	}
	if ar.Edition, err = parseEdition(*edition); err != nil {
		return err
	}
	p, err := a.findPublication(ctx, pubSlug, false)
	if err != nil {
		return err
	}
	ar.PublicationID, ar.Status = p.ID, newsletter.ArticleStatus(status)
	if date == "" {
		ar.Date = p.Today(a.now())
	} else if ar.Date, err = newsletter.ParseDate(date); err != nil {
		return usageErr("--date: %v", err)
	}
	name := ""
	if len(pos) == 1 {
		name = pos[0]
	}
	in, src, err := a.input(name)
	if err != nil {
		return fmt.Errorf("article body: %w", err)
	}
	body, err := io.ReadAll(io.LimitReader(in, 2<<20))
	in.Close()
	if err != nil {
		return fmt.Errorf("read %s: %w", src, err)
	}
	ar.Body = string(body)
	if err := ar.Validate(p, src); err != nil {
		return fmt.Errorf("article not added:\n%w", err)
	}
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}
	if err := work.SaveArticle(ctx, p, &ar); err != nil {
		return fmt.Errorf("article not added:\n%w", err)
	}
	fmt.Fprintf(a.env.Stdout, "added article %d %q for %s (key %s)\n", ar.ID, ar.Title, newsletter.EditionRef(ar.Date, ar.Edition), ar.Key)
	a.warnIfSent(ctx, p, ar.Date, ar.Edition)
	return nil
}

// runArticleImport reads every file (directories: their *.md files), checks them
// all, and stores them in one transaction: any error and nothing is imported.
func runArticleImport(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var pubSlug string
	fs.StringVar(&pubSlug, "publication", "", "publication slug (needed only when there are several)")
	image := fs.String("image", "", "lead image of each file that names none (image: in its front matter): a library picture's id or SHA-256")
	imageAlt := fs.String("image-alt", "", "what --image shows (default: the library's alt text)")
	edition := fs.String("edition", "", "edition of their dates the articles belong to: 0 the daily issue, N the extra N (default: a stored article's own, the daily for a new one)")
	paths, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	e := workspace.KeepEdition
	if *edition != "" {
		if e, err = parseEdition(*edition); err != nil {
			return err
		}
	}
	if len(paths) == 0 {
		return usageErr("name at least one Markdown file or directory")
	}
	p, err := a.findPublication(ctx, pubSlug, false)
	if err != nil {
		return err
	}
	files, err := newsletter.ArticleFiles(paths)
	if err != nil {
		return err
	}
	articles, err := newsletter.ReadArticleFiles(files, p)
	if err != nil {
		return fmt.Errorf("nothing imported:\n%w", err)
	}
	for _, ar := range articles {
		if ar.LeadImage == "" && *image != "" {
			ar.LeadImage, ar.LeadAlt = *image, *imageAlt
		}
		ar.Edition = e
	}
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}
	changes, err := work.ImportArticles(ctx, p, articles)
	if err != nil {
		return fmt.Errorf("nothing imported:\n%w", newsletter.ArticleFilesError(err, files))
	}
	for i, ar := range articles {
		verb := "updated"
		switch changes[i] {
		case newsletter.ArticleCreated:
			verb = "imported"
		case newsletter.ArticleUnchanged:
			verb = "unchanged"
		}
		fmt.Fprintf(a.env.Stdout, "%s %s: article %d %q for %s (key %s)\n", verb, files[i], ar.ID, ar.Title, newsletter.EditionRef(ar.Date, ar.Edition), ar.Key)
		if changes[i] != newsletter.ArticleUnchanged {
			a.warnIfSent(ctx, p, ar.Date, ar.Edition)
		}
	}
	return nil
}

func runArticleList(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var date, pubSlug, status string
	var limit int
	fs.StringVar(&date, "date", "", "only this issue date")
	fs.StringVar(&status, "status", "", "only ready or draft")
	fs.StringVar(&pubSlug, "publication", "", "publication slug (needed only when there are several)")
	fs.IntVar(&limit, "limit", 50, "at most this many")
	edition := fs.String("edition", "", "with --date, only this edition of it: 0 the daily issue, N its extra N (default every edition)")
	if _, err := a.parse(fs, args); err != nil {
		return err
	}
	p, err := a.findPublication(ctx, pubSlug, false)
	if err != nil {
		return err
	}
	f := store.ArticleFilter{PublicationID: p.ID, Status: newsletter.ArticleStatus(status), Limit: limit, AllEditions: true}
	if date != "" {
		if f.Date, err = newsletter.ParseDate(date); err != nil {
			return usageErr("--date: %v", err)
		}
	}
	if *edition != "" {
		if date == "" {
			return usageErr("--edition needs --date: an edition is one of a date's issues")
		}
		if f.Edition, err = parseEdition(*edition); err != nil {
			return err
		}
		f.AllEditions = false
	}
	st, err := a.reads(ctx)
	if err != nil {
		return err
	}
	list, err := st.Articles(ctx, f)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDATE\tEDITION\tSECTION\tPOS\tSTATUS\tTITLE\tAUTHOR\tKEY")
	for _, ar := range list {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", ar.ID, ar.Date, editionName(ar.Edition), ar.Section, ar.Position, ar.Status, clip(ar.Title, 60), ar.Author, clip(ar.Key, 40))
	}
	return tw.Flush()
}

// editionName is edition e as lists show it: "daily", "extra-1" ...
func editionName(e int) string {
	if e <= 0 {
		return "daily"
	}
	return fmt.Sprintf("extra-%d", e)
}

func clip(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}

// warnIfSent tells the editor when an article's date has an issue that is
// already going out: the article will not be in it.
func (a *app) warnIfSent(ctx context.Context, p *newsletter.Publication, d newsletter.Date, e int) {
	iss, err := a.read().IssueByEdition(ctx, p.ID, d, e)
	if err == nil && iss.Status.Frozen() {
		fmt.Fprintf(a.env.Stderr, "note: %s's issue of %s is %s; this article is not in it\n", p.Slug, iss.Ref(), iss.Status)
	}
}
