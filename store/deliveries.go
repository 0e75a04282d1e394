package store

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"masthead/newsletter"
	"masthead/subscribers"
)

// DeliveryStatus is where one (issue, subscriber) delivery is.
type DeliveryStatus string

const (
	// DeliveryQueued: waiting for its first attempt, or for a retry at NextAttemptAt.
	DeliveryQueued DeliveryStatus = "queued"
	// DeliverySending: claimed by a worker (LeaseOwner) until LeaseUntil.
	DeliverySending DeliveryStatus = "sending"
	// DeliverySent: the receiving server accepted the message (AcceptedAt).
	DeliverySent DeliveryStatus = "sent"
	// DeliveryFailed: rejected for good (5xx) or retried past the give-up time.
	DeliveryFailed DeliveryStatus = "failed"
	// DeliverySkipped: the subscriber left, bounced or was suppressed before it went out.
	DeliverySkipped DeliveryStatus = "skipped"
	// DeliveryCancelled: the send was cancelled before this row went out.
	DeliveryCancelled DeliveryStatus = "cancelled"
)

// ErrNotSending is returned by Claim when the issue is not in status sending
// (paused, cancelled, sent): workers stop claiming.
var ErrNotSending = errors.New("issue is not sending")

// Delivery is one row of the ledger: one issue to one subscriber.
type Delivery struct {
	ID             int64
	IssueID        int64
	SubscriberID   int64
	Email          string // snapshotted when the send started
	Name           string
	Status         DeliveryStatus
	Attempts       int // attempts made so far (recorded outcomes)
	NextAttemptAt  time.Time
	FirstAttemptAt time.Time // when the first attempt ended; zero if none (the give-up time counts from it)
	LeaseOwner     string
	LeaseUntil     time.Time
	LastCode       int    // last SMTP reply code; 0 for a network error
	LastReply      string // last SMTP reply or error text
	AcceptedAt     time.Time
	MessageID      string // stable per (issue, subscriber): "<...@domain>"
}

const deliveryColumns = `id, issue_id, subscriber_id, email, name, status, attempts, next_attempt_at, first_attempt_at,
	lease_owner, lease_until, last_code, last_reply, accepted_at, message_id`

func scanDelivery(row interface{ Scan(...any) error }) (*Delivery, error) {
	var d Delivery
	var next, first, lease, accepted int64
	if err := row.Scan(&d.ID, &d.IssueID, &d.SubscriberID, &d.Email, &d.Name, &d.Status, &d.Attempts, &next, &first,
		&d.LeaseOwner, &lease, &d.LastCode, &d.LastReply, &accepted, &d.MessageID); err != nil {
		return nil, err
	}
	d.NextAttemptAt, d.FirstAttemptAt, d.LeaseUntil, d.AcceptedAt = fromMS(next), fromMS(first), fromMS(lease), fromMS(accepted)
	return &d, nil
}

// startable are the issue states from which a send can snapshot the audience.
var startable = []newsletter.IssueStatus{newsletter.Assembled, newsletter.Scheduled, newsletter.Held, newsletter.Missed}

// editorStart are the states StartSend accepts: an editor's explicit "send
// now" also sends a held or missed issue, resumes a paused one and leaves a
// sending one as it is.
var editorStart = []newsletter.IssueStatus{newsletter.Assembled, newsletter.Scheduled, newsletter.Held, newsletter.Missed,
	newsletter.Sending, newsletter.Paused}

// StartResult says what StartSend did.
type StartResult struct {
	Queued  int  // rows snapshotted now (0 when resuming or already sending)
	Resumed bool // the issue was paused and is sending again
}

// StartSend is an editor's "send now": StartSendFrom any state a send can
// start from (assembled, scheduled, held or missed), resuming a paused issue
// and leaving a sending one as it is.
func (s *Store) StartSend(ctx context.Context, issueID int64) (StartResult, error) {
	return s.StartSendFrom(ctx, issueID, editorStart)
}

