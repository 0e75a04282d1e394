package delivery

import (
	"testing"
	"time"
)

// A failure reported by an attempt that began before the last outage ended is
// a straggler of that outage: it must not begin a new one. A failure of an
// attempt that began afterwards must.
func TestBreakerStragglerOpensNothing(t *testing.T) {
	clock := time.Date(2026, 7, 9, 6, 0, 0, 0, time.UTC)
	b := &breaker{backoff: Backoff{Base: time.Second, Max: time.Second}, now: func() time.Time { return clock }}

	early := clock // an attempt in flight when the server went down
	if _, began := b.trip(clock); !began {
		t.Fatal("first failure: want an outage to begin")
	}
	clock = clock.Add(2 * time.Second) // the breaker has closed again
	if down := b.success(); down != 2*time.Second {
		t.Fatalf("success after the pause: outage of %v, want 2s", down)
	}
	clock = clock.Add(10 * time.Millisecond)
	if pause, began := b.trip(early); began || pause != 0 {
		t.Fatalf("straggler: pause %v, began %v; want neither", pause, began)
	}
	if b.down() != 0 {
		t.Fatal("straggler left the server marked down")
	}
	if pause, began := b.trip(clock); !began || pause <= 0 {
		t.Fatalf("fresh failure: pause %v, began %v; want a new outage", pause, began)
	}
}

// One connection's drops are its own business; drops in a row from several
// connections, with no message through in between, open the breaker.
func TestBreakerOpensOnlyForPersistentDrops(t *testing.T) {
	clock := time.Date(2026, 7, 9, 6, 0, 0, 0, time.UTC)
	b := newBreaker(Backoff{Base: time.Second, Max: time.Second}, func() time.Time { return clock }, 4)
	for range 10 {
		if _, began := b.lost(0, clock); began {
			t.Fatal("drops of one connection opened the breaker")
		}
	}
	b.success()
	for i := range 3 {
		if _, began := b.lost(i, clock); began {
			t.Fatalf("drop %d of 3 opened the breaker", i+1)
		}
	}
	b.success() // a message through starts the count again
	for i := range 3 {
		b.lost(i, clock)
	}
	if pause, began := b.lost(3, clock); !began || pause <= 0 {
		t.Fatalf("four drops in a row on four connections: pause %v, began %v; want an outage", pause, began)
	}
}
