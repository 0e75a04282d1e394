package store

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"masthead/internal/testenv"
	"masthead/ledger"
	"masthead/newsletter"
)

// BenchmarkLocalDelivery measures a send delivered at each reader's local
// time against the same send at once, on SQLite and on PostgreSQL, with
// MASTHEAD_BENCH_ROWS subscribers (default 3,000) spread round-robin over
// 300 IANA zones (the system's zone1970.tab):
//
//   - snapshot: StartSend of an assembled issue, at once and local (the
//     distinct zones, Clock.Next once per zone, the VALUES join);
//   - claims: claims of 256 rows (the engine's batch) until every due row
//     is taken, outcomes recorded 32 at a time between them (not timed); the
//     local send 12 hours after its release, when the zones of UTC+13/+14
//     and UTC to UTC-11 are due and the others wait. Then claims that find
//     nothing (the engine polls so once a second while readers' hours have
//     not come, with FinishIfDone after each): of the local send at its
//     release (every row waiting) and 12 hours later (the due zones sent),
//     against the end of the send at once (every row sent but the last
//     batch, in flight).
//
// Each reports the two paths' figures from the same run and their ratio:
//
//	MASTHEAD_BENCH_ROWS=1000000 MASTHEAD_TEST_POSTGRES=postgres://... \
//	  go test -run '^$' -bench LocalDelivery -benchtime 1x -count 3 -timeout 90m ./store/
//
// The figures are in BENCHMARKS.md.
func BenchmarkLocalDelivery(b *testing.B) {
	rows := testenv.BenchRows(b, 3_000)
	zones := benchZones(b, 300)
	backends := []struct {
		name string
		dsn  func(b *testing.B) string
	}{
		{"sqlite", func(b *testing.B) string { return filepath.Join(b.TempDir(), "m.db") }},
		{"postgres", benchPostgres},
	}
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			f := newLocalBench(b, be.dsn(b), rows, zones)
			b.Run("snapshot", f.snapshot)
			b.Run("claims", f.claims)
		})
	}
}

// benchPostgres is a fresh PostgreSQL database with synchronous_commit off,
// as the store's tests have it: the claims measure the queries, not this
// machine's WAL flush (on this box the flush added 1-2 ms per claim).
func benchPostgres(b *testing.B) string {
	u, err := url.Parse(testenv.Postgres(b))
	if err != nil {
		b.Fatal(err)
	}
	q := u.Query()
	q.Set("synchronous_commit", "off")
	u.RawQuery = q.Encode()
	return u.String()
}

// localRelease is when every benchmarked issue is released: 05:07 UTC, so
// that no zone's clock reads 06:00 at that instant (every offset is a
// multiple of 15 minutes) and nothing of a local send is due yet.
func localRelease() time.Time { return time.Date(2026, 12, 3, 5, 7, 0, 0, time.UTC) }

// localBench is a publication with rows active subscribers over zones, the
// store's clock at localRelease until a benchmark moves it.
type localBench struct {
	sendFixture
	rows int
	day  int // the next issue's day, counted from the fixture's date
	now  time.Time
}

