package delivery

import (
	"context"
	"sync"
	"time"
)

// breaker pauses every worker of a send while the server is down or says 421,
// so that an outage costs one probe per backoff step instead of an attempt
// per row. It opens on a trip and lets workers through again after the
// delay; each trip while the server has not yet recovered doubles the delay.
//
// A connection that breaks mid-conversation is that connection's business:
// its worker reconnects and the others go on. Only drops that persist across
// connections (dropLimit in a row, from at least two connections when there
// are several, with no message getting through in between) count as a trip.
type breaker struct {
	backoff   Backoff
	now       func() time.Time
	dropLimit int // drops in a row that make a trip
	dropConns int // distinct connections they must come from

	drops   int          // connections lost in a row since the last success
	dropped map[int]bool // which connections they were

	mu    sync.Mutex
	until time.Time // closed again at this time
	trips int       // consecutive trips without a success
	since time.Time // first trip of the current outage
	ended time.Time // when the last outage ended
}

// trip opens the breaker for a failure of an attempt that began at started,
// unless it is already open (several workers see the same outage at once:
// that is one trip). A failure of an attempt that began before the last
// outage ended belongs to that outage, and a message has got through since:
// it opens nothing. trip returns how long the breaker stays open, and whether
// this trip began an outage (the server was taken for up).
func (b *breaker) trip(started time.Time) (time.Duration, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	if now.Before(b.until) {
		return b.until.Sub(now), false
	}
	if b.trips == 0 && started.Before(b.ended) {
		return 0, false
	}
	began := b.trips == 0
	if began {
		b.since = now
	}
	b.trips++
	d := b.backoff.Delay(b.trips)
	b.until = now.Add(d)
	return d, began
}

// newBreaker makes the breaker of a send over connections connections.
func newBreaker(backoff Backoff, now func() time.Time, connections int) *breaker {
	return &breaker{backoff: backoff, now: now, dropLimit: max(3, connections), dropConns: min(2, connections),
		dropped: map[int]bool{}}
}

// lost notes that connection conn broke (or timed out) during an attempt
// that began at started. It trips the breaker, as trip does, only when drops
// persist across connections; otherwise it returns 0, false.
func (b *breaker) lost(conn int, started time.Time) (time.Duration, bool) {
	b.mu.Lock()
	b.drops++
	b.dropped[conn] = true
	persist := b.drops >= b.dropLimit && len(b.dropped) >= b.dropConns
	if persist {
		b.drops = 0
		clear(b.dropped)
	}
	b.mu.Unlock()
	if !persist {
		return 0, false
	}
	return b.trip(started)
}

// success closes the breaker for good after a message got through. It
// returns how long the outage it ends lasted (0: there was none).
func (b *breaker) success() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.drops > 0 {
		b.drops = 0
		clear(b.dropped)
	}
	now := b.now()
	if b.trips != 0 && !now.Before(b.until) {
		down := now.Sub(b.since)
		b.trips, b.since, b.ended = 0, time.Time{}, now
		return max(down, time.Nanosecond)
	}
	return 0
}

// down is how long the server has been failing (0 if it is not).
func (b *breaker) down() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.trips == 0 {
		return 0
	}
	return b.now().Sub(b.since)
}

// wait blocks while the breaker is open.
func (b *breaker) wait(ctx context.Context) error {
	for {
		b.mu.Lock()
		d := b.until.Sub(b.now())
		b.mu.Unlock()
		if d <= 0 {
			return nil
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
