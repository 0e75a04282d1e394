package auth

import (
	"sync"
	"time"
)

// Limiter counts failed logins per key (the client address, the account
// address) in a sliding window and refuses a key after too many. It is in
// memory: a restart forgives, which is acceptable for a rate limit.
type Limiter struct {
	max    int           // failures allowed within window
	window time.Duration // how far back failures count
	now    func() time.Time

	mu   sync.Mutex
	fail map[string][]time.Time
}

// NewLimiter allows max failures per key within window.
func NewLimiter(max int, window time.Duration) *Limiter {
	return &Limiter{max: max, window: window, now: time.Now, fail: map[string][]time.Time{}}
}

// maxKeys bounds the limiter's memory; beyond it, the oldest entries go first.
const maxKeys = 10000

// Allowed reports whether every key may try again now.
func (l *Limiter) Allowed(keys ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if len(l.recent(k)) >= l.max {
			return false
		}
	}
	return true
}

// Failed records a failure for each key.
func (l *Limiter) Failed(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.fail) >= maxKeys {
		l.prune()
	}
	now := l.now()
	for _, k := range keys {
		l.fail[k] = append(l.recent(k), now)
	}
}

// Reset forgets a key's failures (after a successful login).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fail, key)
}

// recent drops the key's failures that left the window and returns the rest.
func (l *Limiter) recent(k string) []time.Time {
	list := l.fail[k]
	cut := l.now().Add(-l.window)
	i := 0
	for i < len(list) && !list[i].After(cut) {
		i++
	}
	if i == len(list) {
		delete(l.fail, k)
		return nil
	}
	list = list[i:]
	l.fail[k] = list
	return list
}

// prune removes keys with no recent failures, and all keys if that is not enough.
func (l *Limiter) prune() {
	for k := range l.fail {
		l.recent(k)
	}
	if len(l.fail) >= maxKeys {
		clear(l.fail)
	}
}
