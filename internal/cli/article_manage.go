package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"

	"masthead/newsletter"
	"masthead/store"
)

// 'article show', 'article edit' and 'article delete': one article, named
// by its ID (see 'masthead article list').

// articleArg finds the article the one positional argument names, in the
// publication of --publication.
func (a *app) articleArg(ctx context.Context, pos []string, pubSlug string) (*newsletter.Publication, *newsletter.Article, error) {
	if len(pos) != 1 {
		return nil, nil, usageErr("give one article ID (see 'masthead article list')")
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id <= 0 {
		return nil, nil, usageErr("%q is not an article ID", pos[0])
	}
	p, err := a.findPublication(ctx, pubSlug, false)
	if err != nil {
		return nil, nil, err
	}
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	ar, err := work.Article(ctx, p, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, fmt.Errorf("%s has no article %d", p.Slug, id)
	}
	return p, ar, err
}

// runArticleShow prints an article as an article file: importing the
// output again updates the same article (its key is in it).
func runArticleShow(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var pubSlug string
	fs.StringVar(&pubSlug, "publication", "", "publication slug (needed only when there are several)")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	_, ar, err := a.articleArg(ctx, pos, pubSlug)
	if err != nil {
		return err
	}
	data, err := newsletter.FormatArticleFile(ar)
	if err != nil {
		return err
	}
	_, err = a.env.Stdout.Write(data)
	return err
}

// runArticleEdit changes the fields given by flags and keeps the others.
func runArticleEdit(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var pubSlug, title, deck, section, author, status, date, key, bodyFile string
	var position int
	fs.StringVar(&pubSlug, "publication", "", "publication slug (needed only when there are several)")
	fs.StringVar(&title, "title", "", "headline")
	fs.StringVar(&deck, "deck", "", "summary under the headline")
	fs.StringVar(&section, "section", "", "section")
	fs.StringVar(&author, "author", "", "byline")
	fs.StringVar(&status, "status", "", "ready or draft")
	fs.StringVar(&date, "date", "", "issue date YYYY-MM-DD")
	fs.IntVar(&position, "position", 0, "order within the section")
	fs.StringVar(&key, "key", "", "the article's key (unique within the publication)")
	fs.StringVar(&bodyFile, "body-file", "", "new Markdown body from FILE (- for stdin)")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	p, ar, err := a.articleArg(ctx, pos, pubSlug)
	if err != nil {
		return err
	}
	oldDate, edition := ar.Date, ar.Edition
	if set["date"] {
		if ar.Date, err = newsletter.ParseDate(date); err != nil {
			return usageErr("--date: %v", err)
		}
	}
	for _, f := range []struct {
		name string
		dst  *string
		v    string
	}{{"title", &ar.Title, title}, {"deck", &ar.Deck, deck}, {"section", &ar.Section, section}, {"author", &ar.Author, author}, {"key", &ar.Key, key}} {
		if set[f.name] {
			*f.dst = f.v
		}
	}
	if set["key"] && key == "" {
		return usageErr("--key: give a key (an article always has one)")
	}
	if set["status"] {
		ar.Status = newsletter.ArticleStatus(status)
	}
	if set["position"] {
		ar.Position = position
	}
	if set["body-file"] {
		in, src, err := a.input(bodyFile)
		if err != nil {
			return fmt.Errorf("article body: %w", err)
		}
		body, err := io.ReadAll(io.LimitReader(in, 2<<20))
		in.Close()
		if err != nil {
			return fmt.Errorf("read %s: %w", src, err)
		}
		ar.Body = string(body)
	}
	if len(set) == 0 || (len(set) == 1 && set["publication"]) {
		return usageErr("nothing to change: give --title, --deck, --section, --author, --status, --date, --position, --key or --body-file")
	}
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}
	if err := work.SaveArticle(ctx, p, ar); err != nil {
		return fmt.Errorf("article %d not changed:\n%w", ar.ID, err)
	}
	fmt.Fprintf(a.env.Stdout, "updated article %d %q for %s (key %s)\n", ar.ID, ar.Title, ar.Date, ar.Key)
	a.warnIfSent(ctx, p, ar.Date, ar.Edition)
	if oldDate != ar.Date {
		a.warnIfSent(ctx, p, oldDate, edition)
	}
	return nil
}

// runArticleDelete removes an article. An issue already assembled keeps its
// copy until it is assembled again; one that went out keeps it for good.
func runArticleDelete(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	var pubSlug string
	fs.StringVar(&pubSlug, "publication", "", "publication slug (needed only when there are several)")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	p, ar, err := a.articleArg(ctx, pos, pubSlug)
	if err != nil {
		return err
	}
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}
	if err := work.DeleteArticle(ctx, ar.ID); err != nil {
		return err
	}
	fmt.Fprintf(a.env.Stdout, "deleted article %d %q of %s (key %s)\n", ar.ID, ar.Title, ar.Date, ar.Key)
	if iss, err := a.read().IssueByEdition(ctx, p.ID, ar.Date, ar.Edition); err == nil {
		if iss.Status.Frozen() {
			fmt.Fprintf(a.env.Stderr, "note: the %s issue of %s is %s; it keeps the article as it went out\n", p.Slug, ar.Date, iss.Status)
		} else {
			fmt.Fprintf(a.env.Stderr, "note: the %s issue of %s keeps its copy until it is assembled again\n", p.Slug, ar.Date)
		}
	}
	return nil
}