// StartSendFrom moves an issue to sending if its status is one of from, and
// gives ErrConflict otherwise, deciding on the status it reads under the row
// lock (so an editor's hold that lands first wins). From assembled,
// scheduled, held or missed it first snapshots the audience in the same
// transaction: one queued row per subscriber whose subscription to the
// publication and whose own status are active and whose address is not
// suppressed, each with its stable Message-ID. Running it again is harmless
// (the UNIQUE (issue_id, subscriber_id) rule and ON CONFLICT DO NOTHING).
// Paused in from resumes a paused issue without a new snapshot; sending in
// from leaves a sending issue as it is. Sent, cancelled and skipped issues
// give ErrConflict whatever from says.
func (s *Store) StartSendFrom(ctx context.Context, issueID int64, from []newsletter.IssueStatus) (StartResult, error) {
	var res StartResult
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var status newsletter.IssueStatus
		var pubID, created int64
		var fromAddr string
		err := tx.QueryRowContext(ctx, s.q(`SELECT i.status, i.publication_id, i.created_at, p.from_addr
			FROM issues i JOIN publications p ON p.id = i.publication_id WHERE i.id = ?`+s.dialect.forUpdate()), issueID).
			Scan(&status, &pubID, &created, &fromAddr)
		if err != nil {
			return s.mapErr(fmt.Errorf("start send of issue %d: %w", issueID, err))
		}
		now := ms(s.now())
		switch {
		case !statusIn(status, from):
			return fmt.Errorf("%w: issue %d is %s", ErrConflict, issueID, status)
		case status == newsletter.Sending:
			return nil
		case status == newsletter.Paused:
			res.Resumed = true
			_, err := tx.ExecContext(ctx, s.q(`UPDATE issues SET status = 'sending', updated_at = ? WHERE id = ?`), now, issueID)
			return err
		case !statusIn(status, startable):
			return fmt.Errorf("%w: issue %d is %s", ErrConflict, issueID, status)
		}
		r, err := tx.ExecContext(ctx, s.q(`INSERT INTO deliveries (issue_id, subscriber_id, email, name, status, message_id)
			SELECT ?, s.id, s.email, s.name, 'queued',
				CAST(? AS TEXT) || s.id || '.' || CAST(? AS TEXT)
			FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id
			WHERE sub.publication_id = ? AND sub.status = 'active' AND s.status = 'active'
				AND NOT EXISTS (SELECT 1 FROM suppressions x WHERE x.email = s.email)
			ORDER BY s.id
			ON CONFLICT (issue_id, subscriber_id) DO NOTHING`),
			issueID, "<"+strconv.FormatInt(issueID, 10)+".", messageIDTail(issueID, pubID, created, fromAddr), pubID)
		if err != nil {
			return fmt.Errorf("snapshot audience of issue %d: %w", issueID, err)
		}
		n, _ := r.RowsAffected()
		res.Queued = int(n)
		_, err = tx.ExecContext(ctx, s.q(`UPDATE issues SET status = 'sending', updated_at = ?,
			started_at = CASE WHEN started_at = 0 THEN ? ELSE started_at END WHERE id = ?`), now, now, issueID)
		return err
	})
	if err == nil && res.Queued > 0 {
		s.refreshStats(ctx, "deliveries", "subscriptions", "subscribers")
	}
	return res, err
}

// messageIDTail is the part of an issue's Message-IDs after the subscriber id:
// ".<hash>@<domain>". The hash is derived from the issue's identity, so the
// same (issue, subscriber) always gets the same Message-ID (receivers that
// de-duplicate can), yet ids of different databases never collide.
func messageIDTail(issueID, pubID, created int64, from string) string {
	domain := "localhost"
	if a, err := newsletter.ParseAddress(from); err == nil {
		domain = a.Address[strings.LastIndexByte(a.Address, '@')+1:]
	}
	h := sha256.Sum256([]byte(fmt.Sprintf("masthead\x00%d\x00%d\x00%d", issueID, pubID, created)))
	return hex.EncodeToString(h[:6]) + "@" + domain + ">"
}

func statusIn(s newsletter.IssueStatus, list []newsletter.IssueStatus) bool {
	for _, x := range list {
		if s == x {
			return true
		}
	}
	return false
}

// PauseSend stops an issue from being claimed; rows in flight finish and are
// recorded, and StartSend or ResumeSend continues where it stopped.
func (s *Store) PauseSend(ctx context.Context, issueID int64) error {
	return s.SetIssueStatus(ctx, issueID, []newsletter.IssueStatus{newsletter.Sending}, newsletter.Paused, time.Time{})
}

// ResumeSend moves a paused issue back to sending.
func (s *Store) ResumeSend(ctx context.Context, issueID int64) error {
	return s.SetIssueStatus(ctx, issueID, []newsletter.IssueStatus{newsletter.Paused}, newsletter.Sending, time.Time{})
}

