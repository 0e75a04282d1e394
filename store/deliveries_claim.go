package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"masthead/ledger"
	"masthead/newsletter"
)

// skipLocker is the hook for databases that lock rows: a dialect that has it
// appends its clause (PostgreSQL: " FOR UPDATE SKIP LOCKED") to the claim's
// inner SELECT, so that concurrent claimers take disjoint rows without waiting.
// SQLite needs none: BEGIN IMMEDIATE serialises writers.
type skipLocker interface{ skipLocked() string }

func (s *Store) claimLock() string {
	if d, ok := s.dialect.(skipLocker); ok {
		return d.skipLocked()
	}
	return ""
}

// Claim takes up to n of an issue's due rows for owner until now+lease: queued
// rows whose next attempt is due (the first attempt of a row delivered at
// its reader's local time is due then; a row ordered after the reader's row
// of an earlier issue waits until that one is settled), and rows left sending by an owner whose lease
// expired (a crashed or stopped process). Of those, rows whose subscriber has
// since unsubscribed from the publication, stopped being active, or been
// suppressed become skipped instead of being returned. It returns ErrNotSending
// when the issue is not sending (paused, cancelled or sent). owner sends
// through transport: an issue whose send was started with another one gives a
// *ledger.TransportError (ErrOtherTransport) and no rows. An empty transport,
// on the issue or here, matches any.
func (s *Store) Claim(ctx context.Context, issueID int64, owner, transport string, n int, lease time.Duration) ([]*ledger.Delivery, error) {
	var out []*ledger.Delivery
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var status newsletter.IssueStatus
		var pubID int64
		var have string
		err := tx.QueryRowContext(ctx, s.q(`SELECT status, publication_id, transport FROM issues WHERE id = ?`), issueID).
			Scan(&status, &pubID, &have)
		if err != nil {
			return s.mapErr(fmt.Errorf("claim issue %d: %w", issueID, err))
		}
		if status != newsletter.Sending {
			return fmt.Errorf("%w: issue %d is %s", ledger.ErrNotSending, issueID, status)
		}
		if err := otherTransport(issueID, have, transport); err != nil {
			return err
		}
		now := s.now()
		// Rows of a dead owner first (few: at most what was in flight), then
		// queued rows in the index's order (issue_id, status, next_attempt_at),
		// which LIMIT can stop early in without sorting the whole queue.
		claimed, err := s.claimWhere(ctx, tx, `status = 'sending' AND lease_until < ?`, issueID, owner, n, now, lease)
		if err != nil {
			return err
		}
		if len(claimed) < n {
			// A row after an earlier issue's row for the same reader
			// (orderAfterEarlier) waits until that row is settled. No
			// "after_issue = 0 OR": with it PostgreSQL hashes every pending
			// row of the ledger once one row has an after_issue; alone, the
			// test is an anti join probing (issue_id, subscriber_id), and a
			// row with none has no row in issue 0 (BENCHMARKS.md §10).
			more, err := s.claimWhere(ctx, tx, `status = 'queued' AND next_attempt_at <= ?
				AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.issue_id = deliveries.after_issue
					AND e.subscriber_id = deliveries.subscriber_id AND e.status IN ('queued', 'sending'))
				ORDER BY next_attempt_at`,
				issueID, owner, n-len(claimed), now, lease)
			if err != nil {
				return err
			}
			claimed = append(claimed, more...)
		}
		if len(claimed) == 0 {
			return nil
		}
		skipped, err := s.skipIneligible(ctx, tx, pubID, claimed)
		if err != nil {
			return err
		}
		for _, d := range claimed {
			if !skipped[d.ID] {
				out = append(out, d)
			}
		}
		return nil
	})
	return out, err
}

// claimWhere leases up to n of an issue's rows matching cond (whose one
// placeholder takes now).
func (s *Store) claimWhere(ctx context.Context, tx *sql.Tx, cond string, issueID int64, owner string, n int,
	now time.Time, lease time.Duration) ([]*ledger.Delivery, error) {
	rows, err := tx.QueryContext(ctx, s.q(`UPDATE deliveries SET status = 'sending', lease_owner = ?, lease_until = ?
		WHERE id IN (SELECT id FROM deliveries WHERE issue_id = ? AND `+cond+` LIMIT ?`+s.claimLock()+`)
		RETURNING `+deliveryColumns), owner, ms(now.Add(lease)), issueID, ms(now), n)
	if err != nil {
		return nil, fmt.Errorf("claim rows: %w", err)
	}
	return collectDeliveries(rows)
}

// skipIneligible marks skipped those claimed rows whose subscriber may no longer
// receive the publication, and returns their ids.
func (s *Store) skipIneligible(ctx context.Context, tx *sql.Tx, pubID int64, claimed []*ledger.Delivery) (map[int64]bool, error) {
	args := []any{pubID}
	for _, d := range claimed {
		args = append(args, d.ID)
	}
	rows, err := tx.QueryContext(ctx, s.q(`UPDATE deliveries SET status = 'skipped', lease_owner = '', lease_until = 0,
			last_reply = 'unsubscribed, inactive or suppressed before sending'
		WHERE (NOT EXISTS (SELECT 1 FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id
				WHERE sub.subscriber_id = deliveries.subscriber_id AND sub.publication_id = ?
				AND sub.status = 'active' AND s.status = 'active')
			OR EXISTS (SELECT 1 FROM suppressions x WHERE x.email = deliveries.email))
			AND id IN (`+placeholders(len(claimed))+`)
		RETURNING id`), args...)
	if err != nil {
		return nil, fmt.Errorf("skip ineligible: %w", err)
	}
	defer rows.Close()
	skipped := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		skipped[id] = true
	}
	return skipped, rows.Err()
}

// RenewLeases extends owner's leases on an issue's rows it is still sending.
func (s *Store) RenewLeases(ctx context.Context, issueID int64, owner string, lease time.Duration) error {
	// Rows locked right now are being recorded (or taken over): skip them
	// rather than wait, which on PostgreSQL deadlocked with Record.
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE deliveries SET lease_until = ?
		WHERE id IN (SELECT id FROM deliveries WHERE issue_id = ? AND status = 'sending' AND lease_owner = ?`+
		s.claimLock()+`)`), ms(s.now().Add(lease)), issueID, owner)
	return err
}

// Release gives back rows owner claimed but did not attempt: they are queued
// again, due at once.
func (s *Store) Release(ctx context.Context, owner string, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{owner}
	for _, id := range ids {
		args = append(args, id)
	}
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE deliveries SET status = 'queued', lease_owner = '', lease_until = 0
		WHERE status = 'sending' AND lease_owner = ? AND id IN (`+placeholders(len(ids))+`)`), args...)
	return err
}

// LeaseOwners lists the owners holding an issue's rows in status sending.
func (s *Store) LeaseOwners(ctx context.Context, issueID int64) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT DISTINCT lease_owner FROM deliveries
		WHERE issue_id = ? AND status = 'sending'`), issueID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// ExpireLeases ends the leases of a dead owner at once, so its rows can be
// claimed again without waiting for the leases to run out. Only call it for an
// owner known to be dead: a live one would send those rows a second time.
func (s *Store) ExpireLeases(ctx context.Context, issueID int64, owner string) (int, error) {
	r, err := s.db.ExecContext(ctx, s.q(`UPDATE deliveries SET lease_until = 0
		WHERE issue_id = ? AND status = 'sending' AND lease_owner = ?`), issueID, owner)
	if err != nil {
		return 0, err
	}
	n, _ := r.RowsAffected()
	return int(n), nil
}
