package store

import (
	"context"
	"database/sql"
	"fmt"

	"masthead/newsletter"
)

// DueNow makes every copy of a sending or paused issue that waits for its
// reader's local time due now: each queued row whose first attempt is not
// yet due (attempts = 0, next_attempt_at in the future) takes now as its
// next attempt. Rows being retried keep their back-off. A row that waits for
// the reader's copy of an earlier issue (after_issue) still waits for it, so
// that copy, when it too only waits for the reader's hour and its issue is
// sending, is made due now as well, and so on back along the chain: the
// reader gets them all now, in order. It
// returns how many rows of this issue it moved; ErrConflict when the issue
// is not sending or paused.
func (s *Store) DueNow(ctx context.Context, issueID int64) (int, error) {
	now := ms(s.now())
	var res sql.Result
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// Along the chain of after_issue from this issue's rows, one issue
		// further back each time, for this issue's readers only: a copy of
		// an earlier sending issue of the publication that a copy made
		// due (or one of this issue's) waits behind is made due in its
		// turn. A copy made due here is one whose next attempt is now.
		earlier, err := s.otherSending(ctx, tx, issueID)
		if err != nil {
			return err
		}
		in := placeholders(len(earlier))
		for range len(earlier) { // each round reaches one issue further back (none: no round)
			args := append([]any{now}, earlier...)
			args = append(args, now)
			args = append(args, earlier...)
			args = append(args, issueID, issueID, now, issueID)
			r, err := tx.ExecContext(ctx, s.q(`UPDATE deliveries SET next_attempt_at = ?
				WHERE issue_id IN (`+in+`) AND status = 'queued' AND attempts = 0 AND next_attempt_at > ?
					AND EXISTS (SELECT 1 FROM deliveries d WHERE (d.issue_id IN (`+in+`) OR d.issue_id = ?)
						AND d.after_issue = deliveries.issue_id AND d.subscriber_id = deliveries.subscriber_id
						AND d.status = 'queued' AND (d.issue_id = ? OR d.next_attempt_at = ?))
					AND EXISTS (SELECT 1 FROM deliveries x WHERE x.issue_id = ? AND x.subscriber_id = deliveries.subscriber_id)`),
				args...)
			if err != nil {
				return fmt.Errorf("earlier issues' waiting copies: %w", err)
			}
			if n, _ := r.RowsAffected(); n == 0 {
				break
			}
		}
		res, err = tx.ExecContext(ctx, s.q(`UPDATE deliveries SET next_attempt_at = ?
			WHERE issue_id = ? AND status = 'queued' AND attempts = 0 AND next_attempt_at > ?
				AND EXISTS (SELECT 1 FROM issues WHERE id = ? AND status IN ('sending', 'paused'))`),
			now, issueID, now, issueID)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("issue %d's waiting copies: %w", issueID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	if n > 0 {
		return int(n), nil
	}
	st, err := s.IssueStatus(ctx, issueID)
	if err != nil {
		return 0, err
	}
	if st != newsletter.Sending && st != newsletter.Paused {
		return 0, fmt.Errorf("%w: issue %d is %s, not sending or paused", ErrConflict, issueID, st)
	}
	return 0, nil
}

// otherSending lists the other sending issues of issueID's publication
// (those whose copies a copy of issueID can wait behind), as arguments; none
// when issueID is not sending or paused.
func (s *Store) otherSending(ctx context.Context, tx *sql.Tx, issueID int64) ([]any, error) {
	rows, err := tx.QueryContext(ctx, s.q(`SELECT e.id FROM issues e JOIN issues i ON i.publication_id = e.publication_id
		WHERE i.id = ? AND i.status IN ('sending', 'paused') AND e.id <> i.id AND e.status = 'sending'`), issueID)
	if err != nil {
		return nil, fmt.Errorf("earlier issues: %w", err)
	}
	defer rows.Close()
	var out []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
