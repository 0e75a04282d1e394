package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"masthead/newsletter"
)

// The feeds a publication takes articles from (table feeds) and the items
// each made into an article (table feed_items).

const feedColumns = `id, publication_id, url, section, categories, status, content, interval_ms, etag, last_modified,
	last_attempt, last_success, failures, last_error, next_poll, created_at, body_digest`

func scanFeed(row interface{ Scan(...any) error }) (*newsletter.Feed, error) {
	var f newsletter.Feed
	var categories string
	var interval, attempt, success, next, created int64
	if err := row.Scan(&f.ID, &f.PublicationID, &f.URL, &f.Section, &categories, &f.Status, &f.Content, &interval,
		&f.ETag, &f.LastModified, &attempt, &success, &f.Failures, &f.LastError, &next, &created, &f.BodyDigest); err != nil {
		return nil, err
	}
	if categories != "" {
		if err := json.Unmarshal([]byte(categories), &f.Categories); err != nil {
			return nil, fmt.Errorf("feed %d categories: %w", f.ID, err)
		}
	}
	f.Interval = time.Duration(interval) * time.Millisecond
	f.LastAttempt, f.LastSuccess, f.NextPoll, f.CreatedAt = fromMS(attempt), fromMS(success), fromMS(next), fromMS(created)
	return &f, nil
}

// CreateFeed stores a new feed, due at once (or at f.NextPoll when set). A
// publication takes one URL once: a second is ErrConflict.
func (s *Store) CreateFeed(ctx context.Context, f *newsletter.Feed) error {
	categories := ""
	if len(f.Categories) > 0 {
		b, err := json.Marshal(f.Categories)
		if err != nil {
			return err
		}
		categories = string(b)
	}
	now := s.now()
	if f.NextPoll.IsZero() {
		f.NextPoll = now
	}
	err := s.db.QueryRowContext(ctx, s.q(`INSERT INTO feeds (publication_id, url, section, categories, status, content,
		interval_ms, next_poll, created_at) VALUES (`+placeholders(9)+`) RETURNING id`),
		f.PublicationID, f.URL, f.Section, categories, string(f.Status), string(f.Content), f.Interval.Milliseconds(),
		ms(f.NextPoll), ms(now)).Scan(&f.ID)
	if err != nil {
		return s.mapErr(fmt.Errorf("add feed %s: %w", f.URL, err))
	}
	f.CreatedAt = now
	return nil
}

// Feed returns one feed.
func (s *Store) Feed(ctx context.Context, id int64) (*newsletter.Feed, error) {
	f, err := scanFeed(s.db.QueryRowContext(ctx, s.q(`SELECT `+feedColumns+` FROM feeds WHERE id = ?`), id))
	return f, s.mapErr(err)
}

