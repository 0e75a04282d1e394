package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"masthead/subscribers"
)

// SubscriberCounts counts subscribers per status. With a publication, a
// subscriber counts under their subscription's status, or under bounced or
// complained when suppressed; without one, under their own status.
func (s *Store) SubscriberCounts(ctx context.Context, publicationID int64) (map[subscribers.Status]int, error) {
	query := `SELECT status, COUNT(*) FROM subscribers GROUP BY status`
	var args []any
	if publicationID != 0 {
		query = `SELECT CASE WHEN s.status IN ('bounced', 'complained') THEN s.status ELSE sub.status END AS st, COUNT(*)
			FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id
			WHERE sub.publication_id = ? GROUP BY st`
		args = append(args, publicationID)
	}
	rows, err := s.rdb.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("count subscribers: %w", err)
	}
	defer rows.Close()
	out := make(map[subscribers.Status]int, len(subscribers.Statuses))
	for _, st := range subscribers.Statuses {
		out[st] = 0
	}
	for rows.Next() {
		var st subscribers.Status
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] += n
	}
	return out, rows.Err()
}

// SubscriberFilter selects subscribers for lists and exports.
type SubscriberFilter struct {
	Text          string             // substring of the address or the name, any case
	Status        subscribers.Status // with PublicationID: the status for that publication (Listing.StatusIn)
	PublicationID int64              // only subscribers with a subscription to it (any status unless Status)
	BeforeID      int64              // SearchSubscribers: only ids below (the next page of a newest-first list)
	AfterID       int64              // EachSubscriber: only ids above
	Limit         int                // SearchSubscribers: page size (default 50)
}

// where builds the WHERE clause over subscribers s.
func (f SubscriberFilter) where() (string, []any) {
	var conds []string
	var args []any
	if f.Text != "" {
		pat := "%" + likeEscaper.Replace(strings.ToLower(strings.TrimSpace(f.Text))) + "%"
		conds = append(conds, `(s.email LIKE ? ESCAPE '\' OR LOWER(s.name) LIKE ? ESCAPE '\')`)
		args = append(args, pat, pat)
	}
	switch {
	case f.PublicationID != 0 && f.Status != "" && !f.Status.Suppressed():
		conds = append(conds, `s.status NOT IN ('bounced', 'complained') AND EXISTS (SELECT 1 FROM subscriptions f
			WHERE f.subscriber_id = s.id AND f.publication_id = ? AND f.status = ?)`)
		args = append(args, f.PublicationID, string(f.Status))
	case f.PublicationID != 0:
		conds = append(conds, `EXISTS (SELECT 1 FROM subscriptions f WHERE f.subscriber_id = s.id AND f.publication_id = ?)`)
		args = append(args, f.PublicationID)
		fallthrough
	case f.Status != "":
		if f.Status != "" {
			conds = append(conds, `s.status = ?`)
			args = append(args, string(f.Status))
		}
	}
	if f.BeforeID > 0 {
		conds = append(conds, `s.id < ?`)
		args = append(args, f.BeforeID)
	}
	if f.AfterID > 0 {
		conds = append(conds, `s.id > ?`)
		args = append(args, f.AfterID)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return ` WHERE ` + strings.Join(conds, ` AND `), args
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// SearchSubscribers returns one page of subscribers matching f, newest first,
// with their subscriptions. The next page is f with BeforeID set to the last
// one's ID.
func (s *Store) SearchSubscribers(ctx context.Context, f SubscriberFilter) ([]*subscribers.Listing, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	where, args := f.where()
	inner := `SELECT s.* FROM subscribers s` + where + ` ORDER BY s.id DESC LIMIT ?`
	var out []*subscribers.Listing
	err := s.listings(ctx, s.rdb, inner, append(args, f.Limit), `DESC`, func(l *subscribers.Listing) error {
		out = append(out, l)
		return nil
	})
	return out, err
}

// EachSubscriber calls fn for every subscriber matching f, oldest first, with
// their subscriptions, streaming from one query (nothing is held in memory).
// fn must not use the store: with SQLite the query holds a connection.
func (s *Store) EachSubscriber(ctx context.Context, f SubscriberFilter, fn func(*subscribers.Listing) error) error {
	where, args := f.where()
	// The export holds its connection as long as it streams: not one of the
	// few of the listings' pool.
	return s.listings(ctx, s.db, `SELECT s.* FROM subscribers s`+where, args, `ASC`, fn)
}

// listings runs inner (a SELECT of subscriber rows) joined with their
// subscriptions and calls fn once per subscriber.
func (s *Store) listings(ctx context.Context, q querier, inner string, args []any, order string, fn func(*subscribers.Listing) error) error {
	rows, err := q.QueryContext(ctx, s.q(`SELECT `+subscriberColumns+`,
			COALESCE(sub.publication_id, 0), COALESCE(p.slug, ''), COALESCE(sub.status, ''),
			COALESCE(sub.created_at, 0), COALESCE(sub.updated_at, 0)
		FROM (`+inner+`) s
		LEFT JOIN subscriptions sub ON sub.subscriber_id = s.id
		LEFT JOIN publications p ON p.id = sub.publication_id
		ORDER BY s.id `+order), args...)
	if err != nil {
		return fmt.Errorf("list subscribers: %w", err)
	}
	defer rows.Close()
	var cur *subscribers.Listing
	emit := func() error {
		if cur == nil {
			return nil
		}
		slices.SortFunc(cur.Subscriptions, func(a, b subscribers.Subscription) int {
			return strings.Compare(a.PublicationSlug, b.PublicationSlug)
		})
		return fn(cur)
	}
	for rows.Next() {
		var sub subscribers.Subscriber
		var subn subscribers.Subscription
		var created, updated, sc, su int64
		if err := rows.Scan(&sub.ID, &sub.Email, &sub.Name, &sub.Status, &sub.SoftBounces, &sub.TimeZone, &created, &updated,
			&subn.PublicationID, &subn.PublicationSlug, &subn.Status, &sc, &su); err != nil {
			return err
		}
		if cur == nil || cur.ID != sub.ID {
			if err := emit(); err != nil {
				return err
			}
			sub.CreatedAt, sub.UpdatedAt = fromMS(created), fromMS(updated)
			cur = &subscribers.Listing{Subscriber: sub}
		}
		if subn.PublicationID != 0 {
			subn.SubscriberID = sub.ID
			subn.CreatedAt, subn.UpdatedAt = fromMS(sc), fromMS(su)
			cur.Subscriptions = append(cur.Subscriptions, subn)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return emit()
}
