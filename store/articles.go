package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"

	"masthead/newsletter"
)

const articleColumns = `id, publication_id, article_key, issue_date, section, position, title, deck, author, body, status,
	lead_image, lead_alt, created_at, updated_at, edition, source_url, source_image`

func scanArticle(row interface{ Scan(...any) error }) (*newsletter.Article, error) {
	var a newsletter.Article
	var date string
	var created, updated int64
	if err := row.Scan(&a.ID, &a.PublicationID, &a.Key, &date, &a.Section, &a.Position, &a.Title, &a.Deck, &a.Author,
		&a.Body, &a.Status, &a.LeadImage, &a.LeadAlt, &created, &updated, &a.Edition, &a.SourceURL, &a.SourceImage); err != nil {
		return nil, err
	}
	d, err := newsletter.ParseDate(date)
	if err != nil {
		return nil, fmt.Errorf("article %d: %w", a.ID, err)
	}
	a.Date, a.CreatedAt, a.UpdatedAt = d, fromMS(created), fromMS(updated)
	return &a, nil
}

// SaveArticles creates (ID 0) or updates each article, all in one transaction:
// either every article is stored or none is.
func (s *Store) SaveArticles(ctx context.Context, articles ...*newsletter.Article) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, a := range articles {
			if err := s.saveArticle(ctx, tx, a); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Store) saveArticle(ctx context.Context, tx *sql.Tx, a *newsletter.Article) error {
	if err := keyFor(a); err != nil {
		return err
	}
	now := s.now()
	if a.ID != 0 {
		// An empty key keeps the stored one.
		res, err := tx.ExecContext(ctx, s.q(`UPDATE articles SET publication_id = ?, issue_date = ?, section = ?,
			position = ?, title = ?, deck = ?, author = ?, body = ?, status = ?, lead_image = ?, lead_alt = ?, updated_at = ?,
			edition = ?, source_url = ?, source_image = ?, article_key = CASE WHEN ? = '' THEN article_key ELSE ? END WHERE id = ?`),
			a.PublicationID, a.Date.String(), a.Section, a.Position, a.Title, a.Deck, a.Author, a.Body, string(a.Status),
			a.LeadImage, a.LeadAlt, ms(now), a.Edition, a.SourceURL, a.SourceImage, a.Key, a.Key, a.ID)
		if err != nil {
			return s.mapErr(fmt.Errorf("update article %d: %w", a.ID, err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if a.Key == "" {
			if err := tx.QueryRowContext(ctx, s.q(`SELECT article_key FROM articles WHERE id = ?`), a.ID).Scan(&a.Key); err != nil {
				return fmt.Errorf("article %d's key: %w", a.ID, err)
			}
		}
		a.UpdatedAt = now
		return nil
	}
	// Without a key the article gets "a" and its id, known once inserted:
	// until then it holds a key no other can.
	key := a.Key
	if key == "" {
		b := make([]byte, 12)
		rand.Read(b)
		key = "new:" + hex.EncodeToString(b)
	}
	err := tx.QueryRowContext(ctx, s.q(`INSERT INTO articles (publication_id, article_key, issue_date, section, position, title,
		deck, author, body, status, lead_image, lead_alt, created_at, updated_at, edition, source_url, source_image)
		VALUES (`+placeholders(17)+`) RETURNING id`),
		a.PublicationID, key, a.Date.String(), a.Section, a.Position, a.Title, a.Deck, a.Author, a.Body, string(a.Status),
		a.LeadImage, a.LeadAlt, ms(now), ms(now), a.Edition, a.SourceURL, a.SourceImage).Scan(&a.ID)
	if err != nil {
		return s.mapErr(fmt.Errorf("create article %q: %w", a.Title, err))
	}
	if a.Key == "" {
		a.Key = newsletter.AssignedKey(a.ID)
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE articles SET article_key = ? WHERE id = ?`), a.Key, a.ID); err != nil {
			return s.mapErr(fmt.Errorf("create article %q: key: %w", a.Title, err))
		}
	}
	a.CreatedAt, a.UpdatedAt = now, now
	return nil
}

// keyFor refuses a key of the form masthead assigns ("a7") for any article
// but the one it names, so that an assigned key is never taken already.
func keyFor(a *newsletter.Article) error {
	if msg := newsletter.AssignedKeyProblem(a.Key, a.ID); msg != "" {
		return newsletter.Errors{&newsletter.FieldError{Field: "key", Msg: msg}}
	}
	return nil
}

// Article returns one article.
func (s *Store) Article(ctx context.Context, id int64) (*newsletter.Article, error) {
	a, err := scanArticle(s.db.QueryRowContext(ctx, s.q(`SELECT `+articleColumns+` FROM articles WHERE id = ?`), id))
	return a, s.mapErr(err)
}

// DeleteArticle removes one article.
func (s *Store) DeleteArticle(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, s.q(`DELETE FROM articles WHERE id = ?`), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// ArticleFilter selects articles for ArticlesFor.
type ArticleFilter struct {
	PublicationID int64
	Date          newsletter.Date // zero: any date
	// Edition, with a Date, is the edition of that date whose articles are
	// listed: 0 (the default) the daily issue's, N the date's extra N.
	// Without a Date every edition's are.
	Edition int
	// AllEditions, with a Date, lists the articles of every edition of that
	// date (the daily issue's first, then each extra's); Edition is ignored.
	AllEditions bool
	Status      newsletter.ArticleStatus // empty: any status
	Limit       int                      // 0: no limit
	Offset      int
}

// Articles lists articles, newest date first, then by edition (the daily
// issue first), section and position.
func (s *Store) Articles(ctx context.Context, f ArticleFilter) ([]*newsletter.Article, error) {
	query := `SELECT ` + articleColumns + ` FROM articles WHERE publication_id = ?`
	args := []any{f.PublicationID}
	switch {
	case f.Date.IsZero():
	case f.AllEditions:
		query += ` AND issue_date = ?`
		args = append(args, f.Date.String())
	default:
		query += ` AND issue_date = ? AND edition = ?`
		args = append(args, f.Date.String(), f.Edition)
	}
	if f.Status != "" {
		query += ` AND status = ?`
		args = append(args, string(f.Status))
	}
	query += ` ORDER BY issue_date DESC, edition, section, position, id`
	if f.Limit > 0 {
		query += ` LIMIT ? OFFSET ?`
		args = append(args, f.Limit, f.Offset)
	}
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*newsletter.Article
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// ArticlesFor lists a publication's articles of one date's daily issue in
// one status (any status when empty); issue assembly reads the ready ones.
func (s *Store) ArticlesFor(ctx context.Context, publicationID int64, d newsletter.Date, status newsletter.ArticleStatus) ([]*newsletter.Article, error) {
	return s.EditionArticles(ctx, publicationID, d, 0, status)
}

// EditionArticles is ArticlesFor of edition e of the date (0 the daily
// issue, N its extra N).
func (s *Store) EditionArticles(ctx context.Context, publicationID int64, d newsletter.Date, e int, status newsletter.ArticleStatus) ([]*newsletter.Article, error) {
	return s.Articles(ctx, ArticleFilter{PublicationID: publicationID, Date: d, Edition: e, Status: status})
}
