package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkLedger measures the ledger's cost per message (claim the rows,
// record them sent) on a SQLite file under different settings: the
// synchronous pragma and the transaction sizes (rows per claim, outcomes per
// record), and a prototype of recording a batch of sent outcomes with one
// statement. It reports wall time and CPU time (the process's, every thread)
// per message, and the two halves separately:
//
//	go test -run '^$' -bench Ledger -benchtime 20000x ./store/
//
// The figures and what they mean are in BENCHMARKS.md.
func BenchmarkLedger(b *testing.B) {
	type setting struct {
		sync         string
		claim, batch int
		bulk         bool
	}
	settings := []setting{
		{"FULL", 32, 64, false},
		{"NORMAL", 32, 64, false}, // the store's and the engine's defaults
		{"OFF", 32, 64, false},
		{"NORMAL", 32, 1, false},
		{"NORMAL", 32, 16, false},
		{"NORMAL", 256, 256, false},
		{"NORMAL", 1024, 1024, false},
		{"NORMAL", 32, 64, true},
		{"NORMAL", 256, 256, true},
	}
	for _, st := range settings {
		name := fmt.Sprintf("sync=%s/claim=%d/record=%d", st.sync, st.claim, st.batch)
		if st.bulk {
			name += "/bulk"
		}
		b.Run(name, func(b *testing.B) { benchLedger(b, st.sync, st.claim, st.batch, st.bulk) })
	}
}

func benchLedger(b *testing.B, sync string, claimN, batchN int, bulk bool) {
	ctx := context.Background()
	s := openTuned(b, sync)
	f := &sendFixture{s: s}
	f.pubID = f.publication(b, "daily")
	f.issueID = f.issue(b, f.pubID)
	f.subscribers(b, f.pubID, 0, b.N+claimN, "active", "active")
	if _, err := s.StartSend(ctx, f.issueID); err != nil {
		b.Fatal(err)
	}
	record := s.Record
	if bulk {
		record = func(ctx context.Context, o []Outcome) error { return s.recordSentBulk(ctx, f.issueID, o) }
	}
	var claimCPU, recordCPU time.Duration
	batch := make([]Outcome, 0, batchN)
	flush := func() {
		c := cpuNow()
		if err := record(ctx, batch); err != nil {
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
		rows, err := s.Claim(ctx, f.issueID, "bench", claimN, time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		claimCPU += cpuNow() - c
		if len(rows) == 0 {
			b.Fatal("nothing left to claim")
		}
		now := time.Now()
		for _, d := range rows {
			batch = append(batch, Outcome{DeliveryID: d.ID, Owner: "bench", Kind: OutcomeSent, At: now, Code: 250, Reply: "250 2.0.0 Ok: queued as 4BmX"})
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
	if err := s.migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	return s
}

// recordSentBulk is a prototype of Record for the common batch, every outcome
// sent: one UPDATE ... FROM (VALUES ...) for the whole batch instead of one
// statement per outcome, then the issue's finish check once.
func (s *Store) recordSentBulk(ctx context.Context, issueID int64, outcomes []Outcome) error {
	if len(outcomes) == 0 {
		return nil
	}
	args := make([]any, 0, 4*len(outcomes))
	for _, o := range outcomes {
		args = append(args, o.DeliveryID, ms(o.At), o.Code, truncate(o.Reply, 1000))
	}
	values := strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?), ", len(outcomes)), ", ")
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = 'sent', accepted_at = v.at, last_code = v.code,
				last_reply = v.reply, attempts = attempts + 1, lease_owner = '', lease_until = 0,
				first_attempt_at = CASE WHEN first_attempt_at = 0 THEN v.at ELSE first_attempt_at END
			FROM (SELECT column1 AS id, column2 AS at, column3 AS code, column4 AS reply FROM (VALUES `+values+`)) AS v
			WHERE deliveries.id = v.id AND deliveries.status <> 'sent'`, args...)
		if err != nil {
			return err
		}
		_, err = s.finishIfDone(ctx, tx, issueID)
		return err
	})
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
