package store

import (
	"context"
	"fmt"
)

// ZoneCount is how many of a publication's readers keep one time zone ("":
// none of their own, the publication's).
type ZoneCount struct {
	Zone    string
	Readers int
}

// ReaderZones counts the readers an issue of the publication would go to
// now (active subscriptions of active subscribers) by their time zone, in
// the zones' order.
func (s *Store) ReaderZones(ctx context.Context, publicationID int64) ([]ZoneCount, error) {
	rows, err := s.rdb.QueryContext(ctx, s.q(`SELECT s.timezone, COUNT(*)
		FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id
		WHERE sub.publication_id = ? AND sub.status = 'active' AND s.status = 'active'
		GROUP BY s.timezone ORDER BY s.timezone`), publicationID)
	if err != nil {
		return nil, fmt.Errorf("readers' zones: %w", err)
	}
	defer rows.Close()
	var out []ZoneCount
	for rows.Next() {
		var z ZoneCount
		if err := rows.Scan(&z.Zone, &z.Readers); err != nil {
			return nil, err
		}
		out = append(out, z)
	}
	return out, rows.Err()
}
