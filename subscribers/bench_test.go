package subscribers_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"masthead/internal/testenv"
	"masthead/store"
	"masthead/subscribers"
)

// BenchmarkImport imports a generated CSV of MASTHEAD_BENCH_ROWS rows (default
// 1,000,000) into a fresh SQLite database and reports seconds and the peak
// resident memory of the process (VmHWM). It is a benchmark, so the normal test
// run skips it:
//
//	go test ./subscribers -run '^$' -bench BenchmarkImport -benchtime 1x
//
// (MASTHEAD_BENCH_DB=postgres://... runs it against PostgreSQL instead.)
func BenchmarkImport(b *testing.B) {
	rows := testenv.BenchRows(b, 1_000_000)
	dir := b.TempDir()
	csvPath := filepath.Join(dir, "subscribers.csv")
	if err := writeBenchCSV(csvPath, rows); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		dsn := os.Getenv("MASTHEAD_BENCH_DB")
		if dsn == "" {
			dsn = filepath.Join(dir, fmt.Sprintf("bench%d.db", i))
		}
		st, err := store.Open(ctx, dsn, nil)
		if err != nil {
			b.Fatal(err)
		}
		p := publication(b, st, fmt.Sprintf("daily%d", i))
		f, err := os.Open(csvPath)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		sink, err := st.BeginImport(ctx, p.ID)
		if err != nil {
			b.Fatal(err)
		}
		rep, err := (&subscribers.Importer{}).Import(ctx, f, sink)
		if err != nil {
			b.Fatal(err)
		}
		sink.Close()
		secs := time.Since(start).Seconds()
		f.Close()
		st.Close()
		if rep.Added != rows {
			b.Fatalf("added %d of %d rows: %+v", rep.Added, rows, rep.Problems)
		}
		b.ReportMetric(secs, "s/import")
		b.ReportMetric(float64(rows)/secs, "rows/s")
		b.ReportMetric(float64(peakRSS())/(1<<20), "peak-RSS-MiB")
	}
}

// writeBenchCSV writes n rows in the shape of a real list: an address, a
// name, and a column the importer ignores, in random order.
func writeBenchCSV(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	fmt.Fprintln(w, "email,name,source")
	for i := range n {
		// Addresses in no particular order, as real lists are (7919 is a prime
		// that does not divide n for the sizes used here, so this visits every k).
		k := i * 7919 % n
		if n%7919 == 0 {
			k = i
		}
		fmt.Fprintf(w, "reader.%07d@example%d.org,Reader Number %d,web\n", k, k%97, k)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// peakRSS reads the process's peak resident set size (VmHWM) in bytes; 0 where
// /proc is not available.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
