package store

import (
	"context"
	"fmt"
	"time"

	"masthead/newsletter"
)

// The web edition's reads: the public archive of issues, listed without their
// bodies so that a page of 3,000 issues reads only what the list shows.

// PublicStatuses are the statuses of the issues the web edition shows: those
// that went out (or are going out) to subscribers. An assembled, held or
// cancelled issue is not public.
var PublicStatuses = []newsletter.IssueStatus{newsletter.Sending, newsletter.Paused, newsletter.Sent}

// IssueSummary is one line of the web archive.
type IssueSummary struct {
	ID              int64
	PublicationID   int64
	PublicationSlug string
	PublicationName string
	Date            newsletter.Date
	Volume          int
	Number          int
	Subject         string
	StartedAt       time.Time
	FinishedAt      time.Time
}

// PublicIssues lists public issues, newest first, of one publication (or of
// every one when publicationID is 0).
func (s *Store) PublicIssues(ctx context.Context, publicationID int64, limit, offset int) ([]IssueSummary, error) {
	query := `SELECT i.id, i.publication_id, p.slug, p.name, i.issue_date, i.volume, i.number, i.subject,
		i.started_at, i.finished_at
		FROM issues i JOIN publications p ON p.id = i.publication_id
		WHERE i.status IN (` + placeholders(len(PublicStatuses)) + `)`
	args := publicStatusArgs()
	if publicationID != 0 {
		query += ` AND i.publication_id = ?`
		args = append(args, publicationID)
	}
	query += ` ORDER BY i.issue_date DESC, i.id DESC LIMIT ? OFFSET ?`
	args = append(args, limit, offset)
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("public issues: %w", err)
	}
	defer rows.Close()
	var out []IssueSummary
	for rows.Next() {
		var is IssueSummary
		var date string
		var started, finished int64
		if err := rows.Scan(&is.ID, &is.PublicationID, &is.PublicationSlug, &is.PublicationName, &date,
			&is.Volume, &is.Number, &is.Subject, &started, &finished); err != nil {
			return nil, fmt.Errorf("public issues: %w", err)
		}
		if is.Date, err = newsletter.ParseDate(date); err != nil {
			return nil, fmt.Errorf("issue %d: %w", is.ID, err)
		}
		is.StartedAt, is.FinishedAt = fromMS(started), fromMS(finished)
		out = append(out, is)
	}
	return out, rows.Err()
}

// CountPublicIssues counts what PublicIssues lists without a limit.
func (s *Store) CountPublicIssues(ctx context.Context, publicationID int64) (int, error) {
	query := `SELECT COUNT(*) FROM issues WHERE status IN (` + placeholders(len(PublicStatuses)) + `)`
	args := publicStatusArgs()
	if publicationID != 0 {
		query += ` AND publication_id = ?`
		args = append(args, publicationID)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, s.q(query), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count public issues: %w", err)
	}
	return n, nil
}

func publicStatusArgs() []any {
	args := make([]any, 0, len(PublicStatuses)+3)
	for _, st := range PublicStatuses {
		args = append(args, string(st))
	}
	return args
}
