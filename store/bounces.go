package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"masthead/subscribers"
)

// Bounce and complaint reports that arrive after the fact (a mailbox of
// RFC 3464 delivery-status reports and RFC 5965 feedback reports; provider
// webhooks). Each is applied once: bounce_reports remembers every (report,
// address) applied, so reading the same report again changes nothing.

// ReportKind is what a report says about an address.
type ReportKind string

const (
	// ReportHard: the address does not exist or refuses mail for good (5.x.x).
	ReportHard ReportKind = "hard"
	// ReportSoft: delivery failed for now (4.x.x); SoftBounceLimit in a row make a bounce.
	ReportSoft ReportKind = "soft"
	// ReportComplaint: the recipient reported the message as spam (Feedback-Type: abuse).
	ReportComplaint ReportKind = "complaint"
)

// DefaultSoftBounceLimit is how many soft bounces in a row make an address
// bounced when the caller names no other limit.
const DefaultSoftBounceLimit = 3

// BounceReport is one report's verdict on one address.
type BounceReport struct {
	ReportID string // the report's own Message-ID (or a digest of it): the key that makes applying idempotent
	Email    string // the subscriber's address
	Kind     ReportKind
	Detail   string // status and diagnostic, kept in the event and the suppression
}

// ApplyBounceReport applies a report to an address once, in one transaction,
// and reports whether it did anything (false: this report was applied
// before). A hard bounce suppresses the address as bounced, a complaint as
// complained (Suppress: status, suppression, event, queued deliveries
// skipped). A soft bounce counts toward the subscriber's soft_bounces; the
// softLimit-th in a row (0: DefaultSoftBounceLimit) suppresses them as bounced.
// A soft bounce for an address that is no subscriber only records the report.
func (s *Store) ApplyBounceReport(ctx context.Context, r BounceReport, softLimit int) (bool, error) {
	norm, err := subscribers.Normalize(r.Email)
	if err != nil {
		return false, fmt.Errorf("%q: %w", r.Email, err)
	}
	if r.ReportID == "" {
		return false, errors.New("bounce report without an id")
	}
	if softLimit <= 0 {
		softLimit = DefaultSoftBounceLimit
	}
	detail := truncate(r.Detail, 1000)
	applied := false
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO bounce_reports (report_id, email, kind, detail, created_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (report_id, email) DO NOTHING`),
			truncate(r.ReportID, 500), norm, string(r.Kind), detail, ms(s.now()))
		if err != nil {
			return fmt.Errorf("record report %s for %s: %w", r.ReportID, norm, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		applied = true
		switch r.Kind {
		case ReportHard:
			return s.suppressTx(ctx, tx, norm, subscribers.Bounced, subscribers.ViaBounce, detail, 0)
		case ReportComplaint:
			return s.suppressTx(ctx, tx, norm, subscribers.Complained, subscribers.ViaComplaint, detail, 0)
		case ReportSoft:
			return s.softBounce(ctx, tx, norm, softLimit, detail, 0)
		}
		return fmt.Errorf("unknown report kind %q", r.Kind)
	})
	return applied, err
}

// softBounce counts one soft bounce and suppresses the address at the limit
// (in the name of issueID, when a send's own give-up made the bounce).
func (s *Store) softBounce(ctx context.Context, tx *sql.Tx, email string, limit int, detail string, issueID int64) error {
	var n int
	err := tx.QueryRowContext(ctx, s.q(`UPDATE subscribers SET soft_bounces = soft_bounces + 1, updated_at = ?
		WHERE email = ? RETURNING soft_bounces`), ms(s.now()), email).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("soft bounce of %s: %w", email, err)
	}
	if n < limit {
		return nil
	}
	return s.suppressTx(ctx, tx, email, subscribers.Bounced, subscribers.ViaBounce,
		truncate(fmt.Sprintf("%d soft bounces in a row; last: %s", n, detail), 1000), issueID)
}

// DeliveryByMessageID finds the delivery an issue's message was sent as, from
// its Message-ID ("<issue.subscriber.hash@domain>", with or without the angle
// brackets), as quoted back in bounce and complaint reports. ErrNotFound when
// no delivery has that id.
func (s *Store) DeliveryByMessageID(ctx context.Context, messageID string) (*Delivery, error) {
	id := "<" + strings.Trim(strings.TrimSpace(messageID), "<>") + ">"
	// The issue and subscriber ids lead the local part: look the row up by
	// its (issue_id, subscriber_id) key and let the full id confirm it.
	parts := strings.SplitN(strings.Trim(id, "<>"), ".", 3)
	if len(parts) < 3 {
		return nil, fmt.Errorf("message id %s: %w", id, ErrNotFound)
	}
	issueID, err1 := strconv.ParseInt(parts[0], 10, 64)
	subID, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("message id %s: %w", id, ErrNotFound)
	}
	d, err := scanDelivery(s.db.QueryRowContext(ctx, s.q(`SELECT `+deliveryColumns+` FROM deliveries
		WHERE issue_id = ? AND subscriber_id = ? AND message_id = ?`), issueID, subID, id))
	if err != nil {
		return nil, s.mapErr(fmt.Errorf("message id %s: %w", id, err))
	}
	return d, nil
}
