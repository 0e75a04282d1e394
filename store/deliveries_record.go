package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"masthead/ledger"
	"masthead/subscribers"
)

// Record writes a batch of outcomes in one transaction, with the bounces they
// imply under policy (a hard bounce suppresses the address; a soft one, a
// row given up on, counts toward the policy's limit exactly as a soft bounce
// report does), and marks the issues they belong to sent when nothing is left
// to do. A message accepted for a subscriber resets their soft_bounces (the
// soft bounce limit counts failures in a row).
// A retry applies only while owner still holds the row (a cancelled row stays
// cancelled; a row another process reclaimed is its business).
func (s *Store) Record(ctx context.Context, outcomes []ledger.Outcome, policy ledger.BouncePolicy) error {
	if len(outcomes) == 0 {
		return nil
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		r := recorder{s: s, tx: tx, policy: policy, issues: map[int64]bool{}}
		defer r.close()
		// Sent outcomes in a row are written together, in one statement;
		// the others one at a time, in order, after the sent ones before them.
		sent := 0
		for i, o := range outcomes {
			if o.Kind == ledger.OutcomeSent {
				sent++
				continue
			}
			if err := r.recordSent(ctx, outcomes[i-sent:i]); err != nil {
				return err
			}
			sent = 0
			issueID, err := r.record(ctx, o)
			if err != nil {
				return fmt.Errorf("record delivery %d: %w", o.DeliveryID, err)
			}
			if issueID != 0 {
				r.issues[issueID] = true
			}
		}
		if err := r.recordSent(ctx, outcomes[len(outcomes)-sent:]); err != nil {
			return err
		}
		if err := r.resetSoftBounces(ctx); err != nil {
			return err
		}
		for id := range r.issues {
			if _, err := s.finishIfDone(ctx, tx, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// The statements of Record: sentSQL for a run of sent outcomes (one row of
// values per outcome), recordSQL one per other outcome kind. Each also sets
// the first attempt time once, and returns the rows' issue and subscriber.
//
// Sent is the truth whatever the row's state (a message accepted just after a
// cancel, or by a process whose lease had run out, went out). The first row
// of values is cast so that PostgreSQL knows the columns' types (it resolves
// a VALUES list's columns as a UNION's, and names them column1, column2, ...
// as SQLite does); the other rows are plain placeholders, which keeps the
// statement short to prepare.
const (
	sentSQLHead = `UPDATE deliveries SET status = 'sent', accepted_at = v.at, last_code = v.code, last_reply = v.reply,
		attempts = attempts + 1, lease_owner = '', lease_until = 0,
		first_attempt_at = CASE WHEN first_attempt_at = 0 THEN v.at ELSE first_attempt_at END
		FROM (SELECT column1 AS id, column2 AS at, column3 AS code, column4 AS reply FROM (`
	sentSQLRow1 = `(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS INTEGER), CAST(? AS TEXT))`
	sentSQLRow  = `, (?, ?, ?, ?)`
	sentSQLTail = `) AS vals) AS v WHERE deliveries.id = v.id AND deliveries.status <> 'sent'
		RETURNING deliveries.issue_id, deliveries.subscriber_id`
)

var recordSQL = map[ledger.OutcomeKind]string{
	ledger.OutcomeRetry: `UPDATE deliveries SET status = 'queued', next_attempt_at = ?, last_code = ?, last_reply = ?,
		attempts = attempts + 1, lease_owner = '', lease_until = 0,
		first_attempt_at = CASE WHEN first_attempt_at = 0 THEN ? ELSE first_attempt_at END
		WHERE id = ? AND status = 'sending' AND lease_owner = ? RETURNING issue_id, subscriber_id`,
	ledger.OutcomeFailed: `UPDATE deliveries SET status = 'failed', accepted_at = ?, last_code = ?, last_reply = ?,
		attempts = attempts + 1, lease_owner = '', lease_until = 0,
		first_attempt_at = CASE WHEN first_attempt_at = 0 THEN ? ELSE first_attempt_at END
		WHERE id = ? AND status NOT IN ('sent', 'failed') RETURNING issue_id, subscriber_id`,
}

// recorder prepares each of Record's statements once per transaction.
type recorder struct {
	s      *Store
	tx     *sql.Tx
	policy ledger.BouncePolicy
	stmts  map[ledger.OutcomeKind]*sql.Stmt
	// delivered are the subscribers of the batch's sent rows whose
	// soft_bounces are still to be reset (in one statement per batch).
	delivered []any
	issues    map[int64]bool // of the rows changed
}

// recordSent writes a run of sent outcomes in one statement (per
// maxBulkArgs placeholders). An outcome for a row already sent changes
// nothing; of two for the same row, the first is written.
func (r *recorder) recordSent(ctx context.Context, outcomes []ledger.Outcome) error {
	if len(outcomes) == 0 {
		return nil
	}
	args := make([]any, 0, 4*len(outcomes))
	seen := make(map[int64]bool, len(outcomes))
	for _, o := range outcomes {
		if seen[o.DeliveryID] {
			continue
		}
		seen[o.DeliveryID] = true
		args = append(args, o.DeliveryID, ms(o.At), o.Code, truncate(o.Reply, 1000))
	}
	for len(args) > 0 {
		n := min(len(args), maxBulkArgs/4*4)
		var q strings.Builder
		q.Grow(len(sentSQLHead) + len(sentSQLRow1) + n/4*len(sentSQLRow) + len(sentSQLTail) + 16)
		q.WriteString(sentSQLHead)
		q.WriteString("VALUES ")
		q.WriteString(sentSQLRow1)
		for i := 4; i < n; i += 4 {
			q.WriteString(sentSQLRow)
		}
		q.WriteString(sentSQLTail)
		err := r.sent(ctx, q.String(), args[:n])
		if err != nil {
			return fmt.Errorf("record %d sent deliveries: %w", len(outcomes), err)
		}
		args = args[n:]
	}
	return nil
}

// sent runs one statement of sent outcomes and notes the rows it changed.
func (r *recorder) sent(ctx context.Context, query string, args []any) error {
	st, err := r.s.stmts.in(ctx, r.tx, r.s.q(query))
	if err != nil {
		return err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var issueID, subscriberID int64
		if err := rows.Scan(&issueID, &subscriberID); err != nil {
			return err
		}
		r.issues[issueID] = true
		r.delivered = append(r.delivered, subscriberID)
	}
	return rows.Err()
}

func (r *recorder) stmt(ctx context.Context, k ledger.OutcomeKind) (*sql.Stmt, error) {
	if st := r.stmts[k]; st != nil {
		return st, nil
	}
	q, ok := recordSQL[k]
	if !ok {
		return nil, fmt.Errorf("unknown outcome kind %d", k)
	}
	st, err := r.s.stmts.in(ctx, r.tx, r.s.q(q))
	if err != nil {
		return nil, err
	}
	if r.stmts == nil {
		r.stmts = map[ledger.OutcomeKind]*sql.Stmt{}
	}
	r.stmts[k] = st
	return st, nil
}

func (r *recorder) close() {
	for _, st := range r.stmts {
		st.Close()
	}
}

// record applies one outcome and returns the row's issue (0 if nothing changed).
func (r *recorder) record(ctx context.Context, o ledger.Outcome) (int64, error) {
	st, err := r.stmt(ctx, o.Kind)
	if err != nil {
		return 0, err
	}
	at := ms(o.At)
	lead := at // the first column: accepted_at, next_attempt_at, or accepted_at = 0
	switch o.Kind {
	case ledger.OutcomeRetry:
		lead = ms(o.NextAttemptAt)
	case ledger.OutcomeFailed:
		lead = 0
	}
	args := []any{lead, o.Code, truncate(o.Reply, 1000), at, o.DeliveryID}
	if o.Kind == ledger.OutcomeRetry {
		args = append(args, o.Owner)
	}
	var issueID, subscriberID int64
	err = st.QueryRowContext(ctx, args...).Scan(&issueID, &subscriberID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil // the row moved on (cancelled, reclaimed, already recorded)
	}
	switch {
	case err != nil:
	case o.Kind == ledger.OutcomeFailed && o.Bounce != ledger.NoBounce:
		// A send earlier in the batch resets the count before this bounce adds to it.
		if err = r.resetSoftBounces(ctx); err == nil {
			err = r.s.markBounced(ctx, r.tx, subscriberID, o.Bounce == ledger.HardBounce, o.Reply, r.policy, issueID)
		}
	}
	return issueID, err
}

// resetSoftBounces sets soft_bounces to 0 for the subscribers delivered to
// since the last reset.
func (r *recorder) resetSoftBounces(ctx context.Context) error {
	if len(r.delivered) == 0 {
		return nil
	}
	err := r.s.execIn(ctx, r.tx, `UPDATE subscribers SET soft_bounces = 0 WHERE soft_bounces > 0 AND id IN`, nil, r.delivered)
	if err != nil {
		return fmt.Errorf("reset soft bounces: %w", err)
	}
	r.delivered = r.delivered[:0]
	return nil
}

// markBounced records the bounce of a failed delivery to a subscriber inside
// the caller's transaction, by the rules of a bounce report
// (ApplyBounceReport): a hard bounce suppresses the address as bounced
// (subscriber status, suppression, event via "bounce", queued deliveries
// skipped); a soft bounce counts toward soft_bounces under policy. issueID,
// when not 0, is the send whose delivery bounced (a suppression then names it).
func (s *Store) markBounced(ctx context.Context, tx *sql.Tx, subscriberID int64, hard bool, detail string, policy ledger.BouncePolicy, issueID int64) error {
	var email string
	err := tx.QueryRowContext(ctx, s.q(`SELECT email FROM subscribers WHERE id = ?`), subscriberID).Scan(&email)
	if err != nil {
		return s.mapErr(fmt.Errorf("bounce of subscriber %d: %w", subscriberID, err))
	}
	detail = truncate(detail, 1000)
	if !hard {
		return s.softBounce(ctx, tx, email, policy, detail, issueID)
	}
	return s.suppressTx(ctx, tx, email, subscribers.Bounced, subscribers.ViaBounce, detail, issueID)
}