// CancelSend stops an issue for good: the issue becomes cancelled and every
// row not yet sent (queued or claimed) becomes cancelled, in one transaction.
// A message in flight when this runs and then accepted is still recorded as
// sent (Record lets the truth win).
func (s *Store) CancelSend(ctx context.Context, issueID int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		now := ms(s.now())
		r, err := tx.ExecContext(ctx, s.q(`UPDATE issues SET status = 'cancelled', updated_at = ?, finished_at = ?
			WHERE id = ? AND status IN ('sending', 'paused')`), now, now, issueID)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			var st string
			if err := tx.QueryRowContext(ctx, s.q(`SELECT status FROM issues WHERE id = ?`), issueID).Scan(&st); err != nil {
				return s.mapErr(err)
			}
			return fmt.Errorf("%w: issue %d is %s, not sending or paused", ErrConflict, issueID, st)
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE deliveries SET status = 'cancelled', lease_owner = '', lease_until = 0
			WHERE issue_id = ? AND status IN ('queued', 'sending')`), issueID)
		return err
	})
}

// IssueStatus returns just an issue's status (cheap enough to poll).
func (s *Store) IssueStatus(ctx context.Context, issueID int64) (newsletter.IssueStatus, error) {
	var st newsletter.IssueStatus
	err := s.db.QueryRowContext(ctx, s.q(`SELECT status FROM issues WHERE id = ?`), issueID).Scan(&st)
	return st, s.mapErr(err)
}

// FinishIfDone marks a sending issue sent when none of its rows is queued or
// being sent (every row is sent, failed, skipped or cancelled). It reports
// whether the issue is now sent.
func (s *Store) FinishIfDone(ctx context.Context, issueID int64) (bool, error) {
	return s.finishIfDone(ctx, s.db, issueID)
}

func (s *Store) finishIfDone(ctx context.Context, q querier, issueID int64) (bool, error) {
	now := ms(s.now())
	if _, err := q.ExecContext(ctx, s.q(`UPDATE issues SET status = 'sent', updated_at = ?, finished_at = ?
		WHERE id = ? AND status = 'sending' AND NOT EXISTS (SELECT 1 FROM deliveries
			WHERE issue_id = ? AND status IN ('queued', 'sending'))`), now, now, issueID, issueID); err != nil {
		return false, fmt.Errorf("finish issue %d: %w", issueID, err)
	}
	var st string
	if err := q.QueryRowContext(ctx, s.q(`SELECT status FROM issues WHERE id = ?`), issueID).Scan(&st); err != nil {
		return false, s.mapErr(err)
	}
	return st == string(newsletter.Sent), nil
}

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
// rows whose next attempt is due, and rows left sending by an owner whose lease
// expired (a crashed or stopped process). Of those, rows whose subscriber has
// since unsubscribed from the publication, stopped being active, or been
// suppressed become skipped instead of being returned. It returns ErrNotSending
// when the issue is not sending (paused, cancelled or sent).
func (s *Store) Claim(ctx context.Context, issueID int64, owner string, n int, lease time.Duration) ([]*Delivery, error) {
	var out []*Delivery
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var status newsletter.IssueStatus
		var pubID int64
		err := tx.QueryRowContext(ctx, s.q(`SELECT status, publication_id FROM issues WHERE id = ?`), issueID).Scan(&status, &pubID)
		if err != nil {
			return s.mapErr(fmt.Errorf("claim issue %d: %w", issueID, err))
		}
		if status != newsletter.Sending {
			return fmt.Errorf("%w: issue %d is %s", ErrNotSending, issueID, status)
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
			more, err := s.claimWhere(ctx, tx, `status = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at`,
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
	now time.Time, lease time.Duration) ([]*Delivery, error) {
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
func (s *Store) skipIneligible(ctx context.Context, tx *sql.Tx, pubID int64, claimed []*Delivery) (map[int64]bool, error) {
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

func collectDeliveries(rows *sql.Rows) ([]*Delivery, error) {
	defer rows.Close()
	var out []*Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// RETURNING gives no order; keep claims in ledger order.
	slices.SortFunc(out, func(a, b *Delivery) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
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

// OutcomeKind is what became of one attempt.
type OutcomeKind uint8

const (
	// OutcomeSent: accepted by the server. Recorded whatever the row's state
	// (a message accepted after a cancel was still delivered).
	OutcomeSent OutcomeKind = iota + 1
	// OutcomeRetry: a transient failure; the row is queued again for NextAttemptAt.
	OutcomeRetry
	// OutcomeFailed: a definitive failure; Bounce says what it means for the subscriber.
	OutcomeFailed
)

// Bounce is what a failed delivery says about the subscriber's address.
type Bounce uint8

const (
	NoBounce   Bounce = iota // nothing (for example the message itself was refused)
	SoftBounce               // transient failures until the give-up time: counts toward soft_bounces
	HardBounce               // 5xx for the recipient: the address is bounced and suppressed
)

// Outcome is the result of one attempt, for Record.
type Outcome struct {
	DeliveryID    int64
	Owner         string // the lease owner that made the attempt
	Kind          OutcomeKind
	At            time.Time // when the attempt ended
	Code          int       // SMTP reply code; 0 for a network error
	Reply         string
	NextAttemptAt time.Time // OutcomeRetry
	Bounce        Bounce    // OutcomeFailed
}

// Record writes a batch of outcomes in one transaction, with the bounces they
// imply, and marks the issues they belong to sent when nothing is left to do.
// A message accepted for a subscriber resets their soft_bounces (the soft
// bounce limit counts failures in a row).
// A retry applies only while owner still holds the row (a cancelled row stays
// cancelled; a row another process reclaimed is its business).
func (s *Store) Record(ctx context.Context, outcomes []Outcome) error {
	if len(outcomes) == 0 {
		return nil
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		r := recorder{s: s, tx: tx}
		defer r.close()
		issues := map[int64]bool{}
		for _, o := range outcomes {
			issueID, err := r.record(ctx, o)
			if err != nil {
				return fmt.Errorf("record delivery %d: %w", o.DeliveryID, err)
			}
			if issueID != 0 {
				issues[issueID] = true
			}
		}
		if err := r.resetSoftBounces(ctx); err != nil {
			return err
		}
		for id := range issues {
			if _, err := s.finishIfDone(ctx, tx, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// The statements of Record, one per outcome kind. Each also sets the first
// attempt time once, and returns the row's issue and subscriber.
var recordSQL = map[OutcomeKind]string{
	// Sent is the truth whatever the row's state (a message accepted just
	// after a cancel, or by a process whose lease had run out, went out).
	OutcomeSent: `UPDATE deliveries SET status = 'sent', accepted_at = ?, last_code = ?, last_reply = ?,
		attempts = attempts + 1, lease_owner = '', lease_until = 0,
		first_attempt_at = CASE WHEN first_attempt_at = 0 THEN ? ELSE first_attempt_at END
		WHERE id = ? AND status <> 'sent' RETURNING issue_id, subscriber_id`,
	OutcomeRetry: `UPDATE deliveries SET status = 'queued', next_attempt_at = ?, last_code = ?, last_reply = ?,
		attempts = attempts + 1, lease_owner = '', lease_until = 0,
		first_attempt_at = CASE WHEN first_attempt_at = 0 THEN ? ELSE first_attempt_at END
		WHERE id = ? AND status = 'sending' AND lease_owner = ? RETURNING issue_id, subscriber_id`,
	OutcomeFailed: `UPDATE deliveries SET status = 'failed', accepted_at = ?, last_code = ?, last_reply = ?,
		attempts = attempts + 1, lease_owner = '', lease_until = 0,
		first_attempt_at = CASE WHEN first_attempt_at = 0 THEN ? ELSE first_attempt_at END
		WHERE id = ? AND status NOT IN ('sent', 'failed') RETURNING issue_id, subscriber_id`,
}

// recorder prepares each of Record's statements once per transaction.
type recorder struct {
	s     *Store
	tx    *sql.Tx
	stmts map[OutcomeKind]*sql.Stmt
	// delivered are the subscribers of the batch's sent rows whose
	// soft_bounces are still to be reset (in one statement per batch).
	delivered []any
}

func (r *recorder) stmt(ctx context.Context, k OutcomeKind) (*sql.Stmt, error) {
	if st := r.stmts[k]; st != nil {
		return st, nil
	}
	q, ok := recordSQL[k]
	if !ok {
		return nil, fmt.Errorf("unknown outcome kind %d", k)
	}
	st, err := r.tx.PrepareContext(ctx, r.s.q(q))
	if err != nil {
		return nil, err
	}
	if r.stmts == nil {
		r.stmts = map[OutcomeKind]*sql.Stmt{}
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
func (r *recorder) record(ctx context.Context, o Outcome) (int64, error) {
	st, err := r.stmt(ctx, o.Kind)
	if err != nil {
		return 0, err
	}
	at := ms(o.At)
	lead := at // the first column: accepted_at, next_attempt_at, or accepted_at = 0
	switch o.Kind {
	case OutcomeRetry:
		lead = ms(o.NextAttemptAt)
	case OutcomeFailed:
		lead = 0
	}
	args := []any{lead, o.Code, truncate(o.Reply, 1000), at, o.DeliveryID}
	if o.Kind == OutcomeRetry {
		args = append(args, o.Owner)
	}
	var issueID, subscriberID int64
	err = st.QueryRowContext(ctx, args...).Scan(&issueID, &subscriberID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil // the row moved on (cancelled, reclaimed, already recorded)
	}
	switch {
	case err != nil:
	case o.Kind == OutcomeSent:
		r.delivered = append(r.delivered, subscriberID)
	case o.Kind == OutcomeFailed && o.Bounce != NoBounce:
		// A send earlier in the batch resets the count before this bounce adds to it.
		if err = r.resetSoftBounces(ctx); err == nil {
			err = r.s.markBounced(ctx, r.tx, subscriberID, o.Bounce == HardBounce, o.Reply)
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

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// MarkBounced records a bounce for a subscriber, by the same rules as a
// bounce report (ApplyBounceReport): a hard bounce suppresses the address as
// bounced (subscriber status, suppression, event via "bounce", queued
// deliveries skipped); a soft bounce counts toward soft_bounces, and the
// DefaultSoftBounceLimit-th in a row (sent mail resets the count, see Record)
// suppresses it the same way. All in one transaction.
func (s *Store) MarkBounced(ctx context.Context, subscriberID int64, hard bool, detail string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.markBounced(ctx, tx, subscriberID, hard, detail) })
}

// markBounced is MarkBounced inside the caller's transaction.
func (s *Store) markBounced(ctx context.Context, tx *sql.Tx, subscriberID int64, hard bool, detail string) error {
	var email string
	err := tx.QueryRowContext(ctx, s.q(`SELECT email FROM subscribers WHERE id = ?`), subscriberID).Scan(&email)
	if err != nil {
		return s.mapErr(fmt.Errorf("bounce of subscriber %d: %w", subscriberID, err))
	}
	detail = truncate(detail, 1000)
	if !hard {
		return s.softBounce(ctx, tx, email, DefaultSoftBounceLimit, detail)
	}
	return s.suppressTx(ctx, tx, email, subscribers.Bounced, subscribers.ViaBounce, detail)
}

// DeliveryCounts are an issue's rows by status.
type DeliveryCounts struct {
	Queued, Sending, Sent, Failed, Skipped, Cancelled int
	Retrying                                          int // queued rows that have failed before (included in Queued)
	Total                                             int
}

// Pending is the number of rows not yet settled (queued or being sent).
func (c DeliveryCounts) Pending() int { return c.Queued + c.Sending }

// Counts counts an issue's rows by status.
func (s *Store) Counts(ctx context.Context, issueID int64) (DeliveryCounts, error) {
	var c DeliveryCounts
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT status, COUNT(*), SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END)
		FROM deliveries WHERE issue_id = ? GROUP BY status`), issueID)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var st DeliveryStatus
		var n, retried int
		if err := rows.Scan(&st, &n, &retried); err != nil {
			return c, err
		}
		c.Total += n
		switch st {
		case DeliveryQueued:
			c.Queued, c.Retrying = n, retried
		case DeliverySending:
			c.Sending = n
		case DeliverySent:
			c.Sent = n
		case DeliveryFailed:
			c.Failed = n
		case DeliverySkipped:
			c.Skipped = n
		case DeliveryCancelled:
			c.Cancelled = n
		}
	}
	return c, rows.Err()
}

