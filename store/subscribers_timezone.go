package store

import (
	"context"
	"database/sql"
	"fmt"

	"masthead/subscribers"
)

// A subscriber's time zone (subscribers.timezone, '': the publication's) is
// written by an editor (AddArrival, SetSubscriberTimeZone), a CSV import
// (subscribers_import.go) and, for the person themselves, the subscribe
// form: its zone waits on the pending subscription (subscriptions.
// confirm_timezone) until the confirm link is used (applyConfirmZone).

// SetSubscriberTimeZone sets (or, with "", clears) subscriber id's time
// zone, an IANA name newsletter.ParseTimeZone has checked; setting the zone
// they have changes nothing and records nothing.
func (s *Store) SetSubscriberTimeZone(ctx context.Context, id int64, zone string, via subscribers.Via) (*subscribers.Subscriber, error) {
	var out *subscribers.Subscriber
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		sub, err := s.subscriberByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.setTimeZoneTx(ctx, tx, sub, zone, via); err != nil {
			return err
		}
		out, err = s.subscriberByID(ctx, tx, id)
		return err
	})
	return out, err
}

// setTimeZoneTx writes sub's zone with a "timezone" event naming it, when it
// is not sub's zone already.
func (s *Store) setTimeZoneTx(ctx context.Context, tx *sql.Tx, sub *subscribers.Subscriber, zone string, via subscribers.Via) error {
	if zone == sub.TimeZone {
		return nil
	}
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE subscribers SET timezone = ?, updated_at = ? WHERE id = ?`),
		zone, ms(s.now()), sub.ID); err != nil {
		return fmt.Errorf("time zone of subscriber %d: %w", sub.ID, err)
	}
	return s.event(ctx, tx, sub.ID, 0, subscribers.EventTimeZone, via, zoneDetail(zone))
}

// zoneDetail is a zone change's event detail.
func zoneDetail(zone string) string {
	if zone == "" {
		return "the publication's"
	}
	return zone
}

// keepConfirmZone keeps zone, a subscribe form's, with the subscriber's
// pending subscription to the publication, for Confirm; "" (a form posted
// without a zone) clears an earlier one: the latest request is the one the
// reader's link confirms. A subscription that is not pending keeps nothing.
func (s *Store) keepConfirmZone(ctx context.Context, tx *sql.Tx, subscriberID, publicationID int64, zone string) error {
	_, err := tx.ExecContext(ctx, s.q(`UPDATE subscriptions SET confirm_timezone = ?
		WHERE subscriber_id = ? AND publication_id = ? AND status = 'pending'`), zone, subscriberID, publicationID)
	if err != nil {
		return fmt.Errorf("time zone of the subscription of %d to %d: %w", subscriberID, publicationID, err)
	}
	return nil
}

// confirmZone is the zone kept with a pending subscription ("": none).
func (s *Store) confirmZone(ctx context.Context, tx *sql.Tx, subscriberID, publicationID int64) (string, error) {
	var zone string
	err := tx.QueryRowContext(ctx, s.q(`SELECT confirm_timezone FROM subscriptions WHERE subscriber_id = ? AND publication_id = ?`),
		subscriberID, publicationID).Scan(&zone)
	if err != nil {
		return "", fmt.Errorf("time zone of the subscription of %d to %d: %w", subscriberID, publicationID, err)
	}
	return zone, nil
}