// Feeds lists a publication's feeds (every publication's with 0), oldest
// first.
func (s *Store) Feeds(ctx context.Context, publicationID int64) ([]*newsletter.Feed, error) {
	query, args := `SELECT `+feedColumns+` FROM feeds`, []any{}
	if publicationID != 0 {
		query += ` WHERE publication_id = ?`
		args = append(args, publicationID)
	}
	rows, err := s.db.QueryContext(ctx, s.q(query+` ORDER BY id`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*newsletter.Feed
	for rows.Next() {
		f, err := scanFeed(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// DeleteFeed removes a feed and its record of items; the articles it made
// stay.
func (s *Store) DeleteFeed(ctx context.Context, id int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM feed_items WHERE feed_id = ?`), id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM feeds WHERE id = ?`), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
}

// ClaimDueFeeds returns up to limit feeds whose next poll is at or before
// now, each moved to now+hold first, so that another process polling the
// same database leaves it alone meanwhile (the poll's record then sets the
// real next poll).
func (s *Store) ClaimDueFeeds(ctx context.Context, now time.Time, hold time.Duration, limit int) ([]*newsletter.Feed, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+feedColumns+` FROM feeds WHERE next_poll <= ? ORDER BY next_poll, id LIMIT ?`),
		ms(now), limit)
	if err != nil {
		return nil, err
	}
	var due []*newsletter.Feed
	for rows.Next() {
		f, err := scanFeed(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		due = append(due, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	claimed := due[:0]
	until := now.Add(hold)
	for _, f := range due {
		res, err := s.db.ExecContext(ctx, s.q(`UPDATE feeds SET next_poll = ? WHERE id = ? AND next_poll = ?`),
			ms(until), f.ID, ms(f.NextPoll))
		if err != nil {
			return nil, fmt.Errorf("claim feed %d: %w", f.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			f.NextPoll = until
			claimed = append(claimed, f)
		}
	}
	return claimed, nil
}

// RecordFeedPoll stores the outcome of a poll that changed no article (a
// failure, a 304): the validators, times, failures and error of f.
func (s *Store) RecordFeedPoll(ctx context.Context, f *newsletter.Feed) error {
	return s.recordFeedPoll(ctx, s.db, f)
}

func (s *Store) recordFeedPoll(ctx context.Context, q querier, f *newsletter.Feed) error {
	res, err := q.ExecContext(ctx, s.q(`UPDATE feeds SET etag = ?, last_modified = ?, last_attempt = ?, last_success = ?,
		failures = ?, last_error = ?, next_poll = ?, body_digest = ? WHERE id = ?`),
		f.ETag, f.LastModified, ms(f.LastAttempt), ms(f.LastSuccess), f.Failures, truncate(f.LastError, 1000),
		ms(f.NextPoll), f.BodyDigest, f.ID)
	if err != nil {
		return fmt.Errorf("record poll of feed %d: %w", f.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("feed %d: %w", f.ID, ErrNotFound)
	}
	return nil
}

// ApplyFeedPoll stores, in one transaction, what a successful poll of f
// brought and the poll's record. An item seen for the first time becomes a
// new article, last in its section on its date. An item whose digest changed
// updates its article's headline, deck, byline, body, link and image
// (keeping the date, section, order and status an editor may have set),
// unless the article's issue (of its date and edition) is frozen (going or gone out) or
// an editor deleted the article. An item the feed no longer lists changes
// nothing.
func (s *Store) ApplyFeedPoll(ctx context.Context, f *newsletter.Feed, items []newsletter.FeedArticle) (newsletter.FeedPoll, error) {
	var out newsletter.FeedPoll
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		out = newsletter.FeedPoll{}
		var id int64
		// The feed's row is locked: two polls of one feed apply one after the other.
		err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM feeds WHERE id = ?`+s.dialect.forUpdate()), f.ID).Scan(&id)
		if err != nil {
			return s.mapErr(fmt.Errorf("feed %d: %w", f.ID, err))
		}
		type issueOf struct {
			d newsletter.Date
			e int
		}
		frozen := map[issueOf]bool{}
		isFrozen := func(d newsletter.Date, edition int) (bool, error) {
			k := issueOf{d, edition}
			if v, ok := frozen[k]; ok {
				return v, nil
			}
			v, err := s.dateFrozen(ctx, tx, f.PublicationID, d, edition)
			frozen[k] = v
			return v, err
		}
		for _, it := range items {
			a := it.Article
			var articleID int64
			var hash string
			err := tx.QueryRowContext(ctx, s.q(`SELECT article_id, hash FROM feed_items WHERE feed_id = ? AND item_key = ?`),
				f.ID, it.Key).Scan(&articleID, &hash)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if err := s.insertFeedArticle(ctx, tx, f, it); err != nil {
					return err
				}
				out.New++
				continue
			case err != nil:
				return fmt.Errorf("feed %d item %q: %w", f.ID, it.Key, err)
			case hash == it.Hash:
				out.Unchanged++
				continue
			}
			var date string
			var edition int
			err = tx.QueryRowContext(ctx, s.q(`SELECT issue_date, edition FROM articles WHERE id = ?`), articleID).Scan(&date, &edition)
			if errors.Is(err, sql.ErrNoRows) {
				out.Removed++
				continue
			} else if err != nil {
				return err
			}
			d, err := newsletter.ParseDate(date)
			if err != nil {
				return fmt.Errorf("article %d: %w", articleID, err)
			}
			if fz, err := isFrozen(d, edition); err != nil {
				return err
			} else if fz {
				out.Frozen++
				continue
			}
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE articles SET title = ?, deck = ?, author = ?, body = ?,
				source_url = ?, source_image = ?, updated_at = ? WHERE id = ?`),
				a.Title, a.Deck, a.Author, a.Body, a.SourceURL, a.SourceImage, ms(s.now()), articleID); err != nil {
				return fmt.Errorf("update article %d from feed %d: %w", articleID, f.ID, err)
			}
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE feed_items SET hash = ? WHERE feed_id = ? AND item_key = ?`),
				it.Hash, f.ID, it.Key); err != nil {
				return err
			}
			a.ID = articleID
			out.Updated++
		}
		return s.recordFeedPoll(ctx, tx, f)
	})
	return out, err
}

// insertFeedArticle stores a new item's article, last in its section on its
// date, and ties it to the item.
func (s *Store) insertFeedArticle(ctx context.Context, tx *sql.Tx, f *newsletter.Feed, it newsletter.FeedArticle) error {
	a := it.Article
	a.PublicationID = f.PublicationID
	if a.Position == 0 {
		var last int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COALESCE(MAX(position), 0) FROM articles
			WHERE publication_id = ? AND issue_date = ? AND edition = ? AND section = ?`),
			a.PublicationID, a.Date.String(), a.Edition, a.Section).Scan(&last); err != nil {
			return err
		}
		a.Position = min(last+1, newsletter.MaxPosition)
	}
	if err := s.saveArticle(ctx, tx, a); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO feed_items (feed_id, item_key, article_id, hash) VALUES (?, ?, ?, ?)`),
		f.ID, it.Key, a.ID, it.Hash)
	if err != nil {
		return s.mapErr(fmt.Errorf("feed %d item %q: %w", f.ID, it.Key, err))
	}
	return nil
}
