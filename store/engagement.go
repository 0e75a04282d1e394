package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"masthead/engagement"
	"masthead/newsletter"
)

// SaveIssueLinks stores an issue's link table once: the first send start
// writes it, later ones (a resumed send, another process) find the same rows.
// A table that differs from the stored one is refused, so that a token never
// leads somewhere other than the link it was made for.
func (s *Store) SaveIssueLinks(ctx context.Context, issueID int64, links []engagement.Link) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		have, err := s.issueLinks(ctx, tx, issueID)
		if err != nil {
			return err
		}
		if len(have) > 0 {
			diff := sameLinks(have, links)
			if diff == nil {
				return nil
			}
			var status newsletter.IssueStatus
			if err := tx.QueryRowContext(ctx, s.q(`SELECT status FROM issues WHERE id = ?`), issueID).Scan(&status); err != nil {
				return s.mapErr(fmt.Errorf("issue %d: %w", issueID, err))
			}
			if status.Frozen() {
				return fmt.Errorf("issue %d: %w: %w", issueID, ErrLinksDiffer, diff)
			}
			// A test message went out before the issue was assembled again:
			// the send's table is the one that counts.
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM issue_links WHERE issue_id = ?`), issueID); err != nil {
				return err
			}
		}
		for _, l := range links {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO issue_links (issue_id, idx, url, text, anchor)
				VALUES (?, ?, ?, ?, ?)`), issueID, l.Index, l.URL, l.Text, l.Anchor); err != nil {
				return s.mapErr(fmt.Errorf("issue %d link %d: %w", issueID, l.Index, err))
			}
		}
		return nil
	})
}

// ErrLinksDiffer is SaveIssueLinks refusing the links of an issue whose send
// has started because they differ from the table stored then (most often a
// process rendering it under another base URL).
var ErrLinksDiffer = errors.New("its counted links differ from those stored when its send started")

// sameLinks says how two link tables differ, or nil.
func sameLinks(have, links []engagement.Link) error {
	if len(have) != len(links) {
		return fmt.Errorf("the stored link table has %d links, the rendering %d", len(have), len(links))
	}
	for i := range have {
		if have[i].Index != links[i].Index || have[i].URL != links[i].URL {
			return fmt.Errorf("link %d is %q in the stored table, %q now", links[i].Index, have[i].URL, links[i].URL)
		}
	}
	return nil
}

// Links returns an issue's link table in index order (empty before its send
// started).
func (s *Store) Links(ctx context.Context, issueID int64) ([]engagement.Link, error) {
	return s.issueLinks(ctx, s.db, issueID)
}

func (s *Store) issueLinks(ctx context.Context, q querier, issueID int64) ([]engagement.Link, error) {
	rows, err := q.QueryContext(ctx, s.q(`SELECT idx, url, text, anchor FROM issue_links WHERE issue_id = ? ORDER BY idx`), issueID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []engagement.Link
	for rows.Next() {
		var l engagement.Link
		if err := rows.Scan(&l.Index, &l.URL, &l.Text, &l.Anchor); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// IssueLinks is engagement.LinkStore: the table the redirect follows, with
// the publication's current choice of per-subscriber figures.
func (s *Store) IssueLinks(ctx context.Context, issueID int64) (*engagement.IssueLinks, error) {
	t := &engagement.IssueLinks{IssueID: issueID}
	var perSub int
	err := s.db.QueryRowContext(ctx, s.q(`SELECT i.publication_id, p.per_subscriber_figures FROM issues i
		JOIN publications p ON p.id = i.publication_id WHERE i.id = ?`), issueID).Scan(&t.PublicationID, &perSub)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("issue %d: %w", issueID, engagement.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	t.PerRecipient = perSub != 0
	if t.Links, err = s.Links(ctx, issueID); err != nil {
		return nil, err
	}
	return t, nil
}

// WriteEngagement is engagement.Sink: it adds a batch of counts (and, for
// publications with per-subscriber figures, the readers' rows) in one
// transaction.
func (s *Store) WriteEngagement(ctx context.Context, b engagement.Batch) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, c := range b.Counts {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO engagement_counts (publication_id, issue_id, kind, link,
				hour, automatic, events, readers, issue_readers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (publication_id, issue_id, kind, link, hour, automatic) DO UPDATE SET
				events = engagement_counts.events + excluded.events,
				readers = engagement_counts.readers + excluded.readers,
				issue_readers = engagement_counts.issue_readers + excluded.issue_readers`),
				c.PublicationID, c.IssueID, int(c.Kind), c.Link, c.Hour.Unix(), boolInt(c.Automatic),
				c.Events, c.Readers, c.IssueReaders); err != nil {
				return fmt.Errorf("engagement counts: %w", err)
			}
		}
		keeps := map[int64]bool{} // publications that (still) keep per-subscriber figures
		for _, r := range b.Readers {
			keep, ok := keeps[r.PublicationID]
			if !ok {
				var on int
				err := tx.QueryRowContext(ctx, s.q(`SELECT per_subscriber_figures FROM publications WHERE id = ?`), r.PublicationID).Scan(&on)
				if err != nil && !errors.Is(err, sql.ErrNoRows) {
					return fmt.Errorf("engagement readers: %w", err)
				}
				keep = on != 0
				keeps[r.PublicationID] = keep
			}
			if !keep {
				continue
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO engagement_readers (publication_id, issue_id,
				subscriber_id, kind, link, hour, automatic) VALUES (?, ?, ?, ?, ?, ?, ?)`),
				r.PublicationID, r.IssueID, r.Recipient, int(r.Kind), r.Link, r.Hour.Unix(), boolInt(r.Automatic)); err != nil {
				return fmt.Errorf("engagement readers: %w", err)
			}
		}
		return nil
	})
}

