package store

import (
	"context"
	"fmt"
	"time"
)

// ReserveRate takes the next n send slots of the named rate limit, one every
// `every`, and returns the time of the first: the caller may send its i-th
// message at start + i×every. The slots live in one row that every process of
// the database shares (rate_limits), so a limit holds across all of them: a
// generic cell rate algorithm where the row keeps the next free slot. Up to
// burst−1 slots not taken in the past may be taken late (burst ≤ 1: none).
// Slots a process reserves and does not use are lost, never given twice: a
// limit may be undershot, not exceeded.
func (s *Store) ReserveRate(ctx context.Context, name string, n int, every time.Duration, burst int) (time.Time, error) {
	if n < 1 || every <= 0 {
		return time.Time{}, fmt.Errorf("reserve rate %s: %d slots every %v", name, n, every)
	}
	step := every.Microseconds()
	if step < 1 {
		step = 1
	}
	floor := s.now().UnixMicro() - int64(max(burst-1, 0))*step
	take := int64(n) * step
	var next int64
	err := s.db.QueryRowContext(ctx, s.q(`INSERT INTO rate_limits (name, next_at) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET next_at =
			CASE WHEN rate_limits.next_at > ? THEN rate_limits.next_at ELSE ? END + ?
		RETURNING next_at`), name, floor+take, floor, floor, take).Scan(&next)
	if err != nil {
		return time.Time{}, fmt.Errorf("reserve rate %s: %w", name, err)
	}
	return time.UnixMicro(next - take), nil
}
