package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"masthead/newsletter"
)

// dueRows is how a snapshot times its rows: a WITH clause listing each
// reader zone's due time, its join, the next_attempt_at column and the
// order the rows are inserted in. For a send at once, every row is due at
// once (0) and the clause is empty.
type dueRows struct{ with, join, column, order string }

// localDue times the snapshot of a publication that delivers at each
// reader's local time: the audience's distinct zones are read, each zone's
// due time computed once (newsletter.Clock.Next from release), and the
// rows take it by a join on the subscriber's zone. A zone that is empty or
// unknown is timed in the publication's own zone. The returned arguments go
// before the INSERT's own.
func (s *Store) localDue(ctx context.Context, tx *sql.Tx, pub *newsletter.Publication, pubID int64, release time.Time) (dueRows, []any, error) {
	atOnce := dueRows{column: "0", order: "s.id"}
	if pub.Deliver != newsletter.DeliverLocal {
		return atOnce, nil, nil
	}
	clock, ok := pub.ReaderClock(release)
	if !ok {
		return atOnce, nil, nil // Validate refuses this; at once rather than never
	}
	rows, err := tx.QueryContext(ctx, s.q(`SELECT DISTINCT s.timezone
		FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id
		WHERE sub.publication_id = ? AND sub.status = 'active' AND s.status = 'active'`), pubID)
	if err != nil {
		return dueRows{}, nil, fmt.Errorf("zones of the audience: %w", err)
	}
	var zones []string
	for rows.Next() {
		var z string
		if err := rows.Scan(&z); err != nil {
			rows.Close()
			return dueRows{}, nil, err
		}
		if z != "" {
			zones = append(zones, z)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return dueRows{}, nil, err
	}
	home := ms(clock.Next(release, pub.Location()))
	if len(zones) == 0 {
		return dueRows{column: fmt.Sprint(home), order: "s.id"}, nil, nil
	}
	values := make([]string, len(zones))
	args := make([]any, 0, 2*len(zones))
	for i, z := range zones {
		values[i] = "(CAST(? AS TEXT), CAST(? AS BIGINT))"
		args = append(args, z, ms(clock.Next(release, newsletter.ReaderLocation(z, pub.Location()))))
	}
	return dueRows{
		with:   "WITH due (zone, at) AS (VALUES " + strings.Join(values, ", ") + ") ",
		join:   " LEFT JOIN due ON due.zone = s.timezone",
		column: fmt.Sprintf("COALESCE(due.at, %d)", home),
		order:  fmt.Sprintf("COALESCE(due.at, %d), s.id", home),
	}, args, nil
}

// orderAfterEarlier keeps issue order for each reader: a new issue's row for
// a reader who still has a row queued or being sent in an earlier issue of
// the publication (by date, then edition) that is sending or paused waits
// for it (after_issue, which Claim honours); with onlyWaiting (a send at
// once), only earlier issues that still have rows waiting for their
// readers' hour count. With several such issues, the
// latest one wins: it waits for the ones before it in turn.
func (s *Store) orderAfterEarlier(ctx context.Context, tx *sql.Tx, issueID, pubID int64, date string, edition int, onlyWaiting bool) error {
	cond, args := "", []any{pubID, issueID, date, date, edition}
	if onlyWaiting {
		cond = ` AND EXISTS (SELECT 1 FROM deliveries w WHERE w.issue_id = issues.id AND w.status = 'queued'
			AND w.next_attempt_at > ? AND w.attempts = 0)`
		args = append(args, ms(s.now()))
	}
	rows, err := tx.QueryContext(ctx, s.q(`SELECT id FROM issues
		WHERE publication_id = ? AND id <> ? AND status IN ('sending', 'paused')
			AND (issue_date < ? OR (issue_date = ? AND edition < ?))`+cond+`
		ORDER BY issue_date, edition`), args...)
	if err != nil {
		return fmt.Errorf("earlier issues: %w", err)
	}
	var earlier []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		earlier = append(earlier, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, e := range earlier {
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE deliveries SET after_issue = ?
			WHERE issue_id = ? AND subscriber_id IN (SELECT subscriber_id FROM deliveries
				WHERE issue_id = ? AND status IN ('queued', 'sending'))`), e, issueID, e); err != nil {
			return fmt.Errorf("order after issue %d: %w", e, err)
		}
	}
	return nil
}
