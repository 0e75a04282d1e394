package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"masthead/newsletter"
)

// Articles by key: imports and feeds name an article by its key
// (newsletter.Article.Key), which stays whatever its headline or date become.

// ArticleByKey returns the publication's article with key.
func (s *Store) ArticleByKey(ctx context.Context, publicationID int64, key string) (*newsletter.Article, error) {
	a, err := scanArticle(s.db.QueryRowContext(ctx, s.q(`SELECT `+articleColumns+` FROM articles
		WHERE publication_id = ? AND article_key = ?`), publicationID, key))
	return a, s.mapErr(err)
}

// UpsertArticleByKey stores a (its PublicationID and Key set, already
// validated) as the publication's article with its key: it creates one when
// none has the key, else updates that one in place (a.ID becomes its id),
// or reports ArticleUnchanged when a says what is stored. A position of 0
// keeps the stored article's (when its date and section stay) or puts the
// article last in its section. A change to an article whose date's issue
// went out or is going out (its stored date's or its new one's) is not
// made: ArticleFrozen. Two processes creating one key at once: one of them
// gets ErrConflict (storing again then updates).
func (s *Store) UpsertArticleByKey(ctx context.Context, a *newsletter.Article) (newsletter.ArticleChange, error) {
	var change newsletter.ArticleChange
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		change, err = s.upsertArticle(ctx, tx, a, true)
		return err
	})
	return change, err
}

// ImportArticles stores articles read from files as UpsertArticleByKey
// does, all in one transaction (either every article is stored or none is),
// and reports what it did to each. Unlike a feed, an import updates an
// article of an issue already sent too: the sent issue keeps its copy.
// Two articles with one key are refused (newsletter.ReadArticleFiles names
// their files).
func (s *Store) ImportArticles(ctx context.Context, articles ...*newsletter.Article) ([]newsletter.ArticleChange, error) {
	changes := make([]newsletter.ArticleChange, len(articles))
	seen := map[string]int{}
	for i, a := range articles {
		if a.Key == "" {
			return nil, fmt.Errorf("import article %q: no key", a.Title)
		}
		if j, ok := seen[a.Key]; ok {
			return nil, newsletter.Errors{&newsletter.FieldError{Field: "key",
				Msg: fmt.Sprintf("articles %d (%q) and %d (%q) have one key %q", j+1, articles[j].Title, i+1, a.Title, a.Key)}}
		}
		seen[a.Key] = i
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for i, a := range articles {
			var err error
			if changes[i], err = s.upsertArticle(ctx, tx, a, false); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return changes, nil
}

// upsertArticle is UpsertArticleByKey inside tx; skipFrozen leaves the
// articles of frozen issues alone.
func (s *Store) upsertArticle(ctx context.Context, tx *sql.Tx, a *newsletter.Article, skipFrozen bool) (newsletter.ArticleChange, error) {
	if a.Key == "" {
		return "", fmt.Errorf("store article %q by key: no key", a.Title)
	}
	old, err := scanArticle(tx.QueryRowContext(ctx, s.q(`SELECT `+articleColumns+` FROM articles
		WHERE publication_id = ? AND article_key = ?`+s.dialect.forUpdate()), a.PublicationID, a.Key))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("article with key %q: %w", a.Key, err)
	}
	if old != nil {
		a.ID, a.CreatedAt = old.ID, old.CreatedAt
		if a.Position == 0 {
			if old.Date == a.Date && old.Edition == a.Edition && old.Section == a.Section {
				a.Position = old.Position
			} else if a.Position, err = s.nextPosition(ctx, tx, a); err != nil {
				return "", err
			}
		}
		if sameArticle(old, a) {
			a.UpdatedAt = old.UpdatedAt
			return newsletter.ArticleUnchanged, nil
		}
	}
	if skipFrozen {
		type edition struct {
			d newsletter.Date
			e int
		}
		editions := []edition{{a.Date, a.Edition}}
		if old != nil && (old.Date != a.Date || old.Edition != a.Edition) {
			editions = append(editions, edition{old.Date, old.Edition})
		}
		for _, ed := range editions {
			frozen, err := s.dateFrozen(ctx, tx, a.PublicationID, ed.d, ed.e)
			if err != nil {
				return "", err
			}
			if frozen {
				return newsletter.ArticleFrozen, nil
			}
		}
	}
	if old == nil {
		a.ID = 0
		if a.Position == 0 {
			if a.Position, err = s.nextPosition(ctx, tx, a); err != nil {
				return "", err
			}
		}
		if err := s.saveArticle(ctx, tx, a); err != nil {
			return "", err
		}
		return newsletter.ArticleCreated, nil
	}
	if err := s.saveArticle(ctx, tx, a); err != nil {
		return "", err
	}
	return newsletter.ArticleUpdated, nil
}

// nextPosition is the position after the last of a's section in its
// date's edition.
func (s *Store) nextPosition(ctx context.Context, tx *sql.Tx, a *newsletter.Article) (int, error) {
	var last int
	err := tx.QueryRowContext(ctx, s.q(`SELECT COALESCE(MAX(position), 0) FROM articles
		WHERE publication_id = ? AND issue_date = ? AND edition = ? AND section = ?`), a.PublicationID, a.Date.String(),
		a.Edition, a.Section).Scan(&last)
	if err != nil {
		return 0, fmt.Errorf("last position of %s %q: %w", a.Date, a.Section, err)
	}
	return last + 1, nil
}

// dateFrozen reports whether the publication's issue of d (edition e of
// that date) went out or is going out.
func (s *Store) dateFrozen(ctx context.Context, tx *sql.Tx, publicationID int64, d newsletter.Date, e int) (bool, error) {
	var status string
	err := tx.QueryRowContext(ctx, s.q(`SELECT status FROM issues WHERE publication_id = ? AND issue_date = ? AND edition = ?`),
		publicationID, d.String(), e).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("issue of %s: %w", d, err)
	}
	return newsletter.IssueStatus(status).Frozen(), nil
}

// sameArticle reports whether storing b over a would change nothing.
func sameArticle(a, b *newsletter.Article) bool {
	return a.Date == b.Date && a.Edition == b.Edition && a.Section == b.Section && a.Position == b.Position && a.Title == b.Title &&
		a.Deck == b.Deck && a.Author == b.Author && a.Body == b.Body && a.Status == b.Status && a.Key == b.Key &&
		a.LeadImage == b.LeadImage && a.LeadAlt == b.LeadAlt
}
