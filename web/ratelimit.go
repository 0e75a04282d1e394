package web

import (
	"net/http"
	"sync"
	"time"

	"masthead/web/httpauth"
)

// limiter counts events per key in fixed windows: at most max per window.
// It forgets a key once its window is over, so its memory is bounded by the
// keys seen in one window.
type limiter struct {
	max    int
	window time.Duration

	mu     sync.Mutex
	counts map[string]*window
	swept  time.Time
}

type window struct {
	start time.Time
	n     int
}

func newLimiter(max int, w time.Duration) *limiter {
	return &limiter{max: max, window: w, counts: map[string]*window{}}
}

// allow counts one event for key at now and reports whether it is within the limit.
func (l *limiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > l.window {
		for k, c := range l.counts {
			if now.Sub(c.start) >= l.window {
				delete(l.counts, k)
			}
		}
		l.swept = now
	}
	c := l.counts[key]
	if c == nil || now.Sub(c.start) >= l.window {
		c = &window{start: now}
		l.counts[key] = c
	}
	c.n++
	return c.n <= l.max
}

// clientIP is the address a request came from, as a rate-limit key: the same
// rule as the admin's login limits (httpauth.ClientIP).
func (s *Server) clientIP(r *http.Request) string { return httpauth.ClientIP(r, s.trustProxy) }
