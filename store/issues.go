package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"masthead/newsletter"
)

const issueColumns = `id, publication_id, issue_date, volume, number, numbers_overridden, status, subject, content,
	html, text_body, send_at, assembled_at, started_at, finished_at, created_at, updated_at, pause_reason,
	edition, edition_title, custom_subject`

func scanIssue(row interface{ Scan(...any) error }) (*newsletter.Issue, error) {
	var i newsletter.Issue
	var date, content string
	var overridden int
	var sendAt, assembled, started, finished, created, updated int64
	if err := row.Scan(&i.ID, &i.PublicationID, &date, &i.Volume, &i.Number, &overridden, &i.Status, &i.Subject,
		&content, &i.HTML, &i.Text, &sendAt, &assembled, &started, &finished, &created, &updated, &i.PauseReason,
		&i.Edition, &i.EditionTitle, &i.CustomSubject); err != nil {
		return nil, err
	}
	d, err := newsletter.ParseDate(date)
	if err != nil {
		return nil, fmt.Errorf("issue %d: %w", i.ID, err)
	}
	i.Date = d
	if content != "" {
		if err := json.Unmarshal([]byte(content), &i.Articles); err != nil {
			return nil, fmt.Errorf("issue %d content: %w", i.ID, err)
		}
	}
	i.NumbersOverridden = overridden != 0
	i.SendAt, i.AssembledAt, i.StartedAt, i.FinishedAt = fromMS(sendAt), fromMS(assembled), fromMS(started), fromMS(finished)
	i.CreatedAt, i.UpdatedAt = fromMS(created), fromMS(updated)
	return &i, nil
}

// Issue returns one issue.
func (s *Store) Issue(ctx context.Context, id int64) (*newsletter.Issue, error) {
	i, err := scanIssue(s.db.QueryRowContext(ctx, s.q(`SELECT `+issueColumns+` FROM issues WHERE id = ?`), id))
	return i, s.mapErr(err)
}

// IssueByDate returns a publication's daily issue for a date (edition 0:
// never one of the date's extras).
func (s *Store) IssueByDate(ctx context.Context, publicationID int64, d newsletter.Date) (*newsletter.Issue, error) {
	return s.IssueByEdition(ctx, publicationID, d, 0)
}

// IssueByEdition returns edition e of a publication's date: 0 the daily
// issue, 1 ... its extras.
func (s *Store) IssueByEdition(ctx context.Context, publicationID int64, d newsletter.Date, e int) (*newsletter.Issue, error) {
	i, err := scanIssue(s.db.QueryRowContext(ctx, s.q(`SELECT `+issueColumns+` FROM issues
		WHERE publication_id = ? AND issue_date = ? AND edition = ?`), publicationID, d.String(), e))
	return i, s.mapErr(err)
}

// IssueFilter selects issues for Issues.
type IssueFilter struct {
	PublicationID int64                    // 0: every publication
	Statuses      []newsletter.IssueStatus // empty: any
	From, To      newsletter.Date          // inclusive; zero: open
	DailyOnly     bool                     // only daily issues (edition 0), no extras
	Newest        bool                     // newest date first (default oldest first)
	Limit, Offset int
}

// Issues lists issues by date.
func (s *Store) Issues(ctx context.Context, f IssueFilter) ([]*newsletter.Issue, error) {
	var where []string
	var args []any
	if f.PublicationID != 0 {
		where = append(where, `publication_id = ?`)
		args = append(args, f.PublicationID)
	}
	if len(f.Statuses) > 0 {
		where = append(where, `status IN (`+placeholders(len(f.Statuses))+`)`)
		for _, st := range f.Statuses {
			args = append(args, string(st))
		}
	}
	if f.DailyOnly {
		where = append(where, `edition = 0`)
	}
	if !f.From.IsZero() {
		where = append(where, `issue_date >= ?`)
		args = append(args, f.From.String())
	}
	if !f.To.IsZero() {
		where = append(where, `issue_date <= ?`)
		args = append(args, f.To.String())
	}
	query := `SELECT ` + issueColumns + ` FROM issues`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	if f.Newest {
		query += ` ORDER BY issue_date DESC, edition DESC, id DESC`
	} else {
		query += ` ORDER BY issue_date, edition, id`
	}
	if f.Limit > 0 {
		query += ` LIMIT ? OFFSET ?`
		args = append(args, f.Limit, f.Offset)
	}
	return s.queryIssues(ctx, query, args...)
}

