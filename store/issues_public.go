package store

import (
	"context"
	"fmt"

	"masthead/newsletter"
)

// The web edition's reads: the public archive of issues, listed without their
// bodies: the issues_public indexes (migration 7) cover the list, so a page of
// a 3,000-issue archive is read from the index alone and never walks through
// the issues' bodies.

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
	Edition         int    // 0 the daily issue, N the date's extra N
	EditionTitle    string // an extra's name
}

// Ref is the issue's address among its publication's (newsletter.Issue.Ref).
func (is IssueSummary) Ref() string { return newsletter.EditionRef(is.Date, is.Edition) }

// PublicIssues lists public issues, newest first, of one publication (or of
// every one when publicationID is 0).
func (s *Store) PublicIssues(ctx context.Context, publicationID int64, limit, offset int) ([]IssueSummary, error) {
	query := `SELECT i.id, i.publication_id, p.slug, p.name, i.issue_date, i.volume, i.number, i.subject,
		i.edition, i.edition_title
		FROM issues i JOIN publications p ON p.id = i.publication_id
		WHERE i.status IN (` + placeholders(len(publicStatusArgs())) + `)`
	args := publicStatusArgs()
	if publicationID != 0 {
		// A date's editions newest first too; the ORDER BY is
		// issues_public_by_publication's.
		query += ` AND i.publication_id = ? ORDER BY i.issue_date DESC, i.edition DESC`
		args = append(args, publicationID)
	} else {
		query += ` ORDER BY i.issue_date DESC, i.id DESC`
	}
	query += ` LIMIT ? OFFSET ?`
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
		if err := rows.Scan(&is.ID, &is.PublicationID, &is.PublicationSlug, &is.PublicationName, &date,
			&is.Volume, &is.Number, &is.Subject, &is.Edition, &is.EditionTitle); err != nil {
			return nil, fmt.Errorf("public issues: %w", err)
		}
		if is.Date, err = newsletter.ParseDate(date); err != nil {
			return nil, fmt.Errorf("issue %d: %w", is.ID, err)
		}
		out = append(out, is)
	}
	return out, rows.Err()
}

// CountPublicIssues counts what PublicIssues lists without a limit.
func (s *Store) CountPublicIssues(ctx context.Context, publicationID int64) (int, error) {
	query := `SELECT COUNT(*) FROM issues WHERE status IN (` + placeholders(len(publicStatusArgs())) + `)`
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

// publicStatusArgs are the statuses of the issues the web edition shows
// (newsletter.IssueStatus.Public), as query arguments.
func publicStatusArgs() []any {
	public := newsletter.Statuses(newsletter.IssueStatus.Public)
	args := make([]any, 0, len(public)+3)
	for _, st := range public {
		args = append(args, string(st))
	}
	return args
}
