package store

import (
	"context"
	"testing"
	"time"
)

// A local send's rows are inserted in the order they fall due, so that a
// claim's rows (one zone's, due together) lie side by side in the table
// and its indexes, as a send at once's do: in subscriber order, a zone's
// rows are spread over the whole ledger and each claim writes a page per
// row (BENCHMARKS.md §10).
func TestLocalSnapshotInDueOrder(t *testing.T) {
	eachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := newSendFixtureAt(t, dsn, 0)
		f.exec(t, `UPDATE publications SET deliver = 'local', local_time = '06:00' WHERE id = ?`, f.pubID)
		zones := []string{"Asia/Tokyo", "America/New_York", "Europe/Paris", "", "Pacific/Auckland", "America/Los_Angeles"}
		ids := f.subscribers(t, f.pubID, 0, 4*len(zones), "active", "active")
		for i, id := range ids {
			f.exec(t, `UPDATE subscribers SET timezone = ? WHERE id = ?`, zones[i%len(zones)], id)
		}
		f.s.SetClock(func() time.Time { return time.Date(2026, 12, 3, 5, 7, 0, 0, time.UTC) })
		if res, err := f.s.StartSend(ctx, f.issueID, editorStart, ""); err != nil || res.Queued != len(ids) {
			t.Fatalf("start: %+v, %v", res, err)
		}
		if n := f.scalar(t, `SELECT COUNT(DISTINCT next_attempt_at) FROM deliveries WHERE issue_id = ?`, f.issueID); n != "6" {
			t.Fatalf("%s due times, want 6", n)
		}
		if n := f.scalar(t, `SELECT COUNT(*) FROM deliveries a JOIN deliveries b ON b.issue_id = a.issue_id
			AND b.id > a.id AND (b.next_attempt_at < a.next_attempt_at
				OR (b.next_attempt_at = a.next_attempt_at AND b.subscriber_id < a.subscriber_id))
			WHERE a.issue_id = ?`, f.issueID); n != "0" {
			t.Fatalf("%s pairs of rows out of due order", n)
		}
	})
}
