package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strings"

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

// SubscriberFilter selects subscribers for lists and exports.
type SubscriberFilter struct {
	Text          string             // substring of the address or the name, any case
	Status        subscribers.Status // with PublicationID: the status for that publication (Listing.StatusIn)
	PublicationID int64              // only subscribers with a subscription to it (any status unless Status)
	BeforeID      int64              // SearchSubscribers: only ids below (the next page of a newest-first list)
	AfterID       int64              // EachSubscriber: only ids above
	Limit         int                // SearchSubscribers: page size (default 50)
}

// where builds the WHERE clause over subscribers s.
func (f SubscriberFilter) where() (string, []any) {
	var conds []string
	var args []any
	if f.Text != "" {
		pat := "%" + likeEscaper.Replace(strings.ToLower(strings.TrimSpace(f.Text))) + "%"
		conds = append(conds, `(s.email LIKE ? ESCAPE '\' OR LOWER(s.name) LIKE ? ESCAPE '\')`)
		args = append(args, pat, pat)
	}
	switch {
	case f.PublicationID != 0 && f.Status != "" && !f.Status.Suppressed():
		conds = append(conds, `s.status NOT IN ('bounced', 'complained') AND EXISTS (SELECT 1 FROM subscriptions f
			WHERE f.subscriber_id = s.id AND f.publication_id = ? AND f.status = ?)`)
		args = append(args, f.PublicationID, string(f.Status))
	case f.PublicationID != 0:
		conds = append(conds, `EXISTS (SELECT 1 FROM subscriptions f WHERE f.subscriber_id = s.id AND f.publication_id = ?)`)
		args = append(args, f.PublicationID)
		fallthrough
	case f.Status != "":
		if f.Status != "" {
			conds = append(conds, `s.status = ?`)
			args = append(args, string(f.Status))
		}
	}
	if f.BeforeID > 0 {
		conds = append(conds, `s.id < ?`)
		args = append(args, f.BeforeID)
	}
	if f.AfterID > 0 {
		conds = append(conds, `s.id > ?`)
		args = append(args, f.AfterID)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return ` WHERE ` + strings.Join(conds, ` AND `), args
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// SearchSubscribers returns one page of subscribers matching f, newest first,
// with their subscriptions. The next page is f with BeforeID set to the last
// one's ID.
func (s *Store) SearchSubscribers(ctx context.Context, f SubscriberFilter) ([]*subscribers.Listing, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	where, args := f.where()
	inner := `SELECT s.* FROM subscribers s` + where + ` ORDER BY s.id DESC LIMIT ?`
	var out []*subscribers.Listing
	err := s.listings(ctx, inner, append(args, f.Limit), `DESC`, func(l *subscribers.Listing) error {
		out = append(out, l)
		return nil
	})
	return out, err
}

// EachSubscriber calls fn for every subscriber matching f, oldest first, with
// their subscriptions, streaming from one query (nothing is held in memory).
// fn must not use the store: with SQLite the query holds a connection.
func (s *Store) EachSubscriber(ctx context.Context, f SubscriberFilter, fn func(*subscribers.Listing) error) error {
	where, args := f.where()
	return s.listings(ctx, `SELECT s.* FROM subscribers s`+where, args, `ASC`, fn)
}

// listings runs inner (a SELECT of subscriber rows) joined with their
// subscriptions and calls fn once per subscriber.
func (s *Store) listings(ctx context.Context, inner string, args []any, order string, fn func(*subscribers.Listing) error) error {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+subscriberColumns+`,
			COALESCE(sub.publication_id, 0), COALESCE(p.slug, ''), COALESCE(sub.status, ''),
			COALESCE(sub.created_at, 0), COALESCE(sub.updated_at, 0)
		FROM (`+inner+`) s
		LEFT JOIN subscriptions sub ON sub.subscriber_id = s.id
		LEFT JOIN publications p ON p.id = sub.publication_id
		ORDER BY s.id `+order), args...)
	if err != nil {
		return fmt.Errorf("list subscribers: %w", err)
	}
	defer rows.Close()
	var cur *subscribers.Listing
	emit := func() error {
		if cur == nil {
			return nil
		}
		slices.SortFunc(cur.Subscriptions, func(a, b subscribers.Subscription) int {
			return strings.Compare(a.PublicationSlug, b.PublicationSlug)
		})
		return fn(cur)
	}
	for rows.Next() {
		var sub subscribers.Subscriber
		var subn subscribers.Subscription
		var created, updated, sc, su int64
		if err := rows.Scan(&sub.ID, &sub.Email, &sub.Name, &sub.Status, &sub.SoftBounces, &created, &updated,
			&subn.PublicationID, &subn.PublicationSlug, &subn.Status, &sc, &su); err != nil {
			return err
		}
		if cur == nil || cur.ID != sub.ID {
			if err := emit(); err != nil {
				return err
			}
			sub.CreatedAt, sub.UpdatedAt = fromMS(created), fromMS(updated)
			cur = &subscribers.Listing{Subscriber: sub}
		}
		if subn.PublicationID != 0 {
			subn.SubscriberID = sub.ID
			subn.CreatedAt, subn.UpdatedAt = fromMS(sc), fromMS(su)
			cur.Subscriptions = append(cur.Subscriptions, subn)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return emit()
}

// SubscriberImport writes the rows of one CSV import (subscribers.Importer) to
// one publication. It holds one connection for the import's life, with a
// temporary table of the existing subscribers' addresses seen so far (see
// markDuplicates for how repeated addresses are found).
type SubscriberImport struct {
	s     *Store
	conn  *sql.Conn
	pubID int64
	// watermark is the highest subscriber id when the import began: higher
	// ids are new, and lines[id-watermark-1] says which line created each
	// (0: someone else, such as the subscribe form, during the import).
	watermark int64
	lines     []uint32
}

var _ subscribers.ImportSink = (*SubscriberImport)(nil)

// BeginImport starts an import into a publication. Close it when done.
func (s *Store) BeginImport(ctx context.Context, publicationID int64) (*SubscriberImport, error) {
	if publicationID == 0 {
		return nil, errors.New("an import needs a publication")
	}
	if _, err := s.Publication(ctx, publicationID); err != nil {
		return nil, fmt.Errorf("import into publication %d: %w", publicationID, err)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	key := "BIGINT PRIMARY KEY"
	if s.dialect.name() == "sqlite" {
		key = "INTEGER PRIMARY KEY" // the rowid itself: one B-tree, not two
	}
	setup := []string{
		`CREATE TEMP TABLE IF NOT EXISTS import_seen (h ` + key + `, email TEXT NOT NULL, line BIGINT NOT NULL)`,
		`DELETE FROM import_seen`,
	}
	if s.dialect.name() == "sqlite" {
		// A bigger page cache for this connection only: a large list's email
		// index is written in random order, and with SQLite's default 2 MB
		// cache most inserts re-read index pages from the file.
		setup = append(setup, fmt.Sprintf(`PRAGMA main.cache_size = -%d`, importCacheKiB),
			fmt.Sprintf(`PRAGMA temp.cache_size = -%d`, importCacheKiB/4))
	}
	for _, q := range setup {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			conn.Close()
			return nil, fmt.Errorf("begin import: %w", err)
		}
	}
	im := &SubscriberImport{s: s, conn: conn, pubID: publicationID}
	if err := conn.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM subscribers`).Scan(&im.watermark); err != nil {
		conn.Close()
		return nil, fmt.Errorf("begin import: %w", err)
	}
	return im, nil
}

// importCacheKiB is the SQLite page cache of an import's connection (KiB).
const importCacheKiB = 64 << 10

// Close drops the import's temporary table and releases its connection.
func (im *SubscriberImport) Close() error {
	ctx := context.Background()
	_, err := im.conn.ExecContext(ctx, `DROP TABLE IF EXISTS import_seen`)
	if im.s.dialect.name() == "sqlite" && err == nil {
		_, err = im.conn.ExecContext(ctx, `PRAGMA main.cache_size = -2000`) // SQLite's default, for the pool
	}
	if cerr := im.conn.Close(); err == nil {
		err = cerr
	}
	return err
}

// WriteBatch writes rows in one transaction and sets each row's Outcome.
// Suppressed addresses are never written; people who unsubscribed are not
// subscribed again; an active subscription is never made pending again; an
// empty name keeps the stored one. So importing the same file twice changes
// nothing the second time.
func (im *SubscriberImport) WriteBatch(ctx context.Context, rows []subscribers.ImportRow) error {
	tx, err := im.conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := im.writeBatch(ctx, tx, rows); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// existingSub is what an import needs to know of a stored subscriber.
type existingSub struct {
	id     int64
	name   string
	status subscribers.Status
	sub    subscribers.Status // subscription to the import's publication; "" if none
}

// batchWrites gathers one batch's writes so each kind is one statement.
type batchWrites struct {
	renames   []any // id, name
	subs      []any // subscriber_id, publication_id, status, created_at, updated_at
	events    []any // subscriber_id, publication_id, kind, via, detail, created_at
	unsubbed  []any // ids whose subscription ended: skip their queued deliveries
	recompute []any // ids whose status follows from changed subscriptions
}

func (w *batchWrites) event(id, pubID int64, kind subscribers.EventKind, detail string, now int64) {
	var pub any
	if pubID != 0 {
		pub = pubID
	}
	w.events = append(w.events, id, pub, string(kind), string(subscribers.ViaImport), detail, now)
}

func (im *SubscriberImport) writeBatch(ctx context.Context, tx *sql.Tx, rows []subscribers.ImportRow) error {
	s := im.s
	// Repeats within the batch.
	first := make(map[string]int, len(rows))
	live := make([]int, 0, len(rows))
	emails := make([]any, 0, len(rows))
	for i := range rows {
		r := &rows[i]
		if j, ok := first[r.Email]; ok {
			r.Outcome, r.FirstLine = subscribers.OutcomeDuplicate, rows[j].Line
			continue
		}
		first[r.Email] = i
		live = append(live, i)
		emails = append(emails, r.Email)
	}
	suppressed, err := im.suppressedOf(ctx, tx, emails)
	if err != nil {
		return err
	}
	// Create every address not suppressed; those already stored are left.
	now := ms(s.now())
	var w batchWrites
	var tryNew []int
	for _, i := range live {
		r := &rows[i]
		switch {
		case r.Status.Suppressed():
		case suppressed[r.Email]:
			r.Outcome = subscribers.OutcomeSuppressed
		default:
			tryNew = append(tryNew, i)
		}
	}
	if err := im.insertNew(ctx, tx, rows, tryNew, &w, now); err != nil {
		return err
	}
	// The others were stored already: repeats of earlier lines, or updates.
	var rest []int
	emails = emails[:0]
	for _, i := range live {
		if rows[i].Outcome == subscribers.OutcomeNone {
			rest = append(rest, i)
			emails = append(emails, rows[i].Email)
		}
	}
	existing, err := im.existingOf(ctx, tx, emails)
	if err != nil {
		return err
	}
	if rest, err = im.markRepeats(ctx, tx, rows, rest, existing); err != nil {
		return err
	}
	var suppressing []int
	for _, i := range rest {
		r := &rows[i]
		ex := existing[r.Email]
		switch {
		case r.Status.Suppressed():
			suppressing = append(suppressing, i)
		case ex == nil: // deleted meanwhile
			r.Outcome = subscribers.OutcomeUnchanged
		case ex.status.Suppressed():
			r.Outcome = subscribers.OutcomeSuppressed
		default:
			im.update(r, ex, &w, now)
		}
	}
	if err := im.apply(ctx, tx, &w, now); err != nil {
		return err
	}
	for _, i := range suppressing {
		if err := im.importSuppression(ctx, tx, &rows[i], existing[rows[i].Email]); err != nil {
			return err
		}
	}
	return nil
}

// insertNew creates, with one multi-row INSERT, the subscribers of the rows
// whose address is not stored yet, marks those rows Added and gathers their
// subscriptions and events. The other rows keep OutcomeNone.
func (im *SubscriberImport) insertNew(ctx context.Context, tx *sql.Tx, rows []subscribers.ImportRow, try []int, w *batchWrites, now int64) error {
	if len(try) == 0 {
		return nil
	}
	args := make([]any, 0, 5*len(try))
	for _, i := range try {
		args = append(args, rows[i].Email, rows[i].Name, string(rows[i].Status), now, now)
	}
	ids := make(map[string]int64, len(try))
	err := im.s.queryBulk(ctx, tx, `INSERT INTO subscribers (email, name, status, created_at, updated_at)`, `(?, ?, ?, ?, ?)`, args,
		`ON CONFLICT (email) DO NOTHING RETURNING id, email`, nil, func(r *sql.Rows) error {
			var id int64
			var email string
			err := r.Scan(&id, &email)
			ids[email] = id
			return err
		})
	if err != nil {
		return fmt.Errorf("import subscribers: %w", err)
	}
	for _, i := range try {
		r := &rows[i]
		id, ok := ids[r.Email]
		if !ok {
			continue
		}
		r.Outcome = subscribers.OutcomeAdded
		im.created(id, r.Line)
		kind := subscribers.EventSubscribed
		if r.Status == subscribers.Unsubscribed {
			kind = subscribers.EventUnsubscribed
		}
		w.subs = append(w.subs, id, im.pubID, string(r.Status), now, now)
		w.event(id, im.pubID, kind, string(r.Status), now)
	}
	return nil
}

// apply runs a batch's gathered writes, one statement (or a few) per kind.
func (im *SubscriberImport) apply(ctx context.Context, tx *sql.Tx, w *batchWrites, now int64) error {
	s := im.s
	steps := []struct {
		what string
		run  func() error
	}{
		{"names", func() error {
			return s.execBulk(ctx, tx, `WITH v (id, name) AS (`, `(CAST(? AS BIGINT), CAST(? AS TEXT))`, w.renames,
				`) UPDATE subscribers SET name = (SELECT v.name FROM v WHERE v.id = subscribers.id), updated_at = ?
				WHERE id IN (SELECT id FROM v)`, []any{now})
		}},
		{"subscriptions", func() error {
			return s.execBulk(ctx, tx, `INSERT INTO subscriptions (subscriber_id, publication_id, status, created_at, updated_at)`,
				`(?, ?, ?, ?, ?)`, w.subs, `ON CONFLICT (subscriber_id, publication_id)
				DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at`, nil)
		}},
		{"events", func() error {
			return s.execBulk(ctx, tx, `INSERT INTO subscriber_events (subscriber_id, publication_id, kind, via, detail, created_at)`,
				`(?, ?, ?, ?, ?, ?)`, w.events, ``, nil)
		}},
		{"queued deliveries", func() error {
			return s.execIn(ctx, tx, `UPDATE deliveries SET status = 'skipped' WHERE status = 'queued'
				AND issue_id IN (SELECT id FROM issues WHERE publication_id = ?) AND subscriber_id IN`, []any{im.pubID}, w.unsubbed)
		}},
		{"statuses", func() error {
			return s.execIn(ctx, tx, `UPDATE subscribers SET updated_at = ?, status =
				CASE WHEN EXISTS (SELECT 1 FROM subscriptions WHERE subscriber_id = subscribers.id AND status = 'active') THEN 'active'
				     WHEN EXISTS (SELECT 1 FROM subscriptions WHERE subscriber_id = subscribers.id AND status = 'pending') THEN 'pending'
				     ELSE 'unsubscribed' END
				WHERE status NOT IN ('bounced', 'complained') AND id IN`, []any{now}, w.recompute)
		}},
	}
	for _, step := range steps {
		if err := step.run(); err != nil {
			return fmt.Errorf("import %s: %w", step.what, err)
		}
	}
	return nil
}

// markRepeats marks the rows (indexes into rows, of addresses already stored,
// with existing their subscribers) whose address came earlier in the file,
// and returns the others. Within a batch the caller finds repeats with a map;
// across batches, without holding the file in memory:
//   - a subscriber this import created is known by its id: lines records the
//     line that created each new id (4 bytes per new subscriber);
//   - a subscriber that existed before is looked up in the temporary table
//     import_seen, keyed by a 64-bit hash of the address (an integer key is
//     several times cheaper to index than the text); the stored address tells
//     a real repeat from a hash collision.
func (im *SubscriberImport) markRepeats(ctx context.Context, tx *sql.Tx, rows []subscribers.ImportRow, idx []int, existing map[string]*existingSub) ([]int, error) {
	var hashes []any // of rows whose subscriber existed before the import
	for _, i := range idx {
		r := &rows[i]
		ex := existing[r.Email]
		switch {
		case ex == nil:
		case im.createdLine(ex.id) > 0:
			r.Outcome, r.FirstLine = subscribers.OutcomeDuplicate, im.createdLine(ex.id)
		case ex.id <= im.watermark:
			hashes = append(hashes, emailHash(r.Email))
		}
	}
	if len(hashes) > 0 {
		seen := make(map[string]int) // address -> line it first appeared on
		err := im.s.queryIn(ctx, tx, `SELECT email, line FROM import_seen WHERE h IN`, nil, hashes, func(r *sql.Rows) error {
			var email string
			var line int
			err := r.Scan(&email, &line)
			seen[email] = line
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("import duplicates: %w", err)
		}
		args := make([]any, 0, 3*len(hashes))
		for _, i := range idx {
			r := &rows[i]
			if ex := existing[r.Email]; ex == nil || ex.id > im.watermark {
				continue
			}
			if line, ok := seen[r.Email]; ok {
				r.Outcome, r.FirstLine = subscribers.OutcomeDuplicate, line
				continue
			}
			args = append(args, emailHash(r.Email), r.Email, r.Line)
		}
		err = im.s.execBulk(ctx, tx, `INSERT INTO import_seen (h, email, line)`, `(?, ?, ?)`, args, `ON CONFLICT (h) DO NOTHING`, nil)
		if err != nil {
			return nil, fmt.Errorf("import duplicates: %w", err)
		}
	}
	out := idx[:0]
	for _, i := range idx {
		if rows[i].Outcome != subscribers.OutcomeDuplicate {
			out = append(out, i)
		}
	}
	return out, nil
}

// created records that this import created subscriber id from line.
func (im *SubscriberImport) created(id int64, line int) {
	k := id - im.watermark - 1
	if k < 0 || line <= 0 || line > math.MaxUint32 {
		return
	}
	if k >= int64(len(im.lines)) {
		im.lines = append(im.lines, make([]uint32, k-int64(len(im.lines))+1)...)
	}
	im.lines[k] = uint32(line)
}

// createdLine is the line that created subscriber id in this import, 0 if
// this import did not create it.
func (im *SubscriberImport) createdLine(id int64) int {
	k := id - im.watermark - 1
	if k < 0 || k >= int64(len(im.lines)) {
		return 0
	}
	return int(im.lines[k])
}

// emailHash is FNV-1a, 64 bits, as a signed integer key.
func emailHash(email string) int64 {
	h := fnv.New64a()
	h.Write([]byte(email))
	return int64(h.Sum64())
}

func (im *SubscriberImport) suppressedOf(ctx context.Context, tx *sql.Tx, emails []any) (map[string]bool, error) {
	out := map[string]bool{}
	err := im.s.queryIn(ctx, tx, `SELECT email FROM suppressions WHERE email IN`, nil, emails, func(r *sql.Rows) error {
		var email string
		err := r.Scan(&email)
		out[email] = true
		return err
	})
	return out, err
}

func (im *SubscriberImport) existingOf(ctx context.Context, tx *sql.Tx, emails []any) (map[string]*existingSub, error) {
	out := make(map[string]*existingSub)
	err := im.s.queryIn(ctx, tx, `SELECT s.email, s.id, s.name, s.status, COALESCE(sub.status, '')
		FROM subscribers s LEFT JOIN subscriptions sub ON sub.subscriber_id = s.id AND sub.publication_id = ?
		WHERE s.email IN`, []any{im.pubID}, emails, func(r *sql.Rows) error {
		var email string
		var ex existingSub
		err := r.Scan(&email, &ex.id, &ex.name, &ex.status, &ex.sub)
		out[email] = &ex
		return err
	})
	return out, err
}

// update decides what one row changes of an existing subscriber and gathers
// the writes.
func (im *SubscriberImport) update(r *subscribers.ImportRow, ex *existingSub, w *batchWrites, now int64) {
	changed := false
	if r.Name != "" && r.Name != ex.name {
		w.renames = append(w.renames, ex.id, r.Name)
		w.event(ex.id, 0, subscribers.EventRenamed, "", now)
		changed = true
	}
	var to subscribers.Status
	kind := subscribers.EventSubscribed
	switch {
	case r.Status == ex.sub:
	case ex.sub == subscribers.Unsubscribed:
		// They left; an import is not their consent to come back.
		if !changed {
			r.Outcome = subscribers.OutcomeKeptUnsubscribed
			return
		}
	case r.Status == subscribers.Unsubscribed:
		to, kind = subscribers.Unsubscribed, subscribers.EventUnsubscribed
		w.unsubbed = append(w.unsubbed, ex.id)
	case r.Status == subscribers.Active:
		to = subscribers.Active
		if ex.sub == subscribers.Pending {
			kind = subscribers.EventConfirmed
		}
	case ex.sub == "": // pending asked, no subscription yet
		to = subscribers.Pending
	}
	if to != "" {
		w.subs = append(w.subs, ex.id, im.pubID, string(to), now, now)
		w.event(ex.id, im.pubID, kind, string(to), now)
		w.recompute = append(w.recompute, ex.id)
		changed = true
	}
	r.Outcome = subscribers.OutcomeUnchanged
	if changed {
		r.Outcome = subscribers.OutcomeUpdated
	}
}

// importSuppression takes a row whose status is bounced or complained (a
// suppression list from another system): the address is suppressed.
func (im *SubscriberImport) importSuppression(ctx context.Context, tx *sql.Tx, r *subscribers.ImportRow, ex *existingSub) error {
	s := im.s
	if ex != nil && ex.status == r.Status {
		r.Outcome = subscribers.OutcomeUnchanged
		return nil
	}
	r.Outcome = subscribers.OutcomeUpdated
	if ex == nil {
		now := ms(s.now())
		var id int64
		if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO subscribers (email, name, status, created_at, updated_at)
			VALUES (?, ?, 'unsubscribed', ?, ?) RETURNING id`), r.Email, r.Name, now, now).Scan(&id); err != nil {
			return fmt.Errorf("line %d: %w", r.Line, err)
		}
		r.Outcome = subscribers.OutcomeAdded
		im.created(id, r.Line)
	}
	return s.suppressTx(ctx, tx, r.Email, r.Status, subscribers.ViaImport, fmt.Sprintf("imported as %s", r.Status))
}

