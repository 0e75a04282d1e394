package store

import (
	"context"
	"fmt"

	"masthead/ledger"
)

// AddOutbox stores a message and sets m.ID and m.CreatedAt.
func (s *Store) AddOutbox(ctx context.Context, m *ledger.OutboxMessage) error {
	now := s.now()
	err := s.db.QueryRowContext(ctx, s.q(`INSERT INTO outbox (issue_id, delivery_id, recipient, subject, message_id, raw, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		m.IssueID, m.DeliveryID, m.Recipient, m.Subject, m.MessageID, m.Raw, ms(now)).Scan(&m.ID)
	if err != nil {
		return fmt.Errorf("add to outbox: %w", err)
	}
	m.CreatedAt, m.Size = now, len(m.Raw)
	return nil
}

// OutboxFilter selects outbox messages.
type OutboxFilter struct {
	IssueID   int64  // 0: any
	Recipient string // exact address; empty: any
	Limit     int    // 0: no limit
	Offset    int
}

// Outbox lists messages newest first, without their bytes.
func (s *Store) Outbox(ctx context.Context, f OutboxFilter) ([]*ledger.OutboxMessage, error) {
	where, args := f.where()
	query := `SELECT id, COALESCE(issue_id, 0), COALESCE(delivery_id, 0), recipient, subject, message_id, LENGTH(raw), created_at
		FROM outbox WHERE 1 = 1` + where + ` ORDER BY id DESC`
	if f.Limit > 0 {
		query += ` LIMIT ? OFFSET ?`
		args = append(args, f.Limit, f.Offset)
	}
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*ledger.OutboxMessage
	for rows.Next() {
		var m ledger.OutboxMessage
		var created int64
		if err := rows.Scan(&m.ID, &m.IssueID, &m.DeliveryID, &m.Recipient, &m.Subject, &m.MessageID, &m.Size, &created); err != nil {
			return nil, err
		}
		m.CreatedAt = fromMS(created)
		out = append(out, &m)
	}
	return out, rows.Err()
}

// OutboxCount is how many messages f selects, its Limit and Offset aside.
func (s *Store) OutboxCount(ctx context.Context, f OutboxFilter) (int, error) {
	where, args := f.where()
	var n int
	err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM outbox WHERE 1 = 1`+where), args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count the outbox: %w", err)
	}
	return n, nil
}

// where is f's conditions (after "WHERE 1 = 1") and their arguments.
func (f OutboxFilter) where() (string, []any) {
	var where string
	var args []any
	if f.IssueID != 0 {
		where += ` AND issue_id = ?`
		args = append(args, f.IssueID)
	}
	if f.Recipient != "" {
		where += ` AND recipient = ?`
		args = append(args, f.Recipient)
	}
	return where, args
}

// OutboxByID returns one outbox message with its bytes.
func (s *Store) OutboxByID(ctx context.Context, id int64) (*ledger.OutboxMessage, error) {
	var m ledger.OutboxMessage
	var created int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT id, COALESCE(issue_id, 0), COALESCE(delivery_id, 0), recipient, subject,
		message_id, raw, created_at FROM outbox WHERE id = ?`), id).
		Scan(&m.ID, &m.IssueID, &m.DeliveryID, &m.Recipient, &m.Subject, &m.MessageID, &m.Raw, &created)
	if err != nil {
		return nil, s.mapErr(err)
	}
	m.Size, m.CreatedAt = len(m.Raw), fromMS(created)
	return &m, nil
}
