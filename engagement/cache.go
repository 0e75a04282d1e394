package engagement

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// Cache keeps the link tables of recently clicked issues in memory, so that
// a click costs a map look-up rather than a query: after a send nearly every
// click is on one or two issues. A table is kept for at most ttl, so that a
// publication's change of per-subscriber figures reaches the redirect within
// that time; errors are not kept. It is safe for concurrent use.
type Cache struct {
	store LinkStore
	size  int
	ttl   time.Duration
	now   func() time.Time

	mu    sync.Mutex
	order *list.List // of *cacheEntry, most recently used first
	byID  map[int64]*list.Element
}

type cacheEntry struct {
	id      int64
	links   *IssueLinks
	fetched time.Time
}

// NewCache returns a Cache of at most size issues (at least 1) in front of
// store.
func NewCache(store LinkStore, size int, ttl time.Duration) *Cache {
	return &Cache{store: store, size: max(size, 1), ttl: ttl, now: time.Now,
		order: list.New(), byID: map[int64]*list.Element{}}
}

// IssueLinks returns the table of an issue from memory or from the store.
// Two clicks that miss at once may both ask the store; that is harmless.
func (c *Cache) IssueLinks(ctx context.Context, issueID int64) (*IssueLinks, error) {
	now := c.now()
	c.mu.Lock()
	if el, ok := c.byID[issueID]; ok {
		e := el.Value.(*cacheEntry)
		if now.Sub(e.fetched) < c.ttl {
			c.order.MoveToFront(el)
			c.mu.Unlock()
			return e.links, nil
		}
		c.order.Remove(el)
		delete(c.byID, issueID)
	}
	c.mu.Unlock()

	t, err := c.store.IssueLinks(ctx, issueID)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byID[issueID]; ok { // filled meanwhile
		c.order.Remove(el)
	}
	c.byID[issueID] = c.order.PushFront(&cacheEntry{id: issueID, links: t, fetched: now})
	for c.order.Len() > c.size {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.byID, last.Value.(*cacheEntry).id)
	}
	return t, nil
}

var _ LinkStore = (*Cache)(nil)
