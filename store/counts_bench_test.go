package store

import (
	"context"
	"testing"

	"masthead/internal/testenv"
)

// BenchmarkCounts counts an issue's ledger by status (what the progress view
// and 'issue status' read) with MASTHEAD_BENCH_ROWS rows (default 200,000):
//
//	go test -run '^$' -bench Counts -benchtime 20x ./store/
func BenchmarkCounts(b *testing.B) {
	rows := testenv.BenchRows(b, 200_000)
	ctx := context.Background()
	f := &sendFixture{s: openTuned(b, "NORMAL")}
	f.pubID = f.publication(b, "daily")
	f.issueID = f.issue(b, f.pubID)
	f.subscribers(b, f.pubID, 0, rows, "active", "active")
	if _, err := f.s.StartSend(ctx, f.issueID, editorStart, ""); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		c, err := f.s.Counts(ctx, f.issueID)
		if err != nil || c.Total != rows {
			b.Fatalf("counts %+v, %v; want %d rows", c, err, rows)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rows), "ns/row")
}