// DeliveryFilter selects an issue's rows for Deliveries.
type DeliveryFilter struct {
	IssueID int64
	Status  DeliveryStatus // empty: any
	Search  string         // substring of the email address; empty: any
	Limit   int            // 0: no limit
	Offset  int
}

// Deliveries lists an issue's ledger in row order.
func (s *Store) Deliveries(ctx context.Context, f DeliveryFilter) ([]*Delivery, error) {
	query := `SELECT ` + deliveryColumns + ` FROM deliveries WHERE issue_id = ?`
	args := []any{f.IssueID}
	if f.Status != "" {
		query += ` AND status = ?`
		args = append(args, string(f.Status))
	}
	if f.Search != "" {
		query += ` AND LOWER(email) LIKE ? ESCAPE '\'`
		args = append(args, "%"+likeEscape(strings.ToLower(f.Search))+"%")
	}
	query += ` ORDER BY id`
	if f.Limit > 0 {
		query += ` LIMIT ? OFFSET ?`
		args = append(args, f.Limit, f.Offset)
	}
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, err
	}
	return collectDeliveries(rows)
}

// DeliveryByID returns one row of the ledger.
func (s *Store) DeliveryByID(ctx context.Context, id int64) (*Delivery, error) {
	d, err := scanDelivery(s.db.QueryRowContext(ctx, s.q(`SELECT `+deliveryColumns+` FROM deliveries WHERE id = ?`), id))
	return d, s.mapErr(err)
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
