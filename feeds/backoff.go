package feeds

import "time"

// MaxBackoff is the longest wait NextPoll puts between two attempts at a
// failing feed (unless the feed's own interval is longer).
const MaxBackoff = 24 * time.Hour

// NextPoll is when a feed should be fetched next, given the time of its last
// attempt, the number of attempts in a row that failed since its last
// success (0 after a success), and its polling interval.
//
// After a success or a first failure the feed waits its interval, so one
// bad answer costs nothing; each further failure doubles the wait (interval
// × 2^(failures−1)) up to MaxBackoff. It is a pure function: the caller keeps
// the last attempt and the failure count with the feed, and a restart
// resumes the same backoff.
func NextPoll(last time.Time, failures int, interval time.Duration) time.Time {
	if interval <= 0 {
		interval = time.Minute
	}
	limit := max(MaxBackoff, interval)
	wait := interval
	for i := 1; i < failures && wait < limit; i++ {
		wait *= 2
	}
	return last.Add(min(wait, limit))
}
