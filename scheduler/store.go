package scheduler

import (
	"context"
	"time"

	"masthead/ledger"
	"masthead/newsletter"
	"masthead/store"
)

// Store is what the scheduler needs from the database: the leader lease, the
// publications and their schedules, one run record per (publication, date),
// and the issues it fires. *store.Store implements it; the wiring hands it
// over. Lookups of missing rows give ledger.ErrNotFound, and a conditional
// change that finds another status ledger.ErrConflict.
type Store interface {
	AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, name, owner string) error

	Publications(ctx context.Context) ([]*newsletter.Publication, error)
	Publication(ctx context.Context, id int64) (*newsletter.Publication, error)

	ClaimRun(ctx context.Context, publicationID int64, d newsletter.Date, fireAt time.Time, owner string, ttl time.Duration) (bool, error)
	ScheduleRun(ctx context.Context, publicationID int64, d newsletter.Date) (*store.ScheduleRun, error)
	DropRun(ctx context.Context, publicationID int64, d newsletter.Date, owner string) error
	FinishRun(ctx context.Context, publicationID int64, d newsletter.Date, owner, decision, detail string) error

	Issue(ctx context.Context, id int64) (*newsletter.Issue, error)
	IssueByDate(ctx context.Context, publicationID int64, d newsletter.Date) (*newsletter.Issue, error)
	DueIssues(ctx context.Context, now time.Time) ([]*newsletter.Issue, error)
	SetIssueStatus(ctx context.Context, id int64, from []newsletter.IssueStatus, to newsletter.IssueStatus, sendAt time.Time) error
}

// WorkerStore is what Workers need from the database: the issues that are
// sending, and the transport each was started with.
type WorkerStore interface {
	Issues(ctx context.Context, f store.IssueFilter) ([]*newsletter.Issue, error)
	SendTransport(ctx context.Context, issueID int64) (string, error)
}

// Starter begins the send of an issue if its status is one of from (else
// ledger.ErrConflict): it snapshots the audience and hands the issue to the
// delivery workers. The delivery engine is one.
type Starter interface {
	StartFrom(ctx context.Context, issueID int64, from []newsletter.IssueStatus) (ledger.StartResult, error)
}