func newLocalBench(b *testing.B, dsn string, rows int, zones []string) *localBench {
	ctx := context.Background()
	s, err := Open(ctx, dsn, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	f := &localBench{sendFixture: sendFixture{s: s}, rows: rows, now: localRelease()}
	s.SetClock(func() time.Time { return f.now })
	f.pubID = f.publication(b, "daily")
	f.exec(b, `UPDATE publications SET local_time = '06:00' WHERE id = ?`, f.pubID)
	start := time.Now()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		const chunk = 10_000
		args := make([]any, 0, 3*chunk)
		for i := 0; i < rows; i += chunk {
			args = args[:0]
			for j := i; j < min(i+chunk, rows); j++ {
				args = append(args, fmt.Sprintf("reader%d@example.net", j), fmt.Sprintf("Reader %d", j), zones[j%len(zones)])
			}
			if err := s.execBulk(ctx, tx, `INSERT INTO subscribers (email, name, status, timezone, created_at, updated_at)`,
				`(?, ?, 'active', ?, 1, 1)`, args, "", nil); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO subscriptions (subscriber_id, publication_id, status, created_at, updated_at)
			SELECT id, ?, 'active', 1, 1 FROM subscribers`), f.pubID)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	s.refreshStats(ctx, "subscribers", "subscriptions")
	b.Logf("%d subscribers over %d zones in %.1fs", rows, len(zones), time.Since(start).Seconds())
	return f
}

// start assembles a new issue and snapshots its audience, delivered as
// deliver says, at localRelease; it returns the issue and how long
// StartSend took.
func (f *localBench) start(b *testing.B, deliver newsletter.Deliver) (int64, time.Duration) {
	ctx := context.Background()
	f.exec(b, `UPDATE publications SET deliver = ? WHERE id = ?`, string(deliver), f.pubID)
	f.now = localRelease()
	f.day++
	iss, err := f.s.AssembleIssue(ctx, f.pubID, newsletter.Date{Year: 2009, Month: 7, Day: 9}.AddDays(f.day),
		func(*newsletter.Issue, newsletter.Numberer) (*newsletter.Issue, error) {
			return &newsletter.Issue{Volume: 3, Number: 153 + f.day, Status: newsletter.Assembled, Subject: "Today",
				HTML: "<p>Hello</p>", Text: "Hello"}, nil
		})
	if err != nil {
		b.Fatal(err)
	}
	t := time.Now()
	res, err := f.s.StartSend(ctx, iss.ID, editorStart, "")
	took := time.Since(t)
	if err != nil || res.Queued != f.rows {
		b.Fatalf("start (%s): %+v, %v; want %d rows", deliver, res, err, f.rows)
	}
	return iss.ID, took
}

// clear drops every issue's rows and the issues, so that the next
// benchmark starts from the subscribers alone.
func (f *localBench) clear(b *testing.B) {
	if _, ok := f.s.dialect.(postgresDialect); ok {
		f.exec(b, `TRUNCATE deliveries`)
	} else {
		f.exec(b, `DELETE FROM deliveries`)
	}
	f.exec(b, `DELETE FROM issues`)
}

func (f *localBench) snapshot(b *testing.B) {
	var once, local time.Duration
	for range b.N {
		_, d := f.start(b, newsletter.DeliverAtOnce)
		once += d
		f.clear(b)
		issueID, d := f.start(b, newsletter.DeliverLocal)
		local += d
		if n := f.scalar(b, `SELECT COUNT(DISTINCT next_attempt_at) FROM deliveries WHERE issue_id = ?`, issueID); n == "1" {
			b.Fatalf("a local send's rows are all due at one instant")
		}
		f.clear(b)
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(once.Seconds()/float64(b.N), "at-once-s")
	b.ReportMetric(local.Seconds()/float64(b.N), "local-s")
	b.ReportMetric(local.Seconds()/once.Seconds(), "local/at-once")
}

// claimAll claims an issue's due rows 256 at a time (the engine's batch)
// until a claim finds none, recording each batch sent (not timed) once the
// next claim has returned, so that one batch is in flight during a claim as
// in the engine. It returns the rows and claims made, the time spent in
// Claim, and the last batch, still in flight.
func (f *localBench) claimAll(b *testing.B, issueID int64) (rows, claims int, took time.Duration, held []*ledger.Delivery) {
	ctx := context.Background()
	for {
		t := time.Now()
		got, err := f.s.Claim(ctx, issueID, "bench", "", 256, time.Minute)
		took += time.Since(t)
		claims++
		if err != nil {
			b.Fatal(err)
		}
		if len(got) == 0 {
			return rows, claims, took, held
		}
		rows += len(got)
		f.record(b, held)
		held = got
	}
}

// record records rows sent, 32 outcomes per transaction (the engine's batch).
func (f *localBench) record(b *testing.B, rows []*ledger.Delivery) {
	batch := make([]ledger.Outcome, 0, 32)
	for i, d := range rows {
		batch = append(batch, ledger.Outcome{DeliveryID: d.ID, Owner: "bench", Kind: ledger.OutcomeSent, At: f.now, Code: 250, Reply: "250 2.0.0 Ok"})
		if len(batch) == cap(batch) || i == len(rows)-1 {
			if err := f.s.Record(context.Background(), batch, ledger.BouncePolicy{}); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
}

// idleClaims is how many claims that find nothing idle times.
const idleClaims = 200

// idle times the engine's round when a claim finds nothing: the claim, then
// FinishIfDone. It returns the mean of each.
func (f *localBench) idle(b *testing.B, issueID int64) (claim, finish time.Duration) {
	ctx := context.Background()
	for range idleClaims {
		t := time.Now()
		got, err := f.s.Claim(ctx, issueID, "bench", "", 256, time.Minute)
		claim += time.Since(t)
		if err != nil || len(got) != 0 {
			b.Fatalf("idle claim: %d rows, %v", len(got), err)
		}
		t = time.Now()
		done, err := f.s.FinishIfDone(ctx, issueID)
		finish += time.Since(t)
		if err != nil || done {
			b.Fatalf("idle finish check: %v, %v", done, err)
		}
	}
	return claim / idleClaims, finish / idleClaims
}

// claims measures, for a send at once and a local one: the claims that take
// every due row; and claims that find nothing: at once, when every row is
// sent but the last batch, in flight; local, at the release, every row
// waiting, and 12 hours later, when the due zones are sent and the others
// wait.
func (f *localBench) claims(b *testing.B) {
	var once, local, onceIdle, onceFinish, waitIdle, waitFinish, halfIdle, halfFinish time.Duration
	var onceClaims, localClaims int
	for range b.N {
		issueID, _ := f.start(b, newsletter.DeliverAtOnce)
		n, c, d, held := f.claimAll(b, issueID)
		if n != f.rows || len(held) == 0 {
			b.Fatalf("at once: claimed %d rows (%d in flight), want %d", n, len(held), f.rows)
		}
		once, onceClaims = once+d, onceClaims+c
		ci, fi := f.idle(b, issueID)
		onceIdle, onceFinish = onceIdle+ci, onceFinish+fi
		f.record(b, held)
		f.clear(b)

		issueID, _ = f.start(b, newsletter.DeliverLocal)
		ci, fi = f.idle(b, issueID)
		waitIdle, waitFinish = waitIdle+ci, waitFinish+fi
		f.now = localRelease().Add(12 * time.Hour)
		due := f.scalar(b, `SELECT COUNT(*) FROM deliveries WHERE issue_id = ? AND next_attempt_at <= ?`, issueID, ms(f.now))
		n, c, d, held = f.claimAll(b, issueID)
		if fmt.Sprint(n) != due || n == 0 || n == f.rows {
			b.Fatalf("local: claimed %d rows, want the %s due of %d", n, due, f.rows)
		}
		local, localClaims = local+d, localClaims+c
		ci, fi = f.idle(b, issueID)
		halfIdle, halfFinish = halfIdle+ci, halfFinish+fi
		f.record(b, held)
		b.ReportMetric(float64(n)/float64(f.rows), "due-share")
		f.clear(b)
	}
	us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 / float64(b.N) }
	perOnce := float64(once.Nanoseconds()) / 1e3 / float64(onceClaims)
	perLocal := float64(local.Nanoseconds()) / 1e3 / float64(localClaims)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(perOnce, "at-once-µs/claim")
	b.ReportMetric(perLocal, "local-µs/claim")
	b.ReportMetric(perLocal/perOnce, "local/at-once")
	b.ReportMetric(us(onceIdle), "at-once-idle-µs/claim")
	b.ReportMetric(us(waitIdle), "waiting-idle-µs/claim")
	b.ReportMetric(us(halfIdle), "half-sent-idle-µs/claim")
	b.ReportMetric(us(onceFinish), "at-once-µs/finish")
	b.ReportMetric(us(waitFinish), "waiting-µs/finish")
	b.ReportMetric(us(halfFinish), "half-sent-µs/finish")
}

// benchZones returns n of the system's IANA zones (zone1970.tab), evenly
// spaced over the sorted list: the same n zones on every run.
func benchZones(b testing.TB, n int) []string {
	dir := os.Getenv("ZONEINFO")
	if dir == "" {
		dir = "/usr/share/zoneinfo"
	}
	file, err := os.Open(filepath.Join(dir, "zone1970.tab"))
	if err != nil {
		b.Skipf("no zone list: %v", err)
	}
	defer file.Close()
	var all []string
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) < 3 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		if _, err := time.LoadLocation(fields[2]); err == nil {
			all = append(all, fields[2])
		}
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	if len(all) < n {
		b.Skipf("%d zones in %s, want %d", len(all), dir, n)
	}
	slices.Sort(all)
	zones := make([]string, n)
	for i := range zones {
		zones[i] = all[i*len(all)/n]
	}
	return zones
}
