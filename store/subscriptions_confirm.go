package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"masthead/subscribers"
)

// The confirmation queue: every pending subscription whose confirmation email
// has not gone out (subscriptions.confirm_sent_at = 0), however it was made
// (the subscribe form, an editor, a CSV import, the API). A sender claims
// due subscribers under a lease (confirm_lease_until), sends each one email
// with a link per claimed publication, and marks them sent right after. A
// crash between sending and marking sends that one email again once the
// lease runs out: at most one duplicate per crashed sender. Subscribing as
// pending again puts a subscription back in the queue.

// ClaimConfirmations leases the due confirmations of up to n subscribers
// until now+lease. A subscriber who bounced or complained, or whose address
// is suppressed, is never claimed.
func (s *Store) ClaimConfirmations(ctx context.Context, n int, lease time.Duration) ([]*subscribers.DueConfirmation, error) {
	var out []*subscribers.DueConfirmation
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := ms(s.now())
		const due = `status = 'pending' AND confirm_sent_at = 0 AND confirm_lease_until <= ?`
		rows, err := tx.QueryContext(ctx, s.q(`UPDATE subscriptions SET confirm_lease_until = ?
			WHERE `+due+` AND subscriber_id IN (
				SELECT DISTINCT sub.subscriber_id FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id
				WHERE sub.status = 'pending' AND sub.confirm_sent_at = 0 AND sub.confirm_lease_until <= ?
					AND s.status NOT IN ('bounced', 'complained')
					AND NOT EXISTS (SELECT 1 FROM suppressions x WHERE x.email = s.email)
				ORDER BY sub.subscriber_id LIMIT ?)
			RETURNING subscriber_id, publication_id`), ms(s.now().Add(lease)), now, now, n)
		if err != nil {
			return fmt.Errorf("claim confirmations: %w", err)
		}
		bySub := map[int64]*subscribers.DueConfirmation{}
		for rows.Next() {
			var sub, pub int64
			if err := rows.Scan(&sub, &pub); err != nil {
				rows.Close()
				return err
			}
			c := bySub[sub]
			if c == nil {
				c = &subscribers.DueConfirmation{SubscriberID: sub}
				bySub[sub] = c
				out = append(out, c)
			}
			c.PublicationIDs = append(c.PublicationIDs, pub)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, c := range out {
			slices.Sort(c.PublicationIDs)
			if err := tx.QueryRowContext(ctx, s.q(`SELECT email, name FROM subscribers WHERE id = ?`), c.SubscriberID).
				Scan(&c.Email, &c.Name); err != nil {
				return fmt.Errorf("claim confirmations: subscriber %d: %w", c.SubscriberID, err)
			}
		}
		slices.SortFunc(out, func(a, b *subscribers.DueConfirmation) int { return cmp.Compare(a.SubscriberID, b.SubscriberID) })
		return nil
	})
	return out, err
}

// ConfirmationSent marks a claimed confirmation sent (or given up on: a
// permanent refusal), so no sender sends it again.
func (s *Store) ConfirmationSent(ctx context.Context, c *subscribers.DueConfirmation) error {
	return s.confirmationUpdate(ctx, c, `confirm_sent_at = ?, confirm_lease_until = 0`, ms(s.now()))
}

// RetryConfirmation gives a claimed confirmation back, not to be claimed
// again before at (a transient failure: the server is down, say).
func (s *Store) RetryConfirmation(ctx context.Context, c *subscribers.DueConfirmation, at time.Time) error {
	return s.confirmationUpdate(ctx, c, `confirm_lease_until = ?`, ms(at))
}

func (s *Store) confirmationUpdate(ctx context.Context, c *subscribers.DueConfirmation, set string, v int64) error {
	args := []any{v, c.SubscriberID}
	for _, p := range c.PublicationIDs {
		args = append(args, p)
	}
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE subscriptions SET `+set+`
		WHERE subscriber_id = ? AND status = 'pending' AND confirm_sent_at = 0
			AND publication_id IN (`+placeholders(len(c.PublicationIDs))+`)`), args...)
	if err != nil {
		return fmt.Errorf("confirmation of subscriber %d: %w", c.SubscriberID, err)
	}
	return nil
}

// ConfirmationsDue counts the subscribers whose confirmation email is waiting
// to be sent (claimed or not), as ClaimConfirmations would take them.
func (s *Store) ConfirmationsDue(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(DISTINCT sub.subscriber_id)
		FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id
		WHERE sub.status = 'pending' AND sub.confirm_sent_at = 0 AND s.status NOT IN ('bounced', 'complained')
			AND NOT EXISTS (SELECT 1 FROM suppressions x WHERE x.email = s.email)`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count due confirmations: %w", err)
	}
	return n, nil
}

// requeueConfirmation puts a pending subscription back in the confirmation
// queue: the person asked again.
func (s *Store) requeueConfirmation(ctx context.Context, tx *sql.Tx, subscriberID, publicationID int64) error {
	_, err := tx.ExecContext(ctx, s.q(`UPDATE subscriptions SET confirm_sent_at = 0, confirm_lease_until = 0
		WHERE subscriber_id = ? AND publication_id = ? AND status = 'pending' AND confirm_sent_at <> 0`),
		subscriberID, publicationID)
	if err != nil {
		return fmt.Errorf("queue the confirmation of %d to %d again: %w", subscriberID, publicationID, err)
	}
	return nil
}
