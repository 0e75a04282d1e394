package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"masthead/subscribers"
)

// Subscribers, their subscriptions per publication, their history
// (subscriber_events) and suppressions.
//
// The rules (here, in subscriptions.go and in suppressions.go; CSV imports in
// subscribers_import.go, lists in subscribers_list.go):
//   - subscribers.email is normalised (subscribers.Normalize) and unique.
//   - A subscription is pending, active or unsubscribed. The subscriber's own
//     status follows from their subscriptions (active if any is active, else
//     pending if any is pending, else unsubscribed) unless it is bounced or
//     complained: those come with a suppressions row and stay until an editor
//     lifts them.
//   - Every change writes a subscriber_events row saying what and how (via).
//   - Unsubscribing and suppressing skip the subscriber's queued deliveries in
//     the same transaction (the delivery engine re-checks at claim time).

const subscriberColumns = `s.id, s.email, s.name, s.status, s.soft_bounces, s.timezone, s.created_at, s.updated_at`

func scanSubscriber(row interface{ Scan(...any) error }) (*subscribers.Subscriber, error) {
	var sub subscribers.Subscriber
	var created, updated int64
	if err := row.Scan(&sub.ID, &sub.Email, &sub.Name, &sub.Status, &sub.SoftBounces, &sub.TimeZone, &created, &updated); err != nil {
		return nil, err
	}
	sub.CreatedAt, sub.UpdatedAt = fromMS(created), fromMS(updated)
	return &sub, nil
}

// Subscriber returns the subscriber with the given id.
func (s *Store) Subscriber(ctx context.Context, id int64) (*subscribers.Subscriber, error) {
	return s.subscriberByID(ctx, s.db, id)
}

func (s *Store) subscriberByID(ctx context.Context, q querier, id int64) (*subscribers.Subscriber, error) {
	sub, err := scanSubscriber(q.QueryRowContext(ctx, s.q(`SELECT `+subscriberColumns+` FROM subscribers s WHERE s.id = ?`), id))
	if err != nil {
		return nil, s.mapErr(fmt.Errorf("subscriber %d: %w", id, err))
	}
	return sub, nil
}

// SubscriberByEmail returns the subscriber with the address (normalised first).
func (s *Store) SubscriberByEmail(ctx context.Context, email string) (*subscribers.Subscriber, error) {
	norm, err := subscribers.Normalize(email)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", email, err)
	}
	return s.subscriberByEmail(ctx, s.db, norm)
}

func (s *Store) subscriberByEmail(ctx context.Context, q querier, email string) (*subscribers.Subscriber, error) {
	sub, err := scanSubscriber(q.QueryRowContext(ctx, s.q(`SELECT `+subscriberColumns+` FROM subscribers s WHERE s.email = ?`), email))
	if err != nil {
		return nil, s.mapErr(fmt.Errorf("subscriber %s: %w", email, err))
	}
	return sub, nil
}

// AddSubscriber is how one person arrives: an editor's add, the subscribe form,
// the API. It creates the subscriber or finds them by address (updating the name
// when one is given) and, when publicationID is not 0, subscribes them with
// status Active (an editor's consent, or a confirmed link) or Pending (waiting
// for the confirmation email). An active subscription stays active when asked
// for pending again, so the form reveals nothing. A suppressed address gives
// subscribers.ErrSuppressed and changes nothing.
func (s *Store) AddSubscriber(ctx context.Context, email, name string, publicationID int64,
	status subscribers.Status, via subscribers.Via) (*subscribers.Subscriber, error) {
	norm, err := subscribers.Normalize(email)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", email, err)
	}
	if name, err = subscribers.NormalizeName(name); err != nil {
		return nil, err
	}
	if status != subscribers.Active && status != subscribers.Pending {
		return nil, fmt.Errorf("a new subscription is active or pending, not %q", status)
	}
	var out *subscribers.Subscriber
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.suppressedErr(ctx, tx, norm); err != nil {
			return err
		}
		now := ms(s.now())
		sub, err := s.subscriberByEmail(ctx, tx, norm)
		switch {
		case errors.Is(err, ErrNotFound):
			var id int64
			err = tx.QueryRowContext(ctx, s.q(`INSERT INTO subscribers (email, name, status, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?) RETURNING id`), norm, name, string(status), now, now).Scan(&id)
			if err != nil {
				return s.mapErr(fmt.Errorf("add subscriber %s: %w", norm, err))
			}
			if publicationID == 0 {
				if err := s.event(ctx, tx, id, 0, subscribers.EventCreated, via, string(status)); err != nil {
					return err
				}
			}
			sub = &subscribers.Subscriber{ID: id}
		case err != nil:
			return err
		case sub.Status.Suppressed():
			// A bounced or complained subscriber whose suppression row is gone
			// (deleted by hand): only LiftSuppression brings them back.
			return subscribers.ErrSuppressed
		case name != "" && name != sub.Name:
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE subscribers SET name = ?, updated_at = ? WHERE id = ?`),
				name, now, sub.ID); err != nil {
				return fmt.Errorf("rename subscriber %d: %w", sub.ID, err)
			}
			if err := s.event(ctx, tx, sub.ID, 0, subscribers.EventRenamed, via, ""); err != nil {
				return err
			}
		}
		if publicationID != 0 {
			if err := s.subscribeTx(ctx, tx, sub.ID, publicationID, status, via); err != nil {
				return err
			}
		}
		out, err = s.subscriberByID(ctx, tx, sub.ID)
		return err
	})
	return out, err
}
