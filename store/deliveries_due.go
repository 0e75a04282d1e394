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
// sending, is made due now as well: the reader gets both now, in order. It
// returns how many rows of this issue it moved; ErrConflict when the issue
// is not sending or paused.
func (s *Store) DueNow(ctx context.Context, issueID int64) (int, error) {
	now := ms(s.now())
	var res sql.Result
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE deliveries SET next_attempt_at = ?
			WHERE status = 'queued' AND attempts = 0 AND next_attempt_at > ?
				AND EXISTS (SELECT 1 FROM deliveries d WHERE d.issue_id = ? AND d.after_issue = deliveries.issue_id
					AND d.subscriber_id = deliveries.subscriber_id)
				AND EXISTS (SELECT 1 FROM issues i WHERE i.id = deliveries.issue_id AND i.status = 'sending')
				AND EXISTS (SELECT 1 FROM issues WHERE id = ? AND status IN ('sending', 'paused'))`),
			now, now, issueID, issueID); err != nil {
			return fmt.Errorf("earlier issues' waiting copies: %w", err)
		}
		var err error
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
