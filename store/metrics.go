package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Figures the metrics endpoint reads at each scrape.

// QueueDepth counts the deliveries not yet settled (queued, or claimed and
// being sent) of issues that are sending or paused, per publication slug;
// every publication is listed, with 0 when nothing waits.
func (s *Store) QueueDepth(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	rows, err := s.db.QueryContext(ctx, `SELECT p.slug, COUNT(d.id)
		FROM publications p
		LEFT JOIN issues i ON i.publication_id = p.id AND i.status IN ('sending', 'paused')
		LEFT JOIN deliveries d ON d.issue_id = i.id AND d.status IN ('queued', 'sending')
		GROUP BY p.slug`)
	if err != nil {
		return nil, fmt.Errorf("queue depth: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var slug string
		var n int
		if err := rows.Scan(&slug, &n); err != nil {
			return nil, err
		}
		out[slug] = n
	}
	return out, rows.Err()
}

// SubscriberEventCounts counts subscriber history rows by kind: how many
// subscribed, confirmed, unsubscribed, bounced ... ever.
func (s *Store) SubscriberEventCounts(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	rows, err := s.db.QueryContext(ctx, `SELECT kind, COUNT(*) FROM subscriber_events GROUP BY kind`)
	if err != nil {
		return nil, fmt.Errorf("subscriber event counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var n int
		if err := rows.Scan(&kind, &n); err != nil {
			return nil, err
		}
		out[kind] = n
	}
	return out, rows.Err()
}

// RefusedSends counts, per publication slug, the issues whose send the
// delivery engine paused by itself (PauseSendFor: the mail server refuses
// our mail); every publication is listed, with 0 when none.
func (s *Store) RefusedSends(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	err := s.scanAll(ctx, s.db, `SELECT p.slug, COUNT(i.id) FROM publications p
		LEFT JOIN issues i ON i.publication_id = p.id AND i.status = 'paused' AND i.pause_reason <> ''
		GROUP BY p.slug`, nil, func(rows *sql.Rows) error {
		var slug string
		var n int
		err := rows.Scan(&slug, &n)
		out[slug] = n
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("refused sends: %w", err)
	}
	return out, nil
}
