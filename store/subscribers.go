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

// Arrival is one person arriving (AddArrival): an editor's add, the
// subscribe form, the API.
type Arrival struct {
	Email, Name string
	// TimeZone is the reader's IANA zone (newsletter.ParseTimeZone has
	// checked it); "" leaves an existing subscriber's zone alone.
	TimeZone      string
	PublicationID int64 // 0: the person only, no subscription
	Status        subscribers.Status
	Via           subscribers.Via
	// ZoneOnConfirm says TimeZone is what a subscribe form reported, which
	// anyone may post with anyone's address: it is written on a subscriber
	// this arrival creates (nobody else's row), and of one that exists it
	// is only kept with the subscription the arrival makes pending, to be
	// applied when the reader confirms it (Confirm: the link proves the
	// address). An active subscription keeps nothing: no link is sent.
	ZoneOnConfirm bool
}

// AddSubscriber is AddArrival of a person without a time zone.
func (s *Store) AddSubscriber(ctx context.Context, email, name string, publicationID int64,
	status subscribers.Status, via subscribers.Via) (*subscribers.Subscriber, error) {
	return s.AddArrival(ctx, Arrival{Email: email, Name: name, PublicationID: publicationID, Status: status, Via: via})
}

// AddArrival is how one person arrives. It creates the subscriber or finds
// them by address (updating the name and time zone when given, except for
// ZoneOnConfirm) and, when PublicationID is not 0, subscribes them with
// status Active (an editor's consent, or a confirmed link) or Pending
// (waiting for the confirmation email). An active subscription stays active
// when asked for pending again, so the form reveals nothing. A suppressed
// address gives subscribers.ErrSuppressed and changes nothing.
func (s *Store) AddArrival(ctx context.Context, a Arrival) (*subscribers.Subscriber, error) {
	email, name, publicationID, status, via := a.Email, a.Name, a.PublicationID, a.Status, a.Via
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
		created := false
		switch {
		case errors.Is(err, ErrNotFound):
			var id int64
			err = tx.QueryRowContext(ctx, s.q(`INSERT INTO subscribers (email, name, status, timezone, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?) RETURNING id`), norm, name, string(status), a.TimeZone, now, now).Scan(&id)
			if err != nil {
				return s.mapErr(fmt.Errorf("add subscriber %s: %w", norm, err))
			}
			if publicationID == 0 {
				if err := s.event(ctx, tx, id, 0, subscribers.EventCreated, via, string(status)); err != nil {
					return err
				}
			}
			sub, created = &subscribers.Subscriber{ID: id}, true
		case err != nil:
			return err
		case sub.Status.Suppressed():
			// A bounced or complained subscriber whose suppression row is gone
			// (deleted by hand): only LiftSuppression brings them back.
			return subscribers.ErrSuppressed
		default:
			if name != "" && name != sub.Name {
				if _, err := tx.ExecContext(ctx, s.q(`UPDATE subscribers SET name = ?, updated_at = ? WHERE id = ?`),
					name, now, sub.ID); err != nil {
					return fmt.Errorf("rename subscriber %d: %w", sub.ID, err)
				}
				if err := s.event(ctx, tx, sub.ID, 0, subscribers.EventRenamed, via, ""); err != nil {
					return err
				}
			}
			if a.TimeZone != "" && !a.ZoneOnConfirm {
				if err := s.setTimeZoneTx(ctx, tx, sub, a.TimeZone, via); err != nil {
					return err
				}
			}
		}
		if publicationID != 0 {
			if err := s.subscribeTx(ctx, tx, sub.ID, publicationID, status, via); err != nil {
				return err
			}
			if a.ZoneOnConfirm && !created {
				if err := s.keepConfirmZone(ctx, tx, sub.ID, publicationID, a.TimeZone); err != nil {
					return err
				}
			}
		}
		out, err = s.subscriberByID(ctx, tx, sub.ID)
		return err
	})
	return out, err
}
