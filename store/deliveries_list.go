package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"masthead/ledger"
)

// Counts counts an issue's rows by status.
func (s *Store) Counts(ctx context.Context, issueID int64) (ledger.DeliveryCounts, error) {
	var c ledger.DeliveryCounts
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT status, COUNT(*), SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END),
			SUM(CASE WHEN attempts = 0 AND next_attempt_at > ? THEN 1 ELSE 0 END)
		FROM deliveries WHERE issue_id = ? GROUP BY status`), ms(s.now()), issueID)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var st ledger.DeliveryStatus
		var n, retried, waiting int
		if err := rows.Scan(&st, &n, &retried, &waiting); err != nil {
			return c, err
		}
		c.Total += n
		switch st {
		case ledger.DeliveryQueued:
			c.Queued, c.Retrying, c.Waiting = n, retried, waiting
		case ledger.DeliverySending:
			c.Sending = n
		case ledger.DeliverySent:
			c.Sent = n
		case ledger.DeliveryFailed:
			c.Failed = n
		case ledger.DeliverySkipped:
			c.Skipped = n
		case ledger.DeliveryCancelled:
			c.Cancelled = n
		}
	}
	return c, rows.Err()
}

// LocalWait is when the next of an issue's rows waiting for its reader's
// local time is due, and that reader's zone.
func (s *Store) LocalWait(ctx context.Context, issueID int64) (ledger.LocalWait, error) {
	var w ledger.LocalWait
	var at int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT d.next_attempt_at, COALESCE(s.timezone, '')
		FROM deliveries d LEFT JOIN subscribers s ON s.id = d.subscriber_id
		WHERE d.issue_id = ? AND d.status = 'queued' AND d.next_attempt_at > ? AND d.attempts = 0
		ORDER BY d.next_attempt_at LIMIT 1`), issueID, ms(s.now())).Scan(&at, &w.Zone)
	if errors.Is(err, sql.ErrNoRows) {
		return ledger.LocalWait{}, nil
	}
	if err != nil {
		return w, err
	}
	w.Next = fromMS(at)
	return w, nil
}

// DeliveryFilter selects an issue's rows for Deliveries.
type DeliveryFilter struct {
	IssueID int64
	Status  ledger.DeliveryStatus // empty: any
	Search  string                // substring of the email address; empty: any
	Limit   int                   // 0: no limit
	Offset  int
}

// Deliveries lists an issue's ledger in row order.
func (s *Store) Deliveries(ctx context.Context, f DeliveryFilter) ([]*ledger.Delivery, error) {
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
func (s *Store) DeliveryByID(ctx context.Context, id int64) (*ledger.Delivery, error) {
	d, err := scanDelivery(s.db.QueryRowContext(ctx, s.q(`SELECT `+deliveryColumns+` FROM deliveries WHERE id = ?`), id))
	return d, s.mapErr(err)
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

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

// QueueDepth counts the deliveries not yet settled (queued, or claimed and
// being sent) of issues that are sending or paused, per publication slug,
// apart from those whose first attempt waits for their reader's local time,
// which it counts in waiting; every publication is listed, with 0 when
// nothing waits.
func (s *Store) QueueDepth(ctx context.Context) (depth, waiting map[string]int, err error) {
	depth, waiting = map[string]int{}, map[string]int{}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT p.slug, COUNT(d.id),
			COALESCE(SUM(CASE WHEN d.status = 'queued' AND d.attempts = 0 AND d.next_attempt_at > ? THEN 1 ELSE 0 END), 0)
		FROM publications p
		LEFT JOIN issues i ON i.publication_id = p.id AND i.status IN ('sending', 'paused')
		LEFT JOIN deliveries d ON d.issue_id = i.id AND d.status IN ('queued', 'sending')
		GROUP BY p.slug`), ms(s.now()))
	if err != nil {
		return nil, nil, fmt.Errorf("queue depth: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var slug string
		var n, w int
		if err := rows.Scan(&slug, &n, &w); err != nil {
			return nil, nil, err
		}
		depth[slug], waiting[slug] = n-w, w
	}
	return depth, waiting, rows.Err()
}

// DeliveryByMessageID finds the delivery an issue's message was sent as, from
// its Message-ID ("<issue.subscriber.hash@domain>", with or without the angle
// brackets), as quoted back in bounce and complaint reports. ErrNotFound when
// no delivery has that id.
func (s *Store) DeliveryByMessageID(ctx context.Context, messageID string) (*ledger.Delivery, error) {
	id := "<" + strings.Trim(strings.TrimSpace(messageID), "<>") + ">"
	// The issue and subscriber ids lead the local part: look the row up by
	// its (issue_id, subscriber_id) key and let the full id confirm it.
	parts := strings.SplitN(strings.Trim(id, "<>"), ".", 3)
	if len(parts) < 3 {
		return nil, fmt.Errorf("message id %s: %w", id, ErrNotFound)
	}
	issueID, err1 := strconv.ParseInt(parts[0], 10, 64)
	subID, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("message id %s: %w", id, ErrNotFound)
	}
	d, err := scanDelivery(s.db.QueryRowContext(ctx, s.q(`SELECT `+deliveryColumns+` FROM deliveries
		WHERE issue_id = ? AND subscriber_id = ? AND message_id = ?`), issueID, subID, id))
	if err != nil {
		return nil, s.mapErr(fmt.Errorf("message id %s: %w", id, err))
	}
	return d, nil
}
