package engagement

import (
	"context"
	"time"
)

// Count is one row of aggregated figures: what the recorder adds to the
// store. Rows are additive: the store adds Events, Readers and
// IssueReaders to the row of the same key (PublicationID, IssueID, Kind,
// Link, Hour, Automatic), e.g. INSERT ... ON CONFLICT DO UPDATE SET
// events = events + excluded.events. A Count names no reader.
type Count struct {
	PublicationID int64     `json:"publication_id"`
	IssueID       int64     `json:"issue_id"`
	Kind          Kind      `json:"kind"`
	Link          int       `json:"link"` // OpenLink for opens
	Hour          time.Time `json:"hour"` // UTC, on the hour
	Automatic     bool      `json:"automatic"`
	// Events is the number of clicks (or opens).
	Events int64 `json:"events"`
	// Readers counts the readers whose first click on this link (within the
	// recorder's memory of readers, see RecorderOptions.Window) fell in
	// this hour: summed over hours, the link's unique readers.
	Readers int64 `json:"readers"`
	// IssueReaders counts the readers whose first click on any link of the
	// issue was on this link in this hour: summed over an issue's rows, its
	// unique readers.
	IssueReaders int64 `json:"issue_readers"`
}

// countKey is what makes Counts the same row.
type countKey struct {
	pub, issue int64
	kind       Kind
	link       int
	hour       int64 // Unix seconds
	automatic  bool
}

func (c *Count) key() countKey {
	return countKey{c.PublicationID, c.IssueID, c.Kind, c.Link, c.Hour.Unix(), c.Automatic}
}

// ReaderEvent is a click or open of a known subscriber, made only for
// publications that keep per-subscriber figures. The store keeps these rows
// for the publication's retention period and then deletes them: the Counts
// already hold every figure, so nothing is lost when they go.
type ReaderEvent struct {
	PublicationID int64     `json:"publication_id"`
	IssueID       int64     `json:"issue_id"`
	Recipient     int64     `json:"recipient"` // subscriber id
	Kind          Kind      `json:"kind"`
	Link          int       `json:"link"`
	Hour          time.Time `json:"hour"` // UTC, on the hour
	Automatic     bool      `json:"automatic"`
}

// Batch is what one flush writes.
type Batch struct {
	Counts  []Count
	Readers []ReaderEvent
}

// Sink is what the recorder needs from the database: it writes a batch in
// one transaction, all or nothing. The recorder keeps a batch that failed
// and adds it to the next.
type Sink interface {
	Write(ctx context.Context, b Batch) error
}

// SinkFunc makes a function a Sink.
type SinkFunc func(ctx context.Context, b Batch) error

func (f SinkFunc) Write(ctx context.Context, b Batch) error { return f(ctx, b) }
