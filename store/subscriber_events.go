package store

import (
	"context"
	"fmt"

	"masthead/subscribers"
)

// event appends one line to a subscriber's history.
func (s *Store) event(ctx context.Context, q querier, subscriberID, publicationID int64, kind subscribers.EventKind, via subscribers.Via, detail string) error {
	var pub any
	if publicationID != 0 {
		pub = publicationID
	}
	_, err := q.ExecContext(ctx, s.q(`INSERT INTO subscriber_events (subscriber_id, publication_id, kind, via, detail, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`), subscriberID, pub, string(kind), string(via), detail, ms(s.now()))
	if err != nil {
		return fmt.Errorf("record %s of subscriber %d: %w", kind, subscriberID, err)
	}
	return nil
}

// SubscriberEvents is a subscriber's history, oldest first.
func (s *Store) SubscriberEvents(ctx context.Context, subscriberID int64) ([]subscribers.Event, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, subscriber_id, COALESCE(publication_id, 0), kind, via, detail, created_at
		FROM subscriber_events WHERE subscriber_id = ? ORDER BY id`), subscriberID)
	if err != nil {
		return nil, fmt.Errorf("history of subscriber %d: %w", subscriberID, err)
	}
	defer rows.Close()
	var out []subscribers.Event
	for rows.Next() {
		var e subscribers.Event
		var at int64
		if err := rows.Scan(&e.ID, &e.SubscriberID, &e.PublicationID, &e.Kind, &e.Via, &e.Detail, &at); err != nil {
			return nil, err
		}
		e.At = fromMS(at)
		out = append(out, e)
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
