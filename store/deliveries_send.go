package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"masthead/ledger"
	"masthead/newsletter"
)

// StartSend moves an issue to sending if its status is one of from
// (newsletter.Statuses of an IssueStatus set: an editor's EditorCanStart, a
// fire's FireStarts), and gives ErrConflict otherwise, deciding on the status
// it reads under the row lock (so an editor's hold that lands first wins).
// From a status that CanStart it first snapshots the audience in the same
// transaction: one queued row per subscriber whose subscription to the
// publication and whose own status are active and whose address is not
// suppressed, each with its stable Message-ID. Running it again is harmless
// (the UNIQUE (issue_id, subscriber_id) rule and ON CONFLICT DO NOTHING).
// Paused in from resumes a paused issue without a new snapshot; sending in
// from leaves a sending issue as it is. Sent, cancelled and skipped issues
// give ErrConflict whatever from says.
//
// transport is the sender the send goes out through ("outbox",
// "smtp://host:port"): only processes with that transport claim the issue's
// rows (Claim). A new send and a resumed paused one take transport; a
// sending issue that has none (started before transports were recorded)
// adopts it; a sending issue with another one gives a *ledger.TransportError
// (ErrOtherTransport) and is left as it is. An empty transport records nothing.
func (s *Store) StartSend(ctx context.Context, issueID int64, from []newsletter.IssueStatus, transport string) (ledger.StartResult, error) {
	var res ledger.StartResult
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var status newsletter.IssueStatus
		var pubID, created int64
		var fromAddr, have string
		var pub newsletter.Publication // what timing the rows needs
		var date string
		var edition int
		err := tx.QueryRowContext(ctx, s.q(`SELECT i.status, i.publication_id, i.created_at, p.from_addr, i.transport,
				p.deliver, p.local_time, p.schedule, p.timezone, i.issue_date, i.edition
			FROM issues i JOIN publications p ON p.id = i.publication_id WHERE i.id = ?`+s.dialect.forUpdate()), issueID).
			Scan(&status, &pubID, &created, &fromAddr, &have, &pub.Deliver, &pub.LocalTime, &pub.Schedule, &pub.TimeZone, &date, &edition)
		if err != nil {
			return s.mapErr(fmt.Errorf("start send of issue %d: %w", issueID, err))
		}
		now := ms(s.now())
		if transport == "" {
			transport = have // keep what is recorded
		}
		switch {
		case !statusIn(status, from):
			return fmt.Errorf("%w: issue %d is %s", ErrConflict, issueID, status)
		case status == newsletter.Sending:
			if err := otherTransport(issueID, have, transport); err != nil {
				return err
			}
			if have == transport {
				return nil
			}
			_, err := tx.ExecContext(ctx, s.q(`UPDATE issues SET transport = ? WHERE id = ?`), transport, issueID)
			return err
		case status == newsletter.Paused:
			// Nobody sends a paused issue: resuming it may move it to another transport.
			res.Resumed = true
			_, err := tx.ExecContext(ctx, s.q(`UPDATE issues SET status = 'sending', transport = ?, updated_at = ?, pause_reason = ''
				WHERE id = ?`),
				transport, now, issueID)
			return err
		case !status.CanStart():
			return fmt.Errorf("%w: issue %d is %s", ErrConflict, issueID, status)
		}
		// With local delivery every row of a daily issue is due at its
		// reader's hour (localDue), else at once. An extra edition is
		// breaking news: it goes at once to everyone, whatever the setting.
		if edition > 0 {
			pub.Deliver = newsletter.DeliverAtOnce
		}
		due, dueArgs, err := s.localDue(ctx, tx, &pub, pubID, s.now())
		if err != nil {
			return err
		}
		args := append(dueArgs, issueID, "<"+strconv.FormatInt(issueID, 10)+".", messageIDTail(issueID, pubID, created, fromAddr), pubID)
		r, err := tx.ExecContext(ctx, s.q(due.with+`INSERT INTO deliveries (issue_id, subscriber_id, email, name, status, message_id, next_attempt_at)
			SELECT ?, s.id, s.email, s.name, 'queued',
				CAST(? AS TEXT) || s.id || '.' || CAST(? AS TEXT), `+due.column+`
			FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id`+due.join+`
			WHERE sub.publication_id = ? AND sub.status = 'active' AND s.status = 'active'
				AND NOT EXISTS (SELECT 1 FROM suppressions x WHERE x.email = s.email)
			ORDER BY `+due.order+`
			ON CONFLICT (issue_id, subscriber_id) DO NOTHING`), args...)
		if err != nil {
			return fmt.Errorf("snapshot audience of issue %d: %w", issueID, err)
		}
		n, _ := r.RowsAffected()
		res.Queued = int(n)
		if edition == 0 && n > 0 {
			// Issue order (an extra, at once, is outside it). A send at once
			// waits only behind earlier issues still waiting for readers'
			// hours (the publication was switched back to at-once), so that
			// sends at once keep going out as they always did.
			if err := s.orderAfterEarlier(ctx, tx, issueID, pubID, date, edition, pub.Deliver != newsletter.DeliverLocal); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE issues SET status = 'sending', transport = ?, updated_at = ?,
			started_at = CASE WHEN started_at = 0 THEN ? ELSE started_at END WHERE id = ?`), transport, now, now, issueID)
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

// PauseSendFor is PauseSend by the delivery engine itself, with the reason
// it is kept until the send is resumed (Issue.PauseReason): the mail server
// refuses our mail. ErrConflict when the issue is not sending (an editor
// paused or cancelled it first).
func (s *Store) PauseSendFor(ctx context.Context, issueID int64, reason string) error {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE issues SET status = 'paused', pause_reason = ?, updated_at = ?
		WHERE id = ? AND status = 'sending'`), truncate(reason, 2000), ms(s.now()), issueID)
	if err != nil {
		return fmt.Errorf("pause issue %d: %w", issueID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.Issue(ctx, issueID); err != nil {
			return err
		}
		return fmt.Errorf("%w: issue %d is not sending", ErrConflict, issueID)
	}
	return nil
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

// SendTransport is the transport an issue's send was started with ("" when
// none was recorded: any process may send it).
func (s *Store) SendTransport(ctx context.Context, issueID int64) (string, error) {
	var t string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT transport FROM issues WHERE id = ?`), issueID).Scan(&t)
	return t, s.mapErr(err)
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
