package workspace

import (
	"context"
	"sync"
	"time"

	"masthead/store"
)

// Counting an issue's ledger reads every row of it: about 0.4 s for a
// million recipients on a small machine. The admin's progress view polls once
// a second per open page, so a count that took longer than slowCount is reused
// for costFactor times as long as it took: polling then costs at most a fifth
// of a core whatever the list's size, and the figures lag by a few seconds
// only on lists that large. Quick counts (most lists) are always fresh.
const (
	slowCount  = 20 * time.Millisecond
	costFactor = 5
)

// countsCache holds the slow counts of the issues being watched.
type countsCache struct {
	count func(ctx context.Context, issueID int64) (store.DeliveryCounts, error)
	clock func() time.Time // the real clock: this is about the database's work

	mu sync.Mutex
	m  map[int64]cachedCounts
}

type cachedCounts struct {
	c     store.DeliveryCounts
	until time.Time
}

// get returns the issue's counts, from the cache while a slow count is recent.
func (cc *countsCache) get(ctx context.Context, issueID int64) (store.DeliveryCounts, error) {
	now := cc.clock()
	cc.mu.Lock()
	if e, ok := cc.m[issueID]; ok && now.Before(e.until) {
		cc.mu.Unlock()
		return e.c, nil
	}
	cc.mu.Unlock()
	c, err := cc.count(ctx, issueID)
	if err != nil {
		return c, err
	}
	end := cc.clock()
	took := end.Sub(now)
	cc.mu.Lock()
	defer cc.mu.Unlock()
	for id, e := range cc.m {
		if !end.Before(e.until) {
			delete(cc.m, id)
		}
	}
	if took > slowCount {
		if cc.m == nil {
			cc.m = map[int64]cachedCounts{}
		}
		cc.m[issueID] = cachedCounts{c: c, until: end.Add(costFactor * took)}
	}
	return c, nil
}
