package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"masthead/subscribers"
)

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
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if gone, err := s.wasErased(ctx, tx, norm); err != nil || gone {
			return err // an erased address stays suppressed by its hash alone
		}
		return s.suppressTx(ctx, tx, norm, reason, via, detail, 0)
	})
}

// suppressTx is Suppress inside the caller's transaction. issueID is the
// send whose own delivery bounced (0: anything else, such as a report or an
// import): LiftSendSuppressions lifts by it.
func (s *Store) suppressTx(ctx context.Context, tx *sql.Tx, email string, reason subscribers.Status, via subscribers.Via,
	detail string, issueID int64) error {
	now := ms(s.now())
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO suppressions (email, reason, detail, created_at, issue_id) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (email) DO UPDATE SET reason = excluded.reason, detail = excluded.detail, issue_id = excluded.issue_id`),
		email, string(reason), detail, now, issueID); err != nil {
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
	erased, err := s.erasedForm(ctx, s.db, norm)
	if err != nil {
		return nil, err
	}
	var sup subscribers.Suppression
	var created int64
	err = s.db.QueryRowContext(ctx, s.q(`SELECT reason, detail, created_at FROM suppressions WHERE email IN (?, ?)
		ORDER BY reason = 'erased'`), norm, erased).Scan(&sup.Reason, &sup.Detail, &created)
	if err != nil {
		return nil, s.mapErr(err)
	}
	sup.Email, sup.CreatedAt = norm, fromMS(created)
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

// isSuppressed is IsSuppressed through q: the address is suppressed, or
// was erased (its keyed hash is suppressed).
func (s *Store) isSuppressed(ctx context.Context, q querier, email string) (bool, error) {
	erased, err := s.erasedForm(ctx, q, email)
	if err != nil {
		return false, err
	}
	var n int
	err = q.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM suppressions WHERE email IN (?, ?)`), email, erased).Scan(&n)
	return n > 0, err
}

func (s *Store) refuseSuppressed(ctx context.Context, q querier, sub *subscribers.Subscriber) error {
	if sub.Status.Suppressed() {
		return subscribers.ErrSuppressed
	}
	return s.suppressedErr(ctx, q, sub.Email)
}

// suppressedErr is nil when the normalised address is not suppressed, else
// subscribers.ErrErased when it was erased or subscribers.ErrSuppressed.
func (s *Store) suppressedErr(ctx context.Context, q querier, norm string) error {
	if sup, err := s.isSuppressed(ctx, q, norm); err != nil || !sup {
		return err
	}
	if gone, err := s.wasErased(ctx, q, norm); err != nil || gone {
		if err == nil {
			err = subscribers.ErrErased
		}
		return err
	}
	return subscribers.ErrSuppressed
}

// LiftSuppression is an editor's decision to allow mail to a suppressed address
// again (or an erased address's hash, when the person comes back). The address is not sent to at once: the subscriber becomes
// unsubscribed from everything, from where a new confirmation (or an editor's
// add) subscribes them again. ErrNotFound when the address is not suppressed.
func (s *Store) LiftSuppression(ctx context.Context, email string, via subscribers.Via, detail string) error {
	norm, err := subscribers.Normalize(email)
	if err != nil {
		return fmt.Errorf("%q: %w", email, err)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		erased, err := s.erasedForm(ctx, tx, norm)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM suppressions WHERE email IN (?, ?)`), norm, erased)
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

// SendSuppressions counts the suppressions the send of an issue made by
// itself, those LiftSendSuppressions would lift.
func (s *Store) SendSuppressions(ctx context.Context, issueID int64) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM suppressions WHERE issue_id = ?`), issueID).Scan(&n)
	return n, err
}

// SendLift is what LiftSendSuppressions did.
type SendLift struct {
	Lifted   []string // the addresses no longer suppressed, in order
	Requeued int      // their rows of the issue put back in the queue (the issue is sending or paused)
}

// LiftSendSuppressions undoes, in one transaction, every suppression one
// send's own deliveries made (hard bounces, and soft-bounce limits its
// give-ups reached; not reports or complaints that came later): the safety
// net for a relay that refused everyone in words masthead took for the
// readers'. Unlike LiftSuppression, an editor's decision about one address
// that leaves the person unsubscribed, this puts each subscriber back as
// they were before the send: a bounce never touches subscriptions, so the
// subscriber's status is derived from them again, and their soft bounces
// start from 0. Each gets a "lifted" event with via and detail. Their failed
// row of the issue goes back to the queue when the issue is still sending or
// paused, so that the send (resumed) delivers it; of a finished issue the
// rows stay as they are.
func (s *Store) LiftSendSuppressions(ctx context.Context, issueID int64, via subscribers.Via, detail string) (SendLift, error) {
	var out SendLift
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var status string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT status FROM issues WHERE id = ?`+s.dialect.forUpdate()), issueID).Scan(&status); err != nil {
			return s.mapErr(fmt.Errorf("issue %d: %w", issueID, err))
		}
		out.Lifted = nil
		err := s.scanAll(ctx, tx, `SELECT email FROM suppressions WHERE issue_id = ? ORDER BY email`, []any{issueID},
			func(rows *sql.Rows) error {
				var e string
				err := rows.Scan(&e)
				out.Lifted = append(out.Lifted, e)
				return err
			})
		if err != nil || len(out.Lifted) == 0 {
			return err
		}
		now := ms(s.now())
		const mine = `(SELECT email FROM suppressions WHERE issue_id = ?)`
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO subscriber_events (subscriber_id, publication_id, kind, via, detail, created_at)
			SELECT id, CAST(NULL AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT)
			FROM subscribers WHERE email IN `+mine),
			string(subscribers.EventLifted), string(via), truncate(detail, 1000), now, issueID); err != nil {
			return fmt.Errorf("record lifts: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE subscribers SET soft_bounces = 0, updated_at = ?, status =
			CASE WHEN EXISTS (SELECT 1 FROM subscriptions WHERE subscriber_id = subscribers.id AND status = 'active') THEN 'active'
			     WHEN EXISTS (SELECT 1 FROM subscriptions WHERE subscriber_id = subscribers.id AND status = 'pending') THEN 'pending'
			     ELSE 'unsubscribed' END
			WHERE status = 'bounced' AND email IN `+mine), now, issueID); err != nil {
			return fmt.Errorf("restore subscribers: %w", err)
		}
		if status == "sending" || status == "paused" {
			res, err := tx.ExecContext(ctx, s.q(`UPDATE deliveries SET status = 'queued', next_attempt_at = 0, first_attempt_at = 0,
				lease_owner = '', lease_until = 0 WHERE issue_id = ? AND status = 'failed' AND email IN `+mine), issueID, issueID)
			if err != nil {
				return fmt.Errorf("requeue rows: %w", err)
			}
			n, _ := res.RowsAffected()
			out.Requeued = int(n)
		}
		_, err = tx.ExecContext(ctx, s.q(`DELETE FROM suppressions WHERE issue_id = ?`), issueID)
		return err
	})
	return out, err
}
