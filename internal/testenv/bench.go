package testenv

import (
	"os"
	"strconv"
	"testing"
)

// BenchRows is how many rows a large benchmark works on: MASTHEAD_BENCH_ROWS,
// else def.
func BenchRows(b *testing.B, def int) int {
	v := os.Getenv("MASTHEAD_BENCH_ROWS")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("MASTHEAD_BENCH_ROWS=%q: want a positive number of rows", v)
	}
	return n
}
