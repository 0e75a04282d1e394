package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"masthead/subscribers"
)

// Subscribe subscribes an existing subscriber to a publication as Active or
// Pending, with the same rules as AddSubscriber.
func (s *Store) Subscribe(ctx context.Context, subscriberID, publicationID int64, status subscribers.Status, via subscribers.Via) error {
	if status != subscribers.Active && status != subscribers.Pending {
		return fmt.Errorf("a new subscription is active or pending, not %q", status)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		sub, err := s.subscriberByID(ctx, tx, subscriberID)
		if err != nil {
			return err
		}
		if err := s.refuseSuppressed(ctx, tx, sub); err != nil {
			return err
		}
		return s.subscribeTx(ctx, tx, subscriberID, publicationID, status, via)
	})
}

// subscribeTx moves one subscription towards status (Active or Pending) and
// records the change; it never moves an active subscription back to pending.
// A new pending subscription joins the confirmation queue, and so does one
// that is pending already (the person asked again).
func (s *Store) subscribeTx(ctx context.Context, tx *sql.Tx, subscriberID, publicationID int64, status subscribers.Status, via subscribers.Via) error {
	cur, err := s.subscriptionStatus(ctx, tx, subscriberID, publicationID)
	if err != nil {
		return err
	}
	if cur == subscribers.Pending && status == subscribers.Pending {
		return s.requeueConfirmation(ctx, tx, subscriberID, publicationID)
	}
	if cur == status || cur == subscribers.Active {
		return nil
	}
	kind := subscribers.EventSubscribed
	if cur == subscribers.Pending {
		kind = subscribers.EventConfirmed
	}
	if err := s.setSubscription(ctx, tx, subscriberID, publicationID, status); err != nil {
		return err
	}
	if err := s.event(ctx, tx, subscriberID, publicationID, kind, via, string(status)); err != nil {
		return err
	}
	return s.recomputeStatus(ctx, tx, subscriberID)
}

// Confirm activates a pending subscription (the double opt-in link), and
// queues its welcome email when the publication sends one
// (subscriptions_welcome.go). Confirming an active one again is a no-op; a subscription that is not pending (it was
// unsubscribed since, or never existed) gives subscribers.ErrNotPending.
func (s *Store) Confirm(ctx context.Context, subscriberID, publicationID int64, via subscribers.Via) error {
	return s.ConfirmFrom(ctx, subscriberID, publicationID, via, "")
}

// ConfirmFrom is Confirm by a reader whose browser, as it confirms, reports
// zone (a valid IANA name, or ""): that zone becomes theirs, else the one the
// subscribe form reported, kept with the pending subscription. The browser
// that opens the emailed link is the reader's; a form anyone may post.
func (s *Store) ConfirmFrom(ctx context.Context, subscriberID, publicationID int64, via subscribers.Via, browserZone string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		sub, err := s.subscriberByID(ctx, tx, subscriberID)
		if err != nil {
			return err
		}
		if err := s.refuseSuppressed(ctx, tx, sub); err != nil {
			return err
		}
		cur, err := s.subscriptionStatus(ctx, tx, subscriberID, publicationID)
		switch {
		case err != nil:
			return err
		case cur == subscribers.Active:
			return nil
		case cur != subscribers.Pending:
			return subscribers.ErrNotPending
		}
		zone, err := s.confirmZone(ctx, tx, subscriberID, publicationID)
		if err != nil {
			return err
		}
		if browserZone != "" {
			zone = browserZone
		}
		if err := s.subscribeTx(ctx, tx, subscriberID, publicationID, subscribers.Active, via); err != nil {
			return err
		}
		if zone != "" && zone != sub.TimeZone { // the link proves the address is theirs
			if err := s.setTimeZoneTx(ctx, tx, sub, zone, via); err != nil {
				return err
			}
		}
		return s.queueWelcome(ctx, tx, subscriberID, publicationID) // recorded with the confirmation, once
	})
}

// Unsubscribe ends a subscriber's subscription to a publication, or to every
// publication when publicationID is 0, and skips their queued deliveries of
// those publications' issues in the same transaction. It is idempotent: a
// second call changes nothing and records nothing.
func (s *Store) Unsubscribe(ctx context.Context, subscriberID, publicationID int64, via subscribers.Via, detail string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.subscriberByID(ctx, tx, subscriberID); err != nil {
			return err
		}
		return s.unsubscribeTx(ctx, tx, subscriberID, publicationID, via, detail)
	})
}