// maxBulkArgs keeps one statement's placeholders under every database's limit
// (SQLite: 32766, PostgreSQL: 65535).
const maxBulkArgs = 30000

// execBulk runs head VALUES row, row, ... tail over args (as many values per
// row as row has placeholders), in as few statements as the placeholder limit
// allows; tailArgs are the arguments of tail's placeholders. Nothing to do
// when args is empty.
func (s *Store) execBulk(ctx context.Context, q querier, head, row string, args []any, tail string, tailArgs []any) error {
	return s.queryBulk(ctx, q, head, row, args, tail, tailArgs, nil)
}

// queryBulk is execBulk for statements with RETURNING: each returned row goes to scan.
func (s *Store) queryBulk(ctx context.Context, q querier, head, row string, args []any, tail string, tailArgs []any,
	scan func(*sql.Rows) error) error {
	width := strings.Count(row, "?")
	per := (maxBulkArgs - len(tailArgs)) / width * width
	for len(args) > 0 {
		n := min(per, len(args))
		chunk := append(args[:n:n], tailArgs...)
		args = args[n:]
		var b strings.Builder
		b.Grow(len(head) + len(tail) + n/width*(len(row)+2) + 16)
		b.WriteString(head)
		b.WriteString(" VALUES ")
		for i := 0; i < n/width; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(row)
		}
		b.WriteString(" ")
		b.WriteString(tail)
		if scan == nil {
			if _, err := q.ExecContext(ctx, s.q(b.String()), chunk...); err != nil {
				return err
			}
			continue
		}
		if err := s.scanAll(ctx, q, b.String(), chunk, scan); err != nil {
			return err
		}
	}
	return nil
}

// queryIn runs query + " (?, ?, ...)" over values, in chunks, scanning each row;
// pre are the arguments of placeholders in query before the IN list.
func (s *Store) queryIn(ctx context.Context, q querier, query string, pre, values []any, scan func(*sql.Rows) error) error {
	for len(values) > 0 {
		n := min(maxBulkArgs, len(values))
		args := append(pre[:len(pre):len(pre)], values[:n]...)
		if err := s.scanAll(ctx, q, query+` (`+placeholders(n)+`)`, args, scan); err != nil {
			return err
		}
		values = values[n:]
	}
	return nil
}

// execIn is queryIn for statements that return no rows.
func (s *Store) execIn(ctx context.Context, q querier, query string, pre, values []any) error {
	for len(values) > 0 {
		n := min(maxBulkArgs, len(values))
		args := append(pre[:len(pre):len(pre)], values[:n]...)
		if _, err := q.ExecContext(ctx, s.q(query+` (`+placeholders(n)+`)`), args...); err != nil {
			return err
		}
		values = values[n:]
	}
	return nil
}

func (s *Store) scanAll(ctx context.Context, q querier, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
