// Package assembly is in charge of making an issue out of a date's ready
// articles: it numbers the issue once (newsletter.Publication.Number), renders
// each article's Markdown and the whole issue once with the publication's
// theme (templates), with the per-recipient slots left open, and stores it in
// one transaction; re-assembling before the send picks up late edits and
// keeps the numbers. It also makes the short "no issue today" notice of an
// empty day, and keeps each publication's theme loaded once.
//
// It is apart from newsletter so that the domain's types and rules (and the
// store, which keeps them) do not depend on the theme and its HTML tooling.
//
// Benchmark: go test -run X -bench Assemble20 -benchmem ./assembly/
package assembly

import (
	"context"
	"fmt"
	"html/template"
	"strings"
	"sync"
	"time"

	"masthead/newsletter"
	"masthead/templates"
)

// Store is what assembly needs from the database.
type Store interface {
	// EditionArticles lists the articles of one edition of a date (0 the
	// daily issue, N its extra N).
	EditionArticles(ctx context.Context, publicationID int64, d newsletter.Date, edition int, status newsletter.ArticleStatus) ([]*newsletter.Article, error)
	// MediaByHash is the library picture whose original has the SHA-256
	// (ledger.ErrNotFound when there is none): a lead image or an image of
	// a body.
	MediaByHash(ctx context.Context, sha string) (*newsletter.Picture, error)
	// AssembleIssue stores what build returns for (publication, date) in one
	// transaction; it returns ErrFrozen for an issue that is sending or sent.
	AssembleIssue(ctx context.Context, publicationID int64, d newsletter.Date,
		build func(existing *newsletter.Issue, next newsletter.Numberer) (*newsletter.Issue, error)) (*newsletter.Issue, error)
	// AssembleEdition is AssembleIssue for an edition of the date; an extra
	// that was not created gives ErrNotFound.
	AssembleEdition(ctx context.Context, publicationID int64, d newsletter.Date, edition int,
		build func(existing *newsletter.Issue, next newsletter.Numberer) (*newsletter.Issue, error)) (*newsletter.Issue, error)
	// CreateExtra stores the date's next extra edition, which build makes
	// from the date's daily issue (nil if none yet).
	CreateExtra(ctx context.Context, publicationID int64, d newsletter.Date,
		build func(daily *newsletter.Issue, edition int, next newsletter.Numberer) (*newsletter.Issue, error)) (*newsletter.Issue, error)
}

// Assembler turns a date's ready articles into a numbered, rendered issue.
type Assembler struct {
	store   Store
	baseURL string
	now     func() time.Time // the assembly time a greeting falls back on

	mu     sync.Mutex
	themes map[string]*templates.Theme // by template directory ("" is the built-in theme)
}

// New returns an Assembler; baseURL is the public web address used for
// "view in your browser" and "Return to Main Page" links of a publication
// that has no base URL of its own (newsletter.Publication.LinkBase).
func New(st Store, baseURL string) *Assembler {
	return &Assembler{store: st, baseURL: strings.TrimSuffix(baseURL, "/"), now: time.Now, themes: map[string]*templates.Theme{}}
}

// Theme loads (once) the theme of a publication; a broken override fails here.
func (a *Assembler) Theme(p *newsletter.Publication) (*templates.Theme, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if t, ok := a.themes[p.TemplateDir]; ok {
		return t, nil
	}
	t, err := templates.Load(p.TemplateDir)
	if err != nil {
		return nil, themeError{slug: p.Slug, err: err}
	}
	a.themes[p.TemplateDir] = t
	return t, nil
}

// WebURL is the stable address of an issue on the web edition.
func (a *Assembler) WebURL(p *newsletter.Publication, d newsletter.Date) string {
	return a.EditionURL(p, d, 0)
}

// EditionURL is WebURL of edition e of the date: /issues/planet/2009-07-09
// for the daily issue, /issues/planet/2009-07-09-extra-1 for its first extra.
func (a *Assembler) EditionURL(p *newsletter.Publication, d newsletter.Date, e int) string {
	return p.LinkBase(a.baseURL) + "/issues/" + p.Slug + "/" + newsletter.EditionRef(d, e)
}

// HomeURL is the web edition's main page, at p's address.
func (a *Assembler) HomeURL(p *newsletter.Publication) string { return p.LinkBase(a.baseURL) + "/" }

