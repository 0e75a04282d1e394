package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"masthead/ledger"
	"masthead/subscribers"
)

// Bounce and complaint reports that arrive after the fact (a mailbox of
// RFC 3464 delivery-status reports and RFC 5965 feedback reports; provider
// webhooks). Each is applied once: bounce_reports remembers every (report,
// address) applied, so reading the same report again changes nothing.

// ApplyBounceReport applies a report to an address once, in one transaction,
// and reports whether it did anything (false: this report was applied
// before). A hard bounce suppresses the address as bounced, a complaint as
// complained (Suppress: status, suppression, event, queued deliveries
// skipped). A soft bounce counts toward the subscriber's soft_bounces, and
// the policy's Limit-th in a row suppresses them as bounced, by the same rule
// as the soft bounces of delivery's give-ups (Record). A soft bounce for an
// address that is no subscriber only records the report. A report about an
// erased address changes nothing (its hashed suppression holds).
func (s *Store) ApplyBounceReport(ctx context.Context, r ledger.BounceReport, policy ledger.BouncePolicy) (bool, error) {
	norm, err := subscribers.Normalize(r.Email)
	if err != nil {
		return false, fmt.Errorf("%q: %w", r.Email, err)
	}
	if r.ReportID == "" {
		return false, errors.New("bounce report without an id")
	}
	detail := truncate(r.Detail, 1000)
	applied := false
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if gone, err := s.wasErased(ctx, tx, norm); err != nil || gone {
			return err // erased: suppressed by its hash, and not to be written down again
		}
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
		case ledger.ReportHard:
			return s.suppressTx(ctx, tx, norm, subscribers.Bounced, subscribers.ViaBounce, detail, 0)
		case ledger.ReportComplaint:
			return s.suppressTx(ctx, tx, norm, subscribers.Complained, subscribers.ViaComplaint, detail, 0)
		case ledger.ReportSoft:
			return s.softBounce(ctx, tx, norm, policy, detail, 0)
		}
		return fmt.Errorf("unknown report kind %q", r.Kind)
	})
	return applied, err
}

// softBounce counts one soft bounce and suppresses the address at the
// policy's limit: the one rule for soft bounces, whatever reported them (in
// the name of issueID, when a send's own give-up made the bounce).
func (s *Store) softBounce(ctx context.Context, tx *sql.Tx, email string, policy ledger.BouncePolicy, detail string, issueID int64) error {
	var n int
	err := tx.QueryRowContext(ctx, s.q(`UPDATE subscribers SET soft_bounces = soft_bounces + 1, updated_at = ?
		WHERE email = ? RETURNING soft_bounces`), ms(s.now()), email).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("soft bounce of %s: %w", email, err)
	}
	if n < policy.Limit() {
		return nil
	}
	return s.suppressTx(ctx, tx, email, subscribers.Bounced, subscribers.ViaBounce,
		truncate(fmt.Sprintf("%d soft bounces in a row; last: %s", n, detail), 1000), issueID)
}