// queryIssues runs a SELECT of issueColumns written with ? placeholders.
func (s *Store) queryIssues(ctx context.Context, query string, args ...any) ([]*newsletter.Issue, error) {
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*newsletter.Issue
	for rows.Next() {
		i, err := scanIssue(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// AssembleIssue stores the issue that build returns for (publicationID, date), in
// one transaction. build gets the stored issue (nil if none) and a Numberer; it
// returns the issue to store, keeping existing numbers. An issue that is frozen
// (sending or sent) is not touched: AssembleIssue returns newsletter.ErrFrozen.
// Two concurrent calls for the same date make one issue: the second sees the
// first's row (the UNIQUE (publication_id, issue_date, edition) rule backs this).
// It is the date's daily issue (edition 0); AssembleEdition reaches an extra.
func (s *Store) AssembleIssue(ctx context.Context, publicationID int64, d newsletter.Date,
	build func(existing *newsletter.Issue, next newsletter.Numberer) (*newsletter.Issue, error)) (*newsletter.Issue, error) {
	return s.AssembleEdition(ctx, publicationID, d, 0, build)
}

// AssembleEdition is AssembleIssue for edition e of the date. An extra
// (e > 0) is made by CreateExtra first: for one that is not there it
// returns ErrNotFound without calling build.
func (s *Store) AssembleEdition(ctx context.Context, publicationID int64, d newsletter.Date, e int,
	build func(existing *newsletter.Issue, next newsletter.Numberer) (*newsletter.Issue, error)) (*newsletter.Issue, error) {
	iss, err := s.assembleIssue(ctx, publicationID, d, e, build)
	if errors.Is(err, ErrConflict) {
		// Where rows, not the whole database, are locked (PostgreSQL), two first
		// assemblies of a date can both find no row; the UNIQUE rule lets one
		// insert. The other tries again and now sees that issue.
		iss, err = s.assembleIssue(ctx, publicationID, d, e, build)
	}
	return iss, err
}

// nextNumber is the Numberer of a publication inside tx: the next number of
// the volume's daily issues. Extras share their daily's number and do not
// count, so that an extra never moves the next day's number.
func (s *Store) nextNumber(ctx context.Context, tx *sql.Tx, publicationID int64) newsletter.Numberer {
	return func(volume int) (int, error) {
		var n int
		err := tx.QueryRowContext(ctx, s.q(`SELECT COALESCE(MAX(number), 0) FROM issues
			WHERE publication_id = ? AND volume = ? AND edition = 0 AND status NOT IN ('skipped', 'missed')`), publicationID, volume).Scan(&n)
		return n + 1, err
	}
}

func (s *Store) assembleIssue(ctx context.Context, publicationID int64, d newsletter.Date, e int,
	build func(existing *newsletter.Issue, next newsletter.Numberer) (*newsletter.Issue, error)) (*newsletter.Issue, error) {
	var out *newsletter.Issue
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		existing, err := scanIssue(tx.QueryRowContext(ctx, s.q(`SELECT `+issueColumns+` FROM issues
			WHERE publication_id = ? AND issue_date = ? AND edition = ?`+s.dialect.forUpdate()), publicationID, d.String(), e))
		if errors.Is(err, sql.ErrNoRows) {
			if e > 0 {
				return fmt.Errorf("extra edition %d of %s: %w", e, d, ErrNotFound)
			}
			existing, err = nil, nil
		}
		if err != nil {
			return err
		}
		if existing != nil && existing.Status.Frozen() {
			return newsletter.ErrFrozen
		}
		iss, err := build(existing, s.nextNumber(ctx, tx, publicationID))
		if err != nil {
			return err
		}
		if existing != nil {
			iss.Edition, iss.EditionTitle, iss.CustomSubject = existing.Edition, existing.EditionTitle, existing.CustomSubject
		}
		if err := s.storeIssue(ctx, tx, publicationID, d, existing, iss); err != nil {
			return err
		}
		out = iss
		return nil
	})
	return out, err
}

// storeIssue inserts iss (existing nil) or updates existing's row with it.
func (s *Store) storeIssue(ctx context.Context, tx *sql.Tx, publicationID int64, d newsletter.Date, existing, iss *newsletter.Issue) error {
	content, err := json.Marshal(iss.Articles)
	if err != nil {
		return err
	}
	now := s.now()
	iss.PublicationID, iss.Date, iss.AssembledAt, iss.UpdatedAt = publicationID, d, now, now
	if existing == nil {
		iss.CreatedAt = now
		err = tx.QueryRowContext(ctx, s.q(`INSERT INTO issues (publication_id, issue_date, volume, number,
			numbers_overridden, status, subject, content, html, text_body, send_at, assembled_at, created_at, updated_at,
			edition, edition_title, custom_subject)
			VALUES (`+placeholders(17)+`) RETURNING id`), publicationID, d.String(), iss.Volume, iss.Number,
			boolInt(iss.NumbersOverridden), string(iss.Status), iss.Subject, string(content), iss.HTML, iss.Text,
			ms(iss.SendAt), ms(now), ms(now), ms(now), iss.Edition, iss.EditionTitle, iss.CustomSubject).Scan(&iss.ID)
	} else {
		iss.ID, iss.CreatedAt = existing.ID, existing.CreatedAt
		_, err = tx.ExecContext(ctx, s.q(`UPDATE issues SET volume = ?, number = ?, numbers_overridden = ?, status = ?,
			subject = ?, content = ?, html = ?, text_body = ?, send_at = ?, assembled_at = ?, updated_at = ? WHERE id = ?`),
			iss.Volume, iss.Number, boolInt(iss.NumbersOverridden), string(iss.Status), iss.Subject, string(content),
			iss.HTML, iss.Text, ms(iss.SendAt), ms(now), ms(now), iss.ID)
	}
	if err != nil {
		return s.mapErr(fmt.Errorf("store issue %s: %w", newsletter.EditionRef(d, iss.Edition), err))
	}
	return nil
}

// CreateExtra adds the next extra edition to a publication's date (1 for
// the first, up to newsletter.MaxEdition), in one transaction: build gets the
// date's daily issue (nil when it has none yet) and the Numberer, and returns
// the extra to store (its numbers, name, subject, body) as edition, the one
// it gets. Two editors adding an extra at once get editions 1 and 2.
func (s *Store) CreateExtra(ctx context.Context, publicationID int64, d newsletter.Date,
	build func(daily *newsletter.Issue, edition int, next newsletter.Numberer) (*newsletter.Issue, error)) (*newsletter.Issue, error) {
	iss, err := s.createExtra(ctx, publicationID, d, build)
	if errors.Is(err, ErrConflict) { // another editor's extra took the edition (PostgreSQL)
		iss, err = s.createExtra(ctx, publicationID, d, build)
	}
	return iss, err
}

func (s *Store) createExtra(ctx context.Context, publicationID int64, d newsletter.Date,
	build func(daily *newsletter.Issue, edition int, next newsletter.Numberer) (*newsletter.Issue, error)) (*newsletter.Issue, error) {
	var out *newsletter.Issue
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		daily, err := scanIssue(tx.QueryRowContext(ctx, s.q(`SELECT `+issueColumns+` FROM issues
			WHERE publication_id = ? AND issue_date = ? AND edition = 0`), publicationID, d.String()))
		if errors.Is(err, sql.ErrNoRows) {
			daily, err = nil, nil
		}
		if err != nil {
			return err
		}
		var last int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COALESCE(MAX(edition), 0) FROM issues
			WHERE publication_id = ? AND issue_date = ?`), publicationID, d.String()).Scan(&last); err != nil {
			return err
		}
		if last >= newsletter.MaxEdition {
			return fmt.Errorf("%w: %s has %d extra editions already, the most a date can have", ErrConflict, d, last)
		}
		iss, err := build(daily, last+1, s.nextNumber(ctx, tx, publicationID))
		if err != nil {
			return err
		}
		iss.Edition = last + 1
		if err := s.storeIssue(ctx, tx, publicationID, d, nil, iss); err != nil {
			return err
		}
		out = iss
		return nil
	})
	return out, err
}

// IssuesOn lists every edition of a publication's date, the daily issue
// first, then its extras in order.
func (s *Store) IssuesOn(ctx context.Context, publicationID int64, d newsletter.Date) ([]*newsletter.Issue, error) {
	return s.queryIssues(ctx, `SELECT `+issueColumns+` FROM issues WHERE publication_id = ? AND issue_date = ?
		ORDER BY edition`, publicationID, d.String())
}

// SetIssueStatus moves an issue to status `to` if it is in one of `from`; otherwise
// it returns ErrConflict (someone else moved it first). sendAt is stored when
// not zero (scheduling); started/finished times are set on Sending and on the
// end states.
func (s *Store) SetIssueStatus(ctx context.Context, id int64, from []newsletter.IssueStatus, to newsletter.IssueStatus, sendAt time.Time) error {
	now := ms(s.now())
	args := []any{string(to), now}
	set := `status = ?, updated_at = ?, pause_reason = ''`
	if !sendAt.IsZero() || to == newsletter.Scheduled {
		set += `, send_at = ?`
		args = append(args, ms(sendAt))
	}
	switch to {
	case newsletter.Sending:
		set += `, started_at = CASE WHEN started_at = 0 THEN ? ELSE started_at END`
		args = append(args, now)
	case newsletter.Sent, newsletter.Cancelled:
		set += `, finished_at = ?`
		args = append(args, now)
	}
	args = append(args, id)
	query := `UPDATE issues SET ` + set + ` WHERE id = ?`
	if len(from) > 0 {
		query += ` AND status IN (` + placeholders(len(from)) + `)`
		for _, f := range from {
			args = append(args, string(f))
		}
	}
	res, err := s.db.ExecContext(ctx, s.q(query), args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.Issue(ctx, id); err != nil {
			return err
		}
		return fmt.Errorf("%w: issue %d is not in a state that can become %s", ErrConflict, id, to)
	}
	return nil
}

// RemovePlaceholder deletes a held issue that never started sending (a
// released placeholder of a date with no ready articles), so that the date
// has no issue again. ErrConflict when the issue is not such a one.
func (s *Store) RemovePlaceholder(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, s.q(`DELETE FROM issues WHERE id = ? AND status = 'held' AND started_at = 0
		AND NOT EXISTS (SELECT 1 FROM deliveries WHERE issue_id = ?)`), id, id)
	if err != nil {
		return fmt.Errorf("remove issue %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.Issue(ctx, id); err != nil {
			return err
		}
		return fmt.Errorf("%w: issue %d is not a held issue that never started", ErrConflict, id)
	}
	return nil
}

// SetIssueNumbers is an editor's override of one issue's volume and number.
func (s *Store) SetIssueNumbers(ctx context.Context, id int64, volume, number int) error {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE issues SET volume = ?, number = ?, numbers_overridden = 1, updated_at = ?
		WHERE id = ? AND status NOT IN ('sending', 'paused', 'sent', 'cancelled')`), volume, number, ms(s.now()), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.Issue(ctx, id); err != nil {
			return err
		}
		return newsletter.ErrFrozen
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// DueIssues lists issues an editor scheduled (status scheduled) whose send time
// is at or before now, oldest first.
func (s *Store) DueIssues(ctx context.Context, now time.Time) ([]*newsletter.Issue, error) {
	return s.queryIssues(ctx, `SELECT `+issueColumns+` FROM issues
		WHERE status = ? AND send_at <= ? ORDER BY send_at, id`, string(newsletter.Scheduled), ms(now))
}

// Unschedule takes an editor's one-off send time off an issue: a scheduled
// issue goes back to assembled (the daily schedule may send it again). It
// returns ErrConflict when the issue is not scheduled.
func (s *Store) Unschedule(ctx context.Context, issueID int64) error {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE issues SET status = ?, send_at = 0, updated_at = ?
		WHERE id = ? AND status = ?`), string(newsletter.Assembled), ms(s.now()), issueID, string(newsletter.Scheduled))
	if err != nil {
		return fmt.Errorf("unschedule issue %d: %w", issueID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		st, err := s.IssueStatus(ctx, issueID)
		if err != nil {
			return err
		}
		return fmt.Errorf("%w: issue %d is %s, not scheduled", ErrConflict, issueID, st)
	}
	return nil
}

// RefusedSends counts, per publication slug, the issues whose send the
// delivery engine paused by itself (PauseSendFor: the mail server refuses
// our mail); every publication is listed, with 0 when none.
func (s *Store) RefusedSends(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	err := s.scanAll(ctx, s.db, `SELECT p.slug, COUNT(i.id) FROM publications p
		LEFT JOIN issues i ON i.publication_id = p.id AND i.status = 'paused' AND i.pause_reason <> ''
		GROUP BY p.slug`, nil, func(rows *sql.Rows) error {
		var slug string
		var n int
		err := rows.Scan(&slug, &n)
		out[slug] = n
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("refused sends: %w", err)
	}
	return out, nil
}

// SetIssueSubject stores an editor's subject for one issue (custom; "" takes
// it back) and the subject line that results, until its send starts.
func (s *Store) SetIssueSubject(ctx context.Context, id int64, custom, subject string) error {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE issues SET custom_subject = ?, subject = ?, updated_at = ?
		WHERE id = ? AND status NOT IN ('sending', 'paused', 'sent', 'cancelled')`), custom, subject, ms(s.now()), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.Issue(ctx, id); err != nil {
			return err
		}
		return newsletter.ErrFrozen
	}
	return nil
}