// Assemble numbers (once) and renders the issue of p for date d from its ready
// articles, and stores it. Assembling again before sending picks up late edits
// and keeps the numbers; once sending has started it returns ErrFrozen. A date
// with no ready articles returns newsletter.ErrEmptyIssue and stores nothing.
func (a *Assembler) Assemble(ctx context.Context, p *newsletter.Publication, d newsletter.Date) (*newsletter.Issue, error) {
	return a.AssembleEdition(ctx, p, d, 0)
}

// AssembleEdition is Assemble of edition e of the date: 0 the daily issue,
// N the extra N that CreateExtra made (store.ErrNotFound if there is none),
// from that edition's own ready articles.
func (a *Assembler) AssembleEdition(ctx context.Context, p *newsletter.Publication, d newsletter.Date, e int) (*newsletter.Issue, error) {
	articles, err := a.store.EditionArticles(ctx, p.ID, d, e, newsletter.Ready)
	if err != nil {
		return nil, err
	}
	if len(articles) == 0 {
		return nil, fmt.Errorf("%s %s: %w", p.Slug, newsletter.EditionRef(d, e), newsletter.ErrEmptyIssue)
	}
	newsletter.SortArticles(p, articles)
	theme, err := a.Theme(p)
	if err != nil {
		return nil, err
	}
	snapshot, err := a.Snapshot(ctx, p, articles)
	if err != nil {
		return nil, err
	}
	return a.store.AssembleEdition(ctx, p.ID, d, e, func(existing *newsletter.Issue, next newsletter.Numberer) (iss *newsletter.Issue, err error) {
		iss = &newsletter.Issue{PublicationID: p.ID, Date: d, Status: newsletter.Assembled, Articles: snapshot}
		if existing != nil {
			iss.Edition, iss.EditionTitle, iss.CustomSubject = existing.Edition, existing.EditionTitle, existing.CustomSubject
			iss.Volume, iss.Number, iss.NumbersOverridden = existing.Volume, existing.Number, existing.NumbersOverridden
			// Re-assembly keeps an editor's or the scheduler's decision (held,
			// skipped, missed, scheduled): previewing a skipped date must not
			// make it sendable again.
			iss.Status, iss.SendAt = existing.Status, existing.SendAt
		} else if iss.Volume, iss.Number, err = p.Number(d, next); err != nil {
			return nil, err
		}
		return iss, a.render(theme, p, iss)
	})
}

// render renders iss (numbered, with its articles) into its HTML and text
// bodies and its subject: an extra's editor-given subject when it has one.
func (a *Assembler) render(theme *templates.Theme, p *newsletter.Publication, iss *newsletter.Issue) error {
	view := a.View(p, iss)
	html, text, err := theme.RenderEmail(view)
	if err != nil {
		return fmt.Errorf("render %s %s: %w", p.Slug, iss.Ref(), err)
	}
	iss.HTML, iss.Text, iss.Subject = html, text, templates.Subject(view, p.SubjectTemplate)
	if iss.CustomSubject != "" {
		iss.Subject = iss.CustomSubject
	}
	return nil
}

// CreateExtra adds an extra edition to p's date d, named title, with the
// editor's subject (or "" for the theme's): it has the volume and number of
// the date's daily issue (the number the daily will have when it has none
// yet), told apart by its edition mark, and no articles until some are
// added to it; assemble it (AssembleEdition) once they are.
func (a *Assembler) CreateExtra(ctx context.Context, p *newsletter.Publication, d newsletter.Date, title, subject string) (*newsletter.Issue, error) {
	return a.store.CreateExtra(ctx, p.ID, d, func(daily *newsletter.Issue, edition int, next newsletter.Numberer) (iss *newsletter.Issue, err error) {
		iss = &newsletter.Issue{PublicationID: p.ID, Date: d, Status: newsletter.Assembled, Edition: edition,
			EditionTitle: title, CustomSubject: subject}
		if daily != nil {
			iss.Volume, iss.Number = daily.Volume, daily.Number
		} else if iss.Volume, iss.Number, err = p.Number(d, next); err != nil {
			return nil, err
		}
		// No body until it has articles: its send refuses an extra without.
		iss.Subject = templates.Subject(a.View(p, iss), p.SubjectTemplate)
		if subject != "" {
			iss.Subject = subject
		}
		return iss, nil
	})
}

