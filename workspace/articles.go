package workspace

import (
	"context"
	"errors"
	"fmt"
	"html/template"

	"masthead/newsletter"
	"masthead/store"
	"masthead/templates"
)

// SaveArticle validates an article against its publication and stores it
// (ID 0 creates it). A new article without a position goes last in its
// section, whoever adds it (the CLI, the admin, the API). An article without
// a key gets the one masthead assigns (newsletter.AssignedKey); a key
// another article of the publication has is refused, naming that article.
func (s *Service) SaveArticle(ctx context.Context, p *newsletter.Publication, a *newsletter.Article) error {
	a.PublicationID = p.ID
	if err := s.resolveLeadImage(ctx, a); err != nil {
		return err
	}
	if err := a.Validate(p, ""); err != nil {
		return err
	}
	if err := s.checkEdition(ctx, p, a); err != nil {
		return err
	}
	if err := s.keyFree(ctx, a); err != nil {
		return err
	}
	if a.ID == 0 && a.Position == 0 {
		same, err := s.st.EditionArticles(ctx, p.ID, a.Date, a.Edition, "")
		if err != nil {
			return err
		}
		a.Position = lastPosition(same, a.Section) + 1
	}
	return s.st.SaveArticles(ctx, a)
}

// keyFree refuses a's key when another article of its publication has it.
func (s *Service) keyFree(ctx context.Context, a *newsletter.Article) error {
	if a.Key == "" {
		return nil
	}
	other, err := s.st.ArticleByKey(ctx, a.PublicationID, a.Key)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil
	case err != nil:
		return err
	case other.ID != a.ID:
		return newsletter.Errors{&newsletter.FieldError{Field: "key",
			Msg: fmt.Sprintf("%q is already the key of article %d (%q of %s)", a.Key, other.ID, other.Title, other.Date)}}
	}
	return nil
}

// lastPosition is the highest position in section among list (0 for none).
func lastPosition(list []*newsletter.Article, section string) int {
	last := 0
	for _, o := range list {
		if o.Section == section && o.Position > last {
			last = o.Position
		}
	}
	return last
}

