package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"masthead/ledger"
)

// BenchmarkLedger measures the ledger's cost per message (claim the rows,
// record them sent) on a SQLite file under different settings: the
// synchronous pragma and the transaction sizes (rows per claim, outcomes per
// record). It reports wall time and CPU time (the process's, every thread)
// per message, and the two halves separately:
//
//	go test -run '^$' -bench Ledger -benchtime 20000x ./store/
//
// The figures and what they mean are in BENCHMARKS.md.
func BenchmarkLedger(b *testing.B) {
	type setting struct {
		sync         string
		claim, batch int
	}
	settings := []setting{
		{"FULL", 32, 32},
		{"NORMAL", 32, 32}, // the store's settings; the engine's batches before 256-row claims
		{"OFF", 32, 32},
		{"NORMAL", 32, 1},
		{"NORMAL", 32, 16},
		{"NORMAL", 256, 32}, // the engine's defaults (delivery.Config)
		{"NORMAL", 256, 64},
		{"NORMAL", 256, 256},
		{"NORMAL", 1024, 1024},
	}
	for _, st := range settings {
		name := fmt.Sprintf("sync=%s/claim=%d/record=%d", st.sync, st.claim, st.batch)
		b.Run(name, func(b *testing.B) { benchLedger(b, st.sync, st.claim, st.batch) })
	}
}

func benchLedger(b *testing.B, sync string, claimN, batchN int) {
	ctx := context.Background()
	s := openTuned(b, sync)
	f := &sendFixture{s: s}
	f.pubID = f.publication(b, "daily")
	f.issueID = f.issue(b, f.pubID)
	f.subscribers(b, f.pubID, 0, b.N+claimN, "active", "active")
	if _, err := s.StartSend(ctx, f.issueID, editorStart, ""); err != nil {
		b.Fatal(err)
	}
	record := s.Record
	var claimCPU, recordCPU time.Duration
	batch := make([]ledger.Outcome, 0, batchN)
	flush := func() {
		c := cpuNow()
		if err := record(ctx, batch, ledger.BouncePolicy{}); err != nil {
			b.Fatal(err)
		}
		recordCPU += cpuNow() - c
		batch = batch[:0]
	}
	cpu0 := cpuNow()
	b.ResetTimer()
	done := 0
	for done < b.N {
		c := cpuNow()
		rows, err := s.Claim(ctx, f.issueID, "bench", "", claimN, time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		claimCPU += cpuNow() - c
		if len(rows) == 0 {
			b.Fatal("nothing left to claim")
		}
		now := time.Now()
		for _, d := range rows {
			batch = append(batch, ledger.Outcome{DeliveryID: d.ID, Owner: "bench", Kind: ledger.OutcomeSent, At: now, Code: 250, Reply: "250 2.0.0 Ok: queued as 4BmX"})
			if len(batch) == batchN {
				flush()
			}
		}
		done += len(rows)
	}
	if len(batch) > 0 {
		flush()
	}
	b.StopTimer()
	per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(done) }
	b.ReportMetric(per(cpuNow()-cpu0), "cpu-ns/msg")
	b.ReportMetric(per(claimCPU), "claim-cpu-ns/msg")
	b.ReportMetric(per(recordCPU), "record-cpu-ns/msg")
}

// openTuned opens a SQLite store as Open does but with the synchronous
// pragma given.
func openTuned(b *testing.B, sync string) *Store {
	b.Helper()
	v := url.Values{}
	v.Set("_journal_mode", "WAL")
	v.Set("_busy_timeout", "15000")
	v.Set("_foreign_keys", "on")
	v.Set("_synchronous", sync)
	v.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(b.TempDir(), "m.db")+"?"+v.Encode())
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	s := &Store{db: db, dialect: sqliteDialect{}, log: slog.New(slog.DiscardHandler), now: time.Now}
	b.Cleanup(func() { db.Close() })
	var got string
	if err := db.QueryRow(`PRAGMA synchronous`).Scan(&got); err != nil {
		b.Fatal(err)
	}
	want := map[string]string{"OFF": "0", "NORMAL": "1", "FULL": "2"}[sync]
	if got != want {
		b.Fatalf("synchronous = %s, want %s (%s)", got, want, sync)
	}
	if err := s.migrate(context.Background(), len(migrations)); err != nil {
		b.Fatal(err)
	}
	return s
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
