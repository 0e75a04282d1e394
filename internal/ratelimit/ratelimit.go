// Package ratelimit is in charge of rate limits that hold across processes: a
// limit of 100 messages a second is 100 a second in total, however many
// masthead processes send from one database. Each process reserves send slots
// from a row in the database (store.ReserveRate) a few at a time and spaces
// its sends over them, so the database is asked about once per Chunk messages,
// not once per message.
package ratelimit

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"
)

// Reserver hands out slots of a shared limit (*store.Store is one).
type Reserver interface {
	ReserveRate(ctx context.Context, name string, n int, every time.Duration, burst int) (time.Time, error)
}

// chunkSpan is how much of the limit's time one reservation covers: short
// enough that a process stopping wastes little, long enough that the
// database sees ~20 reservations a second per process at most.
const chunkSpan = 50 * time.Millisecond

// Shared is one limit shared with every process of the database. It is safe
// for concurrent use; Wait is what delivery's workers call before each send.
type Shared struct {
	r     Reserver
	name  string
	every time.Duration
	burst int
	chunk int
	// grace is how late a reserved slot may still be used. A slot older than
	// that is dropped, so that a process that fell behind its reservation
	// cannot send a late batch on top of other processes' slots.
	grace time.Duration
	now   func() time.Time

	mu   sync.Mutex
	next time.Time // this process's next reserved slot
	left int       // slots left from next on
}

// New returns the shared limit called name (e.g. "global", "domain:gmail.com")
// of perSecond messages a second, of which up to burst may be saved up.
func New(r Reserver, name string, perSecond float64, burst int) (*Shared, error) {
	if perSecond <= 0 || math.IsInf(perSecond, 0) || math.IsNaN(perSecond) {
		return nil, fmt.Errorf("rate limit %s: %v per second", name, perSecond)
	}
	every := time.Duration(float64(time.Second) / perSecond)
	if every < time.Microsecond {
		every = time.Microsecond
	}
	chunk := int(chunkSpan / every)
	chunk = min(max(chunk, 1), 256)
	return &Shared{r: r, name: name, every: every, burst: max(burst, 1), chunk: chunk,
		grace: max(time.Duration(chunk)*every, every), now: time.Now}, nil
}

// Chunk is how many slots one reservation takes.
func (l *Shared) Chunk() int { return l.chunk }

// Wait blocks until this process may send one message under the limit, or
// ctx is done.
func (l *Shared) Wait(ctx context.Context) error {
	slot, err := l.take(ctx)
	if err != nil {
		return err
	}
	d := slot.Sub(l.now())
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// take returns the time of this process's next slot, reserving more when
// none is left (or what is left has gone stale).
func (l *Shared) take(ctx context.Context) (time.Time, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.left > 0 {
		if stale := l.now().Add(-l.grace); l.next.Before(stale) {
			// Skip the slots that have gone by.
			skip := min(int(stale.Sub(l.next)/l.every)+1, l.left)
			l.next = l.next.Add(time.Duration(skip) * l.every)
			l.left -= skip
		}
	}
	if l.left == 0 {
		start, err := l.r.ReserveRate(ctx, l.name, l.chunk, l.every, l.burst)
		if err != nil {
			return time.Time{}, err
		}
		l.next, l.left = start, l.chunk
	}
	slot := l.next
	l.next = l.next.Add(l.every)
	l.left--
	return slot, nil
}