func (s *Store) unsubscribeTx(ctx context.Context, tx *sql.Tx, subscriberID, publicationID int64, via subscribers.Via, detail string) error {
	query := `UPDATE subscriptions SET status = 'unsubscribed', updated_at = ?
		WHERE subscriber_id = ? AND status <> 'unsubscribed'`
	args := []any{ms(s.now()), subscriberID}
	if publicationID != 0 {
		query += ` AND publication_id = ?`
		args = append(args, publicationID)
	}
	rows, err := tx.QueryContext(ctx, s.q(query+` RETURNING publication_id`), args...)
	if err != nil {
		return fmt.Errorf("unsubscribe %d: %w", subscriberID, err)
	}
	var pubs []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		pubs = append(pubs, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, p := range pubs {
		if err := s.event(ctx, tx, subscriberID, p, subscribers.EventUnsubscribed, via, detail); err != nil {
			return err
		}
	}
	if err := s.skipQueued(ctx, tx, subscriberID, publicationID); err != nil {
		return err
	}
	if len(pubs) == 0 {
		return nil
	}
	return s.recomputeStatus(ctx, tx, subscriberID)
}

// skipQueued marks the subscriber's queued deliveries of the publication's
// issues (of every publication when publicationID is 0) as skipped.
func (s *Store) skipQueued(ctx context.Context, tx *sql.Tx, subscriberID, publicationID int64) error {
	query := `UPDATE deliveries SET status = 'skipped' WHERE subscriber_id = ? AND status = 'queued'`
	args := []any{subscriberID}
	if publicationID != 0 {
		query += ` AND issue_id IN (SELECT id FROM issues WHERE publication_id = ?)`
		args = append(args, publicationID)
	}
	if _, err := tx.ExecContext(ctx, s.q(query), args...); err != nil {
		return fmt.Errorf("skip queued deliveries of subscriber %d: %w", subscriberID, err)
	}
	return nil
}

// subscriptionStatus is the status of one subscription, "" when there is none.
func (s *Store) subscriptionStatus(ctx context.Context, q querier, subscriberID, publicationID int64) (subscribers.Status, error) {
	var st subscribers.Status
	err := q.QueryRowContext(ctx, s.q(`SELECT status FROM subscriptions WHERE subscriber_id = ? AND publication_id = ?`),
		subscriberID, publicationID).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return st, err
}

func (s *Store) setSubscription(ctx context.Context, tx *sql.Tx, subscriberID, publicationID int64, status subscribers.Status) error {
	now := ms(s.now())
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO subscriptions (subscriber_id, publication_id, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (subscriber_id, publication_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at,
			confirm_sent_at = 0, confirm_lease_until = 0, confirm_timezone = ''`),
		subscriberID, publicationID, string(status), now, now)
	if err != nil {
		return s.mapErr(fmt.Errorf("subscription of %d to %d: %w", subscriberID, publicationID, err))
	}
	return nil
}

// recomputeStatus derives a subscriber's status from their subscriptions,
// leaving bounced and complained subscribers as they are.
func (s *Store) recomputeStatus(ctx context.Context, tx *sql.Tx, subscriberID int64) error {
	_, err := tx.ExecContext(ctx, s.q(`UPDATE subscribers SET updated_at = ?, status =
		CASE WHEN EXISTS (SELECT 1 FROM subscriptions WHERE subscriber_id = subscribers.id AND status = 'active') THEN 'active'
		     WHEN EXISTS (SELECT 1 FROM subscriptions WHERE subscriber_id = subscribers.id AND status = 'pending') THEN 'pending'
		     ELSE 'unsubscribed' END
		WHERE id = ? AND status NOT IN ('bounced', 'complained')`), ms(s.now()), subscriberID)
	if err != nil {
		return fmt.Errorf("status of subscriber %d: %w", subscriberID, err)
	}
	return nil
}

// Subscriptions lists a subscriber's subscriptions, by publication slug.
func (s *Store) Subscriptions(ctx context.Context, subscriberID int64) ([]subscribers.Subscription, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT sub.subscriber_id, sub.publication_id, p.slug, sub.status, sub.created_at, sub.updated_at
		FROM subscriptions sub JOIN publications p ON p.id = sub.publication_id
		WHERE sub.subscriber_id = ? ORDER BY p.slug`), subscriberID)
	if err != nil {
		return nil, fmt.Errorf("subscriptions of %d: %w", subscriberID, err)
	}
	defer rows.Close()
	var out []subscribers.Subscription
	for rows.Next() {
		var sub subscribers.Subscription
		var created, updated int64
		if err := rows.Scan(&sub.SubscriberID, &sub.PublicationID, &sub.PublicationSlug, &sub.Status, &created, &updated); err != nil {
			return nil, err
		}
		sub.CreatedAt, sub.UpdatedAt = fromMS(created), fromMS(updated)
		out = append(out, sub)
	}
	return out, rows.Err()
}