// EngagementCounts returns every count row of an issue.
func (s *Store) EngagementCounts(ctx context.Context, issueID int64) ([]engagement.Count, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT publication_id, issue_id, kind, link, hour, automatic, events,
		readers, issue_readers FROM engagement_counts WHERE issue_id = ? ORDER BY hour, link`), issueID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []engagement.Count
	for rows.Next() {
		var c engagement.Count
		var kind, auto int
		var hour int64
		if err := rows.Scan(&c.PublicationID, &c.IssueID, &kind, &c.Link, &hour, &auto, &c.Events, &c.Readers, &c.IssueReaders); err != nil {
			return nil, err
		}
		c.Kind, c.Automatic, c.Hour = engagement.Kind(kind), auto != 0, time.Unix(hour, 0).UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// ReaderRows counts the per-subscriber engagement rows of a publication
// (0 for every publication that keeps none).
func (s *Store) ReaderRows(ctx context.Context, publicationID int64) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM engagement_readers WHERE publication_id = ?`), publicationID).Scan(&n)
	return n, err
}

// AgeOutReaders deletes the per-subscriber rows older than each publication's
// retention, and every such row of a publication that no longer keeps them:
// their figures are already in engagement_counts, so this is the
// aggregation. It returns how many rows went.
func (s *Store) AgeOutReaders(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.q(`DELETE FROM engagement_readers WHERE EXISTS (
		SELECT 1 FROM publications p WHERE p.id = engagement_readers.publication_id AND
		(p.per_subscriber_figures = 0 OR engagement_readers.hour < ? - p.figures_retention_days * 86400))`), now.Unix())
	if err != nil {
		return 0, fmt.Errorf("age out engagement readers: %w", err)
	}
	return res.RowsAffected()
}

// HourCount is a number for one hour (Unix seconds, on the hour).
type HourCount struct {
	Hour  int64
	Count int
}

// DeliveredPerHour counts an issue's messages accepted in each hour.
func (s *Store) DeliveredPerHour(ctx context.Context, issueID int64) ([]HourCount, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT accepted_at / 3600000 AS h, COUNT(*) FROM deliveries
		WHERE issue_id = ? AND accepted_at > 0 GROUP BY h ORDER BY h`), issueID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []HourCount
	for rows.Next() {
		var h HourCount
		if err := rows.Scan(&h.Hour, &h.Count); err != nil {
			return nil, err
		}
		h.Hour *= 3600
		out = append(out, h)
	}
	return out, rows.Err()
}

// SubscriberChanges counts a publication's subscriber events of each kind in
// [from, to): each event with its time, for the caller to put in days.
func (s *Store) SubscriberChanges(ctx context.Context, publicationID int64, from, to time.Time) ([]SubscriberChange, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT kind, via, created_at FROM subscriber_events
		WHERE (publication_id = ? OR (publication_id IS NULL AND kind IN ('bounced', 'complained')
			AND subscriber_id IN (SELECT subscriber_id FROM subscriptions WHERE publication_id = ?)))
		AND created_at >= ? AND created_at < ? AND kind IN ('confirmed', 'subscribed', 'unsubscribed', 'bounced', 'complained')
		ORDER BY created_at`), publicationID, publicationID, ms(from), ms(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SubscriberChange
	for rows.Next() {
		var c SubscriberChange
		var at int64
		if err := rows.Scan(&c.Kind, &c.Via, &at); err != nil {
			return nil, err
		}
		c.At = fromMS(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// SubscriberChange is one subscriber event of a publication.
type SubscriberChange struct {
	Kind, Via string
	At        time.Time
}
