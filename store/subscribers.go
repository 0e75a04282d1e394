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
// The rules, kept here in one place:
//   - subscribers.email is normalised (subscribers.Normalize) and unique.
//   - A subscription is pending, active or unsubscribed. The subscriber's own
//     status follows from their subscriptions (active if any is active, else
//     pending if any is pending, else unsubscribed) unless it is bounced or
//     complained: those come with a suppressions row and stay until an editor
//     lifts them.
//   - Every change writes a subscriber_events row saying what and how (via).
//   - Unsubscribing and suppressing skip the subscriber's queued deliveries in
//     the same transaction (the delivery engine re-checks at claim time).

const subscriberColumns = `s.id, s.email, s.name, s.status, s.soft_bounces, s.created_at, s.updated_at`

func scanSubscriber(row interface{ Scan(...any) error }) (*subscribers.Subscriber, error) {
	var sub subscribers.Subscriber
	var created, updated int64
	if err := row.Scan(&sub.ID, &sub.Email, &sub.Name, &sub.Status, &sub.SoftBounces, &created, &updated); err != nil {
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
		if sup, err := s.isSuppressed(ctx, tx, norm); err != nil || sup {
			if err == nil {
				err = subscribers.ErrSuppressed
			}
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
func (s *Store) subscribeTx(ctx context.Context, tx *sql.Tx, subscriberID, publicationID int64, status subscribers.Status, via subscribers.Via) error {
	cur, err := s.subscriptionStatus(ctx, tx, subscriberID, publicationID)
	if err != nil {
		return err
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

// Confirm activates a pending subscription (the double opt-in link). Confirming
// an active one again is a no-op; a subscription that is not pending (it was
// unsubscribed since, or never existed) gives subscribers.ErrNotPending.
func (s *Store) Confirm(ctx context.Context, subscriberID, publicationID int64, via subscribers.Via) error {
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
		return s.subscribeTx(ctx, tx, subscriberID, publicationID, subscribers.Active, via)
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

// Suppress stops all mail to an address for good (reason Bounced or
// Complained): it records the suppression (even for an address that is not a
// subscriber, so a later import cannot add it), marks the subscriber, skips
// their queued deliveries and records the event. Suppressing again updates the
// reason and detail.
func (s *Store) Suppress(ctx context.Context, email string, reason subscribers.Status, via subscribers.Via, detail string) error {
	norm, err := subscribers.Normalize(email)
	if err != nil {
		return fmt.Errorf("%q: %w", email, err)
	}
	if !reason.Suppressed() {
		return fmt.Errorf("suppression reason must be bounced or complained, not %q", reason)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.suppressTx(ctx, tx, norm, reason, via, detail) })
}

func (s *Store) suppressTx(ctx context.Context, tx *sql.Tx, email string, reason subscribers.Status, via subscribers.Via, detail string) error {
	now := ms(s.now())
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO suppressions (email, reason, detail, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (email) DO UPDATE SET reason = excluded.reason, detail = excluded.detail`),
		email, string(reason), detail, now); err != nil {
		return fmt.Errorf("suppress %s: %w", email, err)
	}
	sub, err := s.subscriberByEmail(ctx, tx, email)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if sub.Status == reason {
		return nil
	}
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE subscribers SET status = ?, updated_at = ? WHERE id = ?`),
		string(reason), now, sub.ID); err != nil {
		return fmt.Errorf("suppress %s: %w", email, err)
	}
	kind := subscribers.EventBounced
	if reason == subscribers.Complained {
		kind = subscribers.EventComplained
	}
	if err := s.event(ctx, tx, sub.ID, 0, kind, via, detail); err != nil {
		return err
	}
	return s.skipQueued(ctx, tx, sub.ID, 0)
}

// Suppression returns the suppression of an address, or ErrNotFound.
func (s *Store) Suppression(ctx context.Context, email string) (*subscribers.Suppression, error) {
	norm, err := subscribers.Normalize(email)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", email, err)
	}
	var sup subscribers.Suppression
	var created int64
	err = s.db.QueryRowContext(ctx, s.q(`SELECT email, reason, detail, created_at FROM suppressions WHERE email = ?`), norm).
		Scan(&sup.Email, &sup.Reason, &sup.Detail, &created)
	if err != nil {
		return nil, s.mapErr(err)
	}
	sup.CreatedAt = fromMS(created)
	return &sup, nil
}

// IsSuppressed reports whether mail to the address is suppressed.
func (s *Store) IsSuppressed(ctx context.Context, email string) (bool, error) {
	norm, err := subscribers.Normalize(email)
	if err != nil {
		return false, fmt.Errorf("%q: %w", email, err)
	}
	return s.isSuppressed(ctx, s.db, norm)
}

func (s *Store) isSuppressed(ctx context.Context, q querier, email string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM suppressions WHERE email = ?`), email).Scan(&n)
	return n > 0, err
}

func (s *Store) refuseSuppressed(ctx context.Context, q querier, sub *subscribers.Subscriber) error {
	if sub.Status.Suppressed() {
		return subscribers.ErrSuppressed
	}
	sup, err := s.isSuppressed(ctx, q, sub.Email)
	if err == nil && sup {
		err = subscribers.ErrSuppressed
	}
	return err
}

// LiftSuppression is an editor's decision to allow mail to a suppressed address
// again. The address is not sent to at once: the subscriber becomes
// unsubscribed from everything, from where a new confirmation (or an editor's
// add) subscribes them again. ErrNotFound when the address is not suppressed.
func (s *Store) LiftSuppression(ctx context.Context, email string, via subscribers.Via, detail string) error {
	norm, err := subscribers.Normalize(email)
	if err != nil {
		return fmt.Errorf("%q: %w", email, err)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM suppressions WHERE email = ?`), norm)
		if err != nil {
			return fmt.Errorf("lift %s: %w", norm, err)
		}
		lifted, _ := res.RowsAffected()
		sub, err := s.subscriberByEmail(ctx, tx, norm)
		if errors.Is(err, ErrNotFound) && lifted > 0 {
			return nil
		}
		if err != nil {
			return err
		}
		if !sub.Status.Suppressed() && lifted == 0 {
			return fmt.Errorf("%s is not suppressed: %w", norm, ErrNotFound)
		}
		now := ms(s.now())
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE subscriptions SET status = 'unsubscribed', updated_at = ?
			WHERE subscriber_id = ? AND status <> 'unsubscribed'`), now, sub.ID); err != nil {
			return fmt.Errorf("lift %s: %w", norm, err)
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE subscribers SET status = 'unsubscribed', soft_bounces = 0, updated_at = ?
			WHERE id = ?`), now, sub.ID); err != nil {
			return fmt.Errorf("lift %s: %w", norm, err)
		}
		return s.event(ctx, tx, sub.ID, 0, subscribers.EventLifted, via, detail)
	})
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
		ON CONFLICT (subscriber_id, publication_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at`),
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

// event appends one line to a subscriber's history.
func (s *Store) event(ctx context.Context, q querier, subscriberID, publicationID int64, kind subscribers.EventKind, via subscribers.Via, detail string) error {
	var pub any
	if publicationID != 0 {
		pub = publicationID
	}
	_, err := q.ExecContext(ctx, s.q(`INSERT INTO subscriber_events (subscriber_id, publication_id, kind, via, detail, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`), subscriberID, pub, string(kind), string(via), detail, ms(s.now()))
	if err != nil {
		return fmt.Errorf("record %s of subscriber %d: %w", kind, subscriberID, err)
	}
	return nil
}

// SubscriberEvents is a subscriber's history, oldest first.
func (s *Store) SubscriberEvents(ctx context.Context, subscriberID int64) ([]subscribers.Event, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, subscriber_id, COALESCE(publication_id, 0), kind, via, detail, created_at
		FROM subscriber_events WHERE subscriber_id = ? ORDER BY id`), subscriberID)
	if err != nil {
		return nil, fmt.Errorf("history of subscriber %d: %w", subscriberID, err)
	}
	defer rows.Close()
	var out []subscribers.Event
	for rows.Next() {
		var e subscribers.Event
		var at int64
		if err := rows.Scan(&e.ID, &e.SubscriberID, &e.PublicationID, &e.Kind, &e.Via, &e.Detail, &at); err != nil {
			return nil, err
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
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

// SubscriberCounts counts subscribers per status. With a publication, a
// subscriber counts under their subscription's status, or under bounced or
// complained when suppressed; without one, under their own status.
func (s *Store) SubscriberCounts(ctx context.Context, publicationID int64) (map[subscribers.Status]int, error) {
	query := `SELECT status, COUNT(*) FROM subscribers GROUP BY status`
	var args []any
	if publicationID != 0 {
		query = `SELECT CASE WHEN s.status IN ('bounced', 'complained') THEN s.status ELSE sub.status END AS st, COUNT(*)
			FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id
			WHERE sub.publication_id = ? GROUP BY st`
		args = append(args, publicationID)
	}
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("count subscribers: %w", err)
	}
	defer rows.Close()
	out := make(map[subscribers.Status]int, len(subscribers.Statuses))
	for _, st := range subscribers.Statuses {
		out[st] = 0
	}
	for rows.Next() {
		var st subscribers.Status
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] += n
	}
	return out, rows.Err()
}
