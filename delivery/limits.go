package delivery

import (
	"context"
	"strings"

	"golang.org/x/time/rate"
)

// limits are the send's rate limits: one for every message, and one per
// recipient domain where configured (providers such as SES answer a burst
// over quota with 454). They are token buckets shared by all workers.
type limits struct {
	global  Waiter            // nil: unlimited
	domains map[string]Waiter // by lower-case domain
}

// Waiter is one rate limit: Wait blocks until one message may go. A
// *rate.Limiter is one; so is a limit shared by every process of the database
// (internal/ratelimit), which Config.SharedLimit makes.
type Waiter interface {
	Wait(ctx context.Context) error
}

// newLimits makes the limits; with shared, they hold across processes
// (names "global" and "domain:"+domain), otherwise each is a local bucket.
func newLimits(perSecond float64, burst int, domains map[string]float64,
	shared func(name string, perSecond float64, burst int) Waiter) *limits {
	l := &limits{domains: map[string]Waiter{}}
	if burst < 1 {
		burst = 1
	}
	limit := func(_ string, r float64, b int) Waiter { return rate.NewLimiter(rate.Limit(r), b) }
	if shared != nil {
		limit = shared
	}
	if perSecond > 0 {
		l.global = limit("global", perSecond, burst)
	}
	for d, r := range domains {
		if r > 0 {
			d = strings.ToLower(d)
			l.domains[d] = limit("domain:"+d, r, 1)
		}
	}
	return l
}

// wait blocks until a message to addr may go. The domain's bucket is taken
// first, so that a worker held by a slow domain does not sit on a global token.
func (l *limits) wait(ctx context.Context, addr string) error {
	if len(l.domains) > 0 {
		domain := strings.ToLower(addr[strings.LastIndexByte(addr, '@')+1:])
		if lim := l.domains[domain]; lim != nil {
			if err := lim.Wait(ctx); err != nil {
				return err
			}
		}
	}
	if l.global != nil {
		return l.global.Wait(ctx)
	}
	return nil
}
