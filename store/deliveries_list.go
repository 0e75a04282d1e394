package store

import (
	"context"
	"strings"
)

// DeliveryCounts are an issue's rows by status.
type DeliveryCounts struct {
	Queued, Sending, Sent, Failed, Skipped, Cancelled int
	Retrying                                          int // queued rows that have failed before (included in Queued)
	Total                                             int
}

// Pending is the number of rows not yet settled (queued or being sent).
func (c DeliveryCounts) Pending() int { return c.Queued + c.Sending }

// Counts counts an issue's rows by status.
func (s *Store) Counts(ctx context.Context, issueID int64) (DeliveryCounts, error) {
	var c DeliveryCounts
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT status, COUNT(*), SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END)
		FROM deliveries WHERE issue_id = ? GROUP BY status`), issueID)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var st DeliveryStatus
		var n, retried int
		if err := rows.Scan(&st, &n, &retried); err != nil {
			return c, err
		}
		c.Total += n
		switch st {
		case DeliveryQueued:
			c.Queued, c.Retrying = n, retried
		case DeliverySending:
			c.Sending = n
		case DeliverySent:
			c.Sent = n
		case DeliveryFailed:
			c.Failed = n
		case DeliverySkipped:
			c.Skipped = n
		case DeliveryCancelled:
			c.Cancelled = n
		}
	}
	return c, rows.Err()
}

// DeliveryFilter selects an issue's rows for Deliveries.
type DeliveryFilter struct {
	IssueID int64
	Status  DeliveryStatus // empty: any
	Search  string         // substring of the email address; empty: any
	Limit   int            // 0: no limit
	Offset  int
}

// Deliveries lists an issue's ledger in row order.
func (s *Store) Deliveries(ctx context.Context, f DeliveryFilter) ([]*Delivery, error) {
	query := `SELECT ` + deliveryColumns + ` FROM deliveries WHERE issue_id = ?`
	args := []any{f.IssueID}
	if f.Status != "" {
		query += ` AND status = ?`
		args = append(args, string(f.Status))
	}
	if f.Search != "" {
		// Addresses are stored lower-case (subscribers.Normalize): no
		// LOWER() per row, which halves the cost of a search on SQLite.
		query += ` AND email LIKE ? ESCAPE '\'`
		args = append(args, "%"+likeEscape(strings.ToLower(f.Search))+"%")
	}
	query += ` ORDER BY id`
	if f.Limit > 0 {
		query += ` LIMIT ? OFFSET ?`
		args = append(args, f.Limit, f.Offset)
	}
	rows, err := s.rdb.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, err
	}
	return collectDeliveries(rows)
}

// DeliveryByID returns one row of the ledger.
func (s *Store) DeliveryByID(ctx context.Context, id int64) (*Delivery, error) {
	d, err := scanDelivery(s.db.QueryRowContext(ctx, s.q(`SELECT `+deliveryColumns+` FROM deliveries WHERE id = ?`), id))
	return d, s.mapErr(err)
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
