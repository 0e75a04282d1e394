package store

import (
	"context"
	"fmt"
	"time"

	"masthead/newsletter"
)

// RunPending is the decision of a schedule run that a scheduler has claimed and
// not finished yet.
const RunPending = "pending"

// ScheduleRun is what the scheduler did with a publication's daily fire for one
// issue date: at most one per (publication, date), whatever the number of fires,
// processes or restarts.
type ScheduleRun struct {
	PublicationID int64
	Date          newsletter.Date
	FireAt        time.Time // the scheduled time that fired
	Decision      string    // RunPending while being handled; then what was done (sent, missed, empty, held ...)
	Detail        string    // a line for the editor
	Owner         string    // the scheduler that handled it
	Until         time.Time // a pending claim expires then and another scheduler may take it over
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// ClaimRun claims the fire for (publicationID, d) for owner until now+ttl. It
// reports whether owner should handle it: true when no run existed, or when a
// pending claim of another scheduler ran out (it died mid-way). A finished run
// is never claimed again.
func (s *Store) ClaimRun(ctx context.Context, publicationID int64, d newsletter.Date, fireAt time.Time,
	owner string, ttl time.Duration) (bool, error) {
	now := s.now()
	res, err := s.db.ExecContext(ctx, s.q(`INSERT INTO schedule_runs
			(publication_id, issue_date, fire_at, decision, owner, until, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (publication_id, issue_date) DO UPDATE SET owner = excluded.owner, until = excluded.until,
			fire_at = excluded.fire_at, updated_at = excluded.updated_at
		WHERE schedule_runs.decision = ? AND schedule_runs.until < ?`),
		publicationID, d.String(), ms(fireAt), RunPending, owner, ms(now.Add(ttl)), ms(now), ms(now), RunPending, ms(now))
	if err != nil {
		return false, fmt.Errorf("claim schedule run %d %s: %w", publicationID, d, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim schedule run %d %s: %w", publicationID, d, err)
	}
	return n > 0, nil
}

// FinishRun records the decision of a run owner has claimed. It returns
// ErrConflict when owner no longer holds the claim.
func (s *Store) FinishRun(ctx context.Context, publicationID int64, d newsletter.Date, owner, decision, detail string) error {
	if decision == RunPending || decision == "" {
		return fmt.Errorf("finish schedule run: decision %q is not final", decision)
	}
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE schedule_runs SET decision = ?, detail = ?, until = 0, updated_at = ?
		WHERE publication_id = ? AND issue_date = ? AND owner = ? AND decision = ?`),
		decision, truncate(detail, 1000), ms(s.now()), publicationID, d.String(), owner, RunPending)
	if err != nil {
		return fmt.Errorf("finish schedule run %d %s: %w", publicationID, d, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: schedule run %d %s is not claimed by %s", ErrConflict, publicationID, d, owner)
	}
	return nil
}

// DropRun gives up owner's pending claim so that the fire is tried again (after
// an error that may pass).
func (s *Store) DropRun(ctx context.Context, publicationID int64, d newsletter.Date, owner string) error {
	_, err := s.db.ExecContext(ctx, s.q(`DELETE FROM schedule_runs
		WHERE publication_id = ? AND issue_date = ? AND owner = ? AND decision = ?`), publicationID, d.String(), owner, RunPending)
	if err != nil {
		return fmt.Errorf("drop schedule run %d %s: %w", publicationID, d, err)
	}
	return nil
}

const scheduleRunColumns = `publication_id, issue_date, fire_at, decision, detail, owner, until, created_at, updated_at`

func scanScheduleRun(row interface{ Scan(...any) error }) (*ScheduleRun, error) {
	var r ScheduleRun
	var date string
	var fire, until, created, updated int64
	if err := row.Scan(&r.PublicationID, &date, &fire, &r.Decision, &r.Detail, &r.Owner, &until, &created, &updated); err != nil {
		return nil, err
	}
	d, err := newsletter.ParseDate(date)
	if err != nil {
		return nil, fmt.Errorf("schedule run %d: %w", r.PublicationID, err)
	}
	r.Date = d
	r.FireAt, r.Until, r.CreatedAt, r.UpdatedAt = fromMS(fire), fromMS(until), fromMS(created), fromMS(updated)
	return &r, nil
}

// ScheduleRun returns the run of (publicationID, d), or ErrNotFound.
func (s *Store) ScheduleRun(ctx context.Context, publicationID int64, d newsletter.Date) (*ScheduleRun, error) {
	r, err := scanScheduleRun(s.db.QueryRowContext(ctx, s.q(`SELECT `+scheduleRunColumns+` FROM schedule_runs
		WHERE publication_id = ? AND issue_date = ?`), publicationID, d.String()))
	return r, s.mapErr(err)
}

// ScheduleRuns lists a publication's runs, newest date first; limit 0 is no limit.
func (s *Store) ScheduleRuns(ctx context.Context, publicationID int64, limit int) ([]*ScheduleRun, error) {
	query := `SELECT ` + scheduleRunColumns + ` FROM schedule_runs WHERE publication_id = ? ORDER BY issue_date DESC`
	args := []any{publicationID}
	if limit > 0 {
		query += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*ScheduleRun
	for rows.Next() {
		r, err := scanScheduleRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