// View is what the templates see of an issue of p.
func (a *Assembler) View(p *newsletter.Publication, iss *newsletter.Issue) *templates.Issue {
	copyright := p.CopyrightLine(iss.Date)
	address := p.Address // the law's postal address, once in the footer
	if strings.Contains(copyright, address) {
		address = ""
	}
	quotes := func(s string) string { return s }
	if p.Wording.Typographic() {
		quotes = templates.Typographic
	}
	assembled := iss.AssembledAt
	if assembled.IsZero() {
		assembled = a.now()
	}
	v := &templates.Issue{
		PublicationName: p.Name,
		Tagline:         quotes(p.Tagline),
		Volume:          iss.Volume,
		Number:          iss.Number,
		Mark:            newsletter.EditionMark(iss.Edition),
		Date:            iss.Date.Long(),
		ISODate:         iss.Date.String(),
		Copyright:       copyright,
		Address:         address,
		WebURL:          a.EditionURL(p, iss.Date, iss.Edition),
		HomeURL:         a.HomeURL(p),
		Lang:            p.Language,
		Greeting:        p.Wording.GreetingText(p.GreetedAt(iss.Date, iss.SendAt, assembled), p.Location()),
		Promise:         p.Wording.PromiseText(),
		BackToTop:       p.Wording.BackToTopText(),
		GoToTop:         p.Wording.GoToTopText(),
	}
	if v.Lang == "" {
		v.Lang = newsletter.DefaultLanguage
	}
	if strings.TrimSpace(p.Wording.Greeting) == "" {
		v.Greeting = templates.Message(v.Lang, "greeting") // the default greeting, in the paper's language
	}
	if iss.IsExtra() {
		v.Edition = iss.EditionTitle
	}
	for _, ar := range iss.Articles {
		v.Articles = append(v.Articles, templates.Article{
			Anchor: ar.Anchor, Section: ar.Section, Title: quotes(ar.Title), Deck: quotes(ar.Deck), Author: ar.Author,
			HTML: template.HTML(ar.HTML), Text: ar.Text, SourceURL: ar.SourceURL, SourceImage: ar.SourceImage,
		})
		if im := ar.LeadImage; im != nil {
			// An uploaded lead image wins over the one the feed names.
			last := &v.Articles[len(v.Articles)-1]
			last.Image = &templates.Image{URL: im.URL, Width: im.Width, Height: im.Height, Alt: im.Alt, Caption: im.Caption}
			last.SourceImage = ""
		}
	}
	return v
}

// Snapshot renders each article's Markdown (with typographic quotes on or
// off: the publication's wording) and returns the issue's copy of them,
// with an in-page anchor for each, and each lead image and library picture
// of a body at its public URL with its width and height. A lead image no
// longer in the library is refused, naming the article.
func (a *Assembler) Snapshot(ctx context.Context, p *newsletter.Publication, articles []*newsletter.Article) ([]newsletter.IssueArticle, error) {
	typographic := p.Wording.Typographic()
	md := templates.NewMarkdownQuotes(typographic)
	// On the publication's own address, as every other link of its email.
	pics := &pictures{ctx: ctx, store: a.store, baseURL: p.LinkBase(a.baseURL), seen: map[string]*newsletter.Picture{}}
	out := make([]newsletter.IssueArticle, 0, len(articles))
	for i, ar := range articles {
		html, text, err := md.MarkdownImages(ar.Body, pics.image)
		if err != nil {
			return nil, fmt.Errorf("article %d %q: %w", ar.ID, ar.Title, err)
		}
		if pics.err != nil {
			return nil, fmt.Errorf("article %d %q: %w", ar.ID, ar.Title, pics.err)
		}
		ia := newsletter.IssueArticle{
			ArticleID: ar.ID, Anchor: fmt.Sprintf("article-%d", i+1), Section: ar.Section, Position: ar.Position,
			Title: ar.Title, Deck: ar.Deck, Author: ar.Author, Markdown: ar.Body, HTML: string(html), Text: text,
			SourceURL: ar.SourceURL, SourceImage: ar.SourceImage,
		}
		if ar.LeadImage != "" {
			if ia.LeadImage, err = pics.lead(ar); err != nil {
				return nil, fmt.Errorf("article %d %q: %w", ar.ID, ar.Title, err)
			}
		}
		out = append(out, ia)
	}
	return out, nil
}

// themeError is a theme's load error with one prefix naming the
// publication: "templates of SLUG: ..." (the templates package's own
// "templates: " dropped).
type themeError struct {
	slug string
	err  error
}

func (e themeError) Error() string {
	return "templates of " + e.slug + ": " + strings.TrimPrefix(e.err.Error(), "templates: ")
}

func (e themeError) Unwrap() error { return e.err }
