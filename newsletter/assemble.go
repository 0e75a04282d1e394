package newsletter

import (
	"context"
	"fmt"
	"html/template"
	"sort"
	"strings"
	"sync"

	"masthead/templates"
)

// Store is what assembly needs from the database.
type Store interface {
	ArticlesFor(ctx context.Context, publicationID int64, d Date, status ArticleStatus) ([]*Article, error)
	// AssembleIssue stores what build returns for (publication, date) in one
	// transaction; it returns ErrFrozen for an issue that is sending or sent.
	AssembleIssue(ctx context.Context, publicationID int64, d Date,
		build func(existing *Issue, next Numberer) (*Issue, error)) (*Issue, error)
}

// Assembler turns a date's ready articles into a numbered, rendered issue.
type Assembler struct {
	store   Store
	baseURL string

	mu     sync.Mutex
	themes map[string]*templates.Theme // by template directory ("" is the built-in theme)
}

// NewAssembler returns an Assembler; baseURL is the public web address used for
// "view in your browser" and "Return to Main Page" links.
func NewAssembler(st Store, baseURL string) *Assembler {
	return &Assembler{store: st, baseURL: strings.TrimSuffix(baseURL, "/"), themes: map[string]*templates.Theme{}}
}

// Theme loads (once) the theme of a publication; a broken override fails here.
func (a *Assembler) Theme(p *Publication) (*templates.Theme, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if t, ok := a.themes[p.TemplateDir]; ok {
		return t, nil
	}
	t, err := templates.Load(p.TemplateDir)
	if err != nil {
		return nil, fmt.Errorf("templates of %s: %w", p.Slug, err)
	}
	a.themes[p.TemplateDir] = t
	return t, nil
}

// WebURL is the stable address of an issue on the web edition.
func (a *Assembler) WebURL(p *Publication, d Date) string {
	return a.baseURL + "/issues/" + p.Slug + "/" + d.String()
}

// HomeURL is the web edition's main page.
func (a *Assembler) HomeURL() string { return a.baseURL + "/" }

// Assemble numbers (once) and renders the issue of p for date d from its ready
// articles, and stores it. Assembling again before sending picks up late edits
// and keeps the numbers; once sending has started it returns ErrFrozen. A date
// with no ready articles returns ErrEmptyIssue and stores nothing.
func (a *Assembler) Assemble(ctx context.Context, p *Publication, d Date) (*Issue, error) {
	articles, err := a.store.ArticlesFor(ctx, p.ID, d, Ready)
	if err != nil {
		return nil, err
	}
	if len(articles) == 0 {
		return nil, fmt.Errorf("%s %s: %w", p.Slug, d, ErrEmptyIssue)
	}
	SortArticles(p, articles)
	theme, err := a.Theme(p)
	if err != nil {
		return nil, err
	}
	snapshot, err := Snapshot(articles)
	if err != nil {
		return nil, err
	}
	return a.store.AssembleIssue(ctx, p.ID, d, func(existing *Issue, next Numberer) (iss *Issue, err error) {
		iss = &Issue{PublicationID: p.ID, Date: d, Status: Assembled, Articles: snapshot}
		if existing != nil {
			iss.Volume, iss.Number, iss.NumbersOverridden = existing.Volume, existing.Number, existing.NumbersOverridden
			// Re-assembly keeps an editor's or the scheduler's decision (held,
			// skipped, missed, scheduled): previewing a skipped date must not
			// make it sendable again.
			iss.Status, iss.SendAt = existing.Status, existing.SendAt
		} else if iss.Volume, iss.Number, err = p.Number(d, next); err != nil {
			return nil, err
		}
		view := a.View(p, iss)
		html, text, err := theme.RenderEmail(view)
		if err != nil {
			return nil, fmt.Errorf("render %s %s: %w", p.Slug, d, err)
		}
		iss.HTML, iss.Text, iss.Subject = html, text, templates.Subject(view)
		return iss, nil
	})
}

// View is what the templates see of an issue of p.
func (a *Assembler) View(p *Publication, iss *Issue) *templates.Issue {
	copyright := p.CopyrightLine(iss.Date)
	address := p.Address // the law's postal address, once in the footer
	if strings.Contains(copyright, address) {
		address = ""
	}
	v := &templates.Issue{
		PublicationName: p.Name,
		Tagline:         p.Tagline,
		Volume:          iss.Volume,
		Number:          iss.Number,
		Date:            iss.Date.Long(),
		ISODate:         iss.Date.String(),
		Copyright:       copyright,
		Address:         address,
		WebURL:          a.WebURL(p, iss.Date),
		HomeURL:         a.HomeURL(),
	}
	for _, ar := range iss.Articles {
		v.Articles = append(v.Articles, templates.Article{
			Anchor: ar.Anchor, Section: ar.Section, Title: ar.Title, Deck: ar.Deck, Author: ar.Author,
			HTML: template.HTML(ar.HTML), Text: ar.Text,
		})
	}
	return v
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

// Snapshot renders each article's Markdown and returns the issue's copy of them,
// with an in-page anchor for each.
func Snapshot(articles []*Article) ([]IssueArticle, error) {
	md := templates.NewMarkdown()
	out := make([]IssueArticle, 0, len(articles))
	for i, ar := range articles {
		html, text, err := md.Markdown(ar.Body)
		if err != nil {
			return nil, fmt.Errorf("article %d %q: %w", ar.ID, ar.Title, err)
		}
		out = append(out, IssueArticle{
			ArticleID: ar.ID, Anchor: fmt.Sprintf("article-%d", i+1), Section: ar.Section, Position: ar.Position,
			Title: ar.Title, Deck: ar.Deck, Author: ar.Author, Markdown: ar.Body, HTML: string(html), Text: text,
		})
	}
	return out, nil
}
