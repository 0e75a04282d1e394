package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"masthead/subscribers"
)

// The welcome queue: a subscription confirmed while its publication's
// welcome email is on is due one (welcome_due 1), set in the transaction
// that confirms it, so the email is recorded before anything is sent and
// confirming again queues nothing. A sender claims due welcomes under a
// lease (welcome_lease_until), sends each, and marks it sent right after
// (welcome_due 0, welcome_sent_at). A crash between sending and marking
// sends that one email again once the lease runs out: at most one duplicate
// per crashed sender's in-flight message, as for confirmations.

// queueWelcome makes the just-confirmed subscription due a welcome email
// when its publication sends one.
func (s *Store) queueWelcome(ctx context.Context, tx *sql.Tx, subscriberID, publicationID int64) error {
	_, err := tx.ExecContext(ctx, s.q(`UPDATE subscriptions SET welcome_due = 1, welcome_lease_until = 0
		WHERE subscriber_id = ? AND publication_id = ? AND status = 'active'
			AND EXISTS (SELECT 1 FROM publications p WHERE p.id = subscriptions.publication_id AND p.welcome_email = 1)`),
		subscriberID, publicationID)
	if err != nil {
		return fmt.Errorf("queue the welcome of %d to %d: %w", subscriberID, publicationID, err)
	}
	return nil
}

// ClaimWelcomes leases up to n due welcome emails until now+lease. A
// subscription that ended meanwhile, or a subscriber who bounced, complained
// or is suppressed, is not claimed.
func (s *Store) ClaimWelcomes(ctx context.Context, n int, lease time.Duration) ([]*subscribers.DueWelcome, error) {
	var out []*subscribers.DueWelcome
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := ms(s.now())
		rows, err := tx.QueryContext(ctx, s.q(`UPDATE subscriptions SET welcome_lease_until = ?
			WHERE welcome_due = 1 AND status = 'active' AND welcome_lease_until <= ? AND (subscriber_id, publication_id) IN (
				SELECT sub.subscriber_id, sub.publication_id FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id
				WHERE sub.welcome_due = 1 AND sub.status = 'active' AND sub.welcome_lease_until <= ?
					AND s.status NOT IN ('bounced', 'complained')
					AND NOT EXISTS (SELECT 1 FROM suppressions x WHERE x.email = s.email)
				ORDER BY sub.subscriber_id, sub.publication_id LIMIT ?)
			RETURNING subscriber_id, publication_id`), ms(s.now().Add(lease)), now, now, n)
		if err != nil {
			return fmt.Errorf("claim welcomes: %w", err)
		}
		for rows.Next() {
			w := &subscribers.DueWelcome{}
			if err := rows.Scan(&w.SubscriberID, &w.PublicationID); err != nil {
				rows.Close()
				return err
			}
			out = append(out, w)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, w := range out {
			if err := tx.QueryRowContext(ctx, s.q(`SELECT email, name FROM subscribers WHERE id = ?`), w.SubscriberID).
				Scan(&w.Email, &w.Name); err != nil {
				return fmt.Errorf("claim welcomes: subscriber %d: %w", w.SubscriberID, err)
			}
		}
		return nil
	})
	return out, err
}

// WelcomeSent marks a claimed welcome sent (or given up on: a permanent
// refusal, or the publication stopped sending them), so no sender sends it
// again.
func (s *Store) WelcomeSent(ctx context.Context, w *subscribers.DueWelcome) error {
	return s.welcomeUpdate(ctx, w, `welcome_due = 0, welcome_lease_until = 0, welcome_sent_at = ?`, ms(s.now()))
}

// RetryWelcome gives a claimed welcome back, not to be claimed again before
// at.
func (s *Store) RetryWelcome(ctx context.Context, w *subscribers.DueWelcome, at time.Time) error {
	return s.welcomeUpdate(ctx, w, `welcome_lease_until = ?`, ms(at))
}

func (s *Store) welcomeUpdate(ctx context.Context, w *subscribers.DueWelcome, set string, v int64) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE subscriptions SET `+set+`
		WHERE subscriber_id = ? AND publication_id = ? AND welcome_due = 1`), v, w.SubscriberID, w.PublicationID)
	if err != nil {
		return fmt.Errorf("welcome of subscriber %d to %d: %w", w.SubscriberID, w.PublicationID, err)
	}
	return nil
}

// WelcomesDue counts the welcome emails waiting to be sent (claimed or not).
func (s *Store) WelcomesDue(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM subscriptions WHERE welcome_due = 1 AND status = 'active'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count due welcomes: %w", err)
	}
	return n, nil
}
