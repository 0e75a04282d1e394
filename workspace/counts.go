package workspace

import (
	"context"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"masthead/ledger"
)

// Counting an issue's ledger reads an index entry per row: about 90 ms for a
// million recipients on a small machine (BenchmarkCounts in store). The admin's progress view polls once
// a second per open page, so a count that took longer than slowCount is reused
// for costFactor times as long as it took, and watchers who ask while a count
// is running share it: however many pages watch, polling then costs at most a
// fifth of a core, and the figures lag by a few seconds only on lists that
// large. Quick counts (most lists) are always fresh.
const (
	slowCount  = 20 * time.Millisecond
	costFactor = 5
)

// countsCache holds the slow counts of the issues being watched.
type countsCache struct {
	count func(ctx context.Context, issueID int64) (ledger.DeliveryCounts, error)
	clock func() time.Time // the real clock: this is about the database's work

	flight singleflight.Group
	mu     sync.Mutex
	m      map[int64]cachedCounts
}

// cachedCounts are counts and when they were taken.
type cachedCounts struct {
	c     ledger.DeliveryCounts
	at    time.Time // when the count finished
	until time.Time // reused until then
}

// get returns the issue's counts and when they were taken: from the cache
// while a slow count is recent, else from a count (one at a time per issue).
func (cc *countsCache) get(ctx context.Context, issueID int64) (ledger.DeliveryCounts, time.Time, error) {
	now := cc.clock()
	cc.mu.Lock()
	if e, ok := cc.m[issueID]; ok && now.Before(e.until) {
		cc.mu.Unlock()
		return e.c, e.at, nil
	}
	cc.mu.Unlock()
	v, err, _ := cc.flight.Do(strconv.FormatInt(issueID, 10), func() (any, error) {
		began := cc.clock()
		// Shared by every watcher waiting: not cancelled with the first one.
		c, err := cc.count(context.WithoutCancel(ctx), issueID)
		if err != nil {
			return nil, err
		}
		end := cc.clock()
		e := cachedCounts{c: c, at: end, until: end.Add(costFactor * end.Sub(began))}
		cc.mu.Lock()
		defer cc.mu.Unlock()
		for id, old := range cc.m {
			if !end.Before(old.until) {
				delete(cc.m, id)
			}
		}
		if end.Sub(began) > slowCount {
			if cc.m == nil {
				cc.m = map[int64]cachedCounts{}
			}
			cc.m[issueID] = e
		}
		return e, nil
	})
	if err != nil {
		return ledger.DeliveryCounts{}, time.Time{}, err
	}
	e := v.(cachedCounts)
	return e.c, e.at, nil
}
