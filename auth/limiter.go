package auth

import (
	"context"
	"slices"
	"sync"
	"time"
)

// LoginLimits are the rules for failed logins (see the package comment for
// why they are these). Zero fields take the defaults.
type LoginLimits struct {
	// PerClientAccount failures from one client on one account refuse that
	// client further tries on it; 0: 5.
	PerClientAccount int
	// PerClient failures from one client on any accounts refuse it further
	// tries on every account (password spraying); 0: 30.
	PerClient int
	// SlowAccount failures on one account from anywhere make every later try
	// on it wait before the password is checked; 0: 10. Never a refusal, so
	// no one elsewhere can lock the owner out.
	SlowAccount int
	// Delay is the wait per failure beyond SlowAccount, up to MaxDelay;
	// 0: 1 s and 10 s.
	Delay, MaxDelay time.Duration
	// Window is how far back failures count; 0: 15 minutes.
	Window time.Duration
}

func (l *LoginLimits) defaults() {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.PerClientAccount, 5)
	def(&l.PerClient, 30)
	def(&l.SlowAccount, 10)
	if l.Delay <= 0 {
		l.Delay = time.Second
	}
	if l.MaxDelay <= 0 {
		l.MaxDelay = 10 * time.Second
	}
	if l.Window <= 0 {
		l.Window = 15 * time.Minute
	}
}

// delay is the wait before checking a password of an account that failed n
// times within the window.
func (l *LoginLimits) delay(n int) time.Duration {
	if n < l.SlowAccount {
		return 0
	}
	return min(time.Duration(n-l.SlowAccount+1)*l.Delay, l.MaxDelay)
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// limiter counts failed logins per key (a client, a client and account pair,
// an account) in a sliding window. It is in memory: a restart forgives, which
// is acceptable for a rate limit.
type limiter struct {
	window time.Duration
	now    func() time.Time

	mu   sync.Mutex
	fail map[string][]time.Time
}

func newLimiter(window time.Duration, now func() time.Time) *limiter {
	return &limiter{window: window, now: now, fail: map[string][]time.Time{}}
}

// maxKeys bounds the limiter's memory; beyond it, the keys whose last failure
// is oldest go first.
const maxKeys = 50000

// count is the key's failures within the window.
func (l *limiter) count(key string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recent(key))
}

// failed records a failure for each key.
func (l *limiter) failed(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.fail)+len(keys) > maxKeys {
		l.prune()
	}
	now := l.now()
	for _, k := range keys {
		l.fail[k] = append(l.recent(k), now)
	}
}

// reset forgets a key's failures.
func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fail, key)
}

// recent drops the key's failures that left the window and returns the rest.
func (l *limiter) recent(k string) []time.Time {
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

// prune removes keys with no recent failures and, if that is not enough, the
// half whose last failure is oldest (never all: flooding the limiter with new
// keys must not wipe the counts of an attack in progress).
func (l *limiter) prune() {
	for k := range l.fail {
		l.recent(k)
	}
	if len(l.fail) < maxKeys/2 {
		return
	}
	type entry struct {
		key  string
		last time.Time
	}
	all := make([]entry, 0, len(l.fail))
	for k, v := range l.fail {
		all = append(all, entry{k, v[len(v)-1]})
	}
	slices.SortFunc(all, func(a, b entry) int { return a.last.Compare(b.last) })
	for _, e := range all[:len(all)-maxKeys/2] {
		delete(l.fail, e.key)
	}
}
