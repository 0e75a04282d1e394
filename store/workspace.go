package store

import (
	"context"
	"fmt"
	"slices"

	"masthead/ledger"
)

// Queries of the editor's workspace (admin pages and API) that belong to no
// one table's file.

// SubscriberDeliveries lists a subscriber's latest deliveries (any issue),
// newest first.
func (s *Store) SubscriberDeliveries(ctx context.Context, subscriberID int64, limit int) ([]*ledger.Delivery, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+deliveryColumns+` FROM deliveries
		WHERE subscriber_id = ? ORDER BY id DESC LIMIT ?`), subscriberID, limit)
	if err != nil {
		return nil, fmt.Errorf("deliveries of subscriber %d: %w", subscriberID, err)
	}
	list, err := collectDeliveries(rows)
	if err != nil {
		return nil, err
	}
	// collectDeliveries orders by id; newest first reads better here.
	slices.Reverse(list)
	return list, nil
}
