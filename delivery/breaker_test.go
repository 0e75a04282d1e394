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
