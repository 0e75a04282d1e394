package subscribers

import (
	"encoding/csv"
	"io"
	"time"
)

// ExportPublication names one publication column of an export.
type ExportPublication struct {
	ID   int64
	Slug string
}

// CSVExporter writes subscribers as CSV, one row at a time: the columns email,
// name, status, created_at, timezone (empty: the publication's), then one
// column per publication (named by its slug) holding that subscription's
// status (empty: not subscribed). The file imports back with Importer (it
// reads email, name, status and timezone and ignores the rest).
type CSVExporter struct {
	w     *csv.Writer
	pubs  []ExportPublication
	pubID int64 // when not 0, status is the status for this publication
	rec   []string
}

// NewCSVExporter writes the header row. With publicationID not 0, the status
// column is the subscriber's status for that publication (Listing.StatusIn).
func NewCSVExporter(w io.Writer, pubs []ExportPublication, publicationID int64) (*CSVExporter, error) {
	e := &CSVExporter{w: csv.NewWriter(w), pubs: pubs, pubID: publicationID}
	header := []string{"email", "name", "status", "created_at", "timezone"}
	for _, p := range pubs {
		header = append(header, p.Slug)
	}
	e.rec = make([]string, len(header))
	return e, e.w.Write(header)
}

// Write writes one subscriber.
func (e *CSVExporter) Write(l *Listing) error {
	status := l.Status
	if e.pubID != 0 {
		status = l.StatusIn(e.pubID)
	}
	e.rec[0], e.rec[1], e.rec[2] = defuseCell(l.Email), defuseCell(l.Name), string(status)
	e.rec[3] = l.CreatedAt.UTC().Format(time.RFC3339)
	e.rec[4] = l.TimeZone // an IANA name: nothing a spreadsheet would run
	for i, p := range e.pubs {
		e.rec[5+i] = ""
		if sub := l.Subscription(p.ID); sub != nil {
			e.rec[5+i] = string(sub.Status)
		}
	}
	return e.w.Write(e.rec)
}

// Flush writes out what is buffered and reports any write error.
func (e *CSVExporter) Flush() error {
	e.w.Flush()
	return e.w.Error()
}