// ImportArticles stores articles read from files (newsletter.ReadArticleFiles,
// which gives each its key) in one transaction, all or nothing: an article
// with the key of a stored one updates it in place, whatever its headline
// now; any other is created. Nothing else matches: two articles with one
// headline on one date are two articles. An article whose file gives no
// position keeps the stored one's, or, when new, goes last in its section
// as SaveArticle puts it. Two articles with one key are refused. It reports
// what it did to each article. An article whose Edition is KeepEdition
// (its file and the editor named none) stays in the edition of the stored
// article with its key when its date stays; otherwise, and when new, it
// belongs to its date's daily issue.
func (s *Service) ImportArticles(ctx context.Context, p *newsletter.Publication, articles []*newsletter.Article) ([]newsletter.ArticleChange, error) {
	var errs newsletter.Errors
	for i, a := range articles {
		a.PublicationID = p.ID
		err := s.keepEdition(ctx, a)
		if err == nil {
			err = s.resolveLeadImage(ctx, a)
		}
		if err == nil {
			err = a.Validate(p, "")
		}
		if err == nil {
			err = s.checkEdition(ctx, p, a)
		}
		if err == nil {
			err = s.importKey(ctx, a)
		}
		if err != nil {
			errs = append(errs, &newsletter.ArticleError{Index: i, Title: a.Title, Err: err})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	changes, err := s.st.ImportArticles(ctx, articles...)
	if err == nil {
		s.log.Info("articles imported", "publication", p.Slug, "articles", len(articles))
	}
	return changes, err
}

// importKey refuses an imported article without a key, or with one of the
// form masthead assigns that no stored article has (the store would refuse
// it too, but without saying which article).
func (s *Service) importKey(ctx context.Context, a *newsletter.Article) error {
	if a.Key == "" {
		return &newsletter.FieldError{Field: "key", Msg: "is required to import"}
	}
	if _, ok := newsletter.IsAssignedKey(a.Key); !ok {
		return nil
	}
	var id int64
	old, err := s.st.ArticleByKey(ctx, a.PublicationID, a.Key)
	switch {
	case err == nil:
		id = old.ID
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	if msg := newsletter.AssignedKeyProblem(a.Key, id); msg != "" {
		return &newsletter.FieldError{Field: "key", Msg: msg}
	}
	return nil
}

// KeepEdition is the Edition of an imported article that names none: it
// keeps the stored article's (ImportArticles).
const KeepEdition = -1

// keepEdition gives an article with Edition KeepEdition the edition of the
// stored article with its key, when that one has its date; else the daily's.
func (s *Service) keepEdition(ctx context.Context, a *newsletter.Article) error {
	if a.Edition != KeepEdition {
		return nil
	}
	a.Edition = 0
	if a.Key == "" {
		return nil
	}
	old, err := s.st.ArticleByKey(ctx, a.PublicationID, a.Key)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil
	case err != nil:
		return err
	case old.Date == a.Date:
		a.Edition = old.Edition
	}
	return nil
}

// UpsertArticle stores a as the publication's article with its key
// (a.Key, required): it creates it, updates the one with that key in place,
// or leaves it alone when nothing changed or when the issue of its date went
// out or is going out (newsletter.ArticleFrozen). A position of 0 keeps the
// stored one's, or puts a new article last in its section.
func (s *Service) UpsertArticle(ctx context.Context, p *newsletter.Publication, a *newsletter.Article) (newsletter.ArticleChange, error) {
	a.PublicationID = p.ID
	if err := s.resolveLeadImage(ctx, a); err != nil {
		return "", err
	}
	if err := a.Validate(p, ""); err != nil {
		return "", err
	}
	if a.Key == "" {
		return "", newsletter.Errors{&newsletter.FieldError{Field: "key", Msg: "is required"}}
	}
	change, err := s.st.UpsertArticleByKey(ctx, a)
	if err == nil && change != newsletter.ArticleUnchanged {
		s.log.Info("article stored by key", "publication", p.Slug, "key", a.Key, "article", a.ID, "change", string(change))
	}
	return change, err
}

// DeleteArticle removes an article. An issue already assembled keeps its
// copy until it is assembled again.
func (s *Service) DeleteArticle(ctx context.Context, id int64) error {
	if err := s.st.DeleteArticle(ctx, id); err != nil {
		return err
	}
	s.log.Info("article deleted", "article", id)
	return nil
}

// Article returns one of p's articles.
func (s *Service) Article(ctx context.Context, p *newsletter.Publication, id int64) (*newsletter.Article, error) {
	a, err := s.st.Article(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.PublicationID != p.ID {
		return nil, fmt.Errorf("article %d: %w", id, store.ErrNotFound)
	}
	return a, nil
}

// Arrange sets the order of a date's articles: ids in the order they should
// appear. Each article's position becomes its place within its section; the
// sections themselves keep the publication's order. Articles of the date not
// in ids keep their positions after the listed ones.
func (s *Service) Arrange(ctx context.Context, p *newsletter.Publication, d newsletter.Date, ids []int64) error {
	return s.ArrangeEdition(ctx, p, d, 0, ids)
}

// ArrangeEdition is Arrange of the articles of edition e of the date.
func (s *Service) ArrangeEdition(ctx context.Context, p *newsletter.Publication, d newsletter.Date, e int, ids []int64) error {
	// The order of a date that went out is the order it went out in.
	if iss, err := s.st.IssueByEdition(ctx, p.ID, d, e); err == nil && iss.Status.Frozen() {
		return fmt.Errorf("the articles of %s %s: %w", p.Slug, d, newsletter.ErrFrozen)
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	list, err := s.st.EditionArticles(ctx, p.ID, d, e, "")
	if err != nil {
		return err
	}
	byID := make(map[int64]*newsletter.Article, len(list))
	for _, a := range list {
		byID[a.ID] = a
	}
	next := map[string]int{}
	var changed []*newsletter.Article
	seen := map[int64]bool{}
	for _, id := range ids {
		a, ok := byID[id]
		if !ok || seen[id] {
			return fmt.Errorf("article %d is not one of %s's articles of %s: %w", id, p.Slug, d, store.ErrNotFound)
		}
		seen[id] = true
		next[a.Section]++
		a.Position = next[a.Section]
		changed = append(changed, a)
	}
	for _, a := range list {
		if !seen[a.ID] {
			next[a.Section]++
			a.Position = next[a.Section]
			changed = append(changed, a)
		}
	}
	return s.st.SaveArticles(ctx, changed...)
}

// Move moves an article one place up (-1) or down (+1) within its section on
// its date.
func (s *Service) Move(ctx context.Context, p *newsletter.Publication, id int64, delta int) error {
	a, err := s.Article(ctx, p, id)
	if err != nil {
		return err
	}
	list, err := s.st.EditionArticles(ctx, p.ID, a.Date, a.Edition, "")
	if err != nil {
		return err
	}
	newsletter.SortArticles(p, list)
	ids := make([]int64, len(list))
	at := -1
	for i, o := range list {
		ids[i] = o.ID
		if o.ID == id {
			at = i
		}
	}
	to := at + delta
	if at < 0 || to < 0 || to >= len(ids) || list[to].Section != a.Section {
		return nil // already first or last in its section
	}
	ids[at], ids[to] = ids[to], ids[at]
	return s.ArrangeEdition(ctx, p, a.Date, a.Edition, ids)
}

// RenderMarkdown renders an article body as the issue will show it (the live
// preview of the editor).
func RenderMarkdown(body string) (template.HTML, error) {
	html, _, err := templates.NewMarkdown().Markdown(body)
	return html, err
}
