package feeds

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Errors a fetch reports, to tell apart with errors.Is. The error returned
// wraps one of them with the details (the URL, the limit, the chain of
// redirects) in words an editor can act on.
var (
	// ErrTooLarge: the body is larger than Options.MaxBytes.
	ErrTooLarge = errors.New("feed is too large")
	// ErrTooManyRedirects: more than Options.MaxRedirects redirects.
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrRedirectLoop: a redirect leads back to an address already visited.
	ErrRedirectLoop = errors.New("redirect loop")
	// ErrScheme: the URL (or a redirect) is not http or https.
	ErrScheme = errors.New("only http and https feeds are fetched")
	// ErrAddress: the host resolves to an address the fetcher refuses
	// (loopback or private without Options.AllowPrivate; link-local,
	// multicast or unspecified always).
	ErrAddress = errors.New("address refused")
	// ErrPrivateAddress: an ErrAddress that Options.AllowPrivate lifts (a
	// loopback or private address); errors.Is(err, ErrAddress) holds too.
	ErrPrivateAddress = errors.New("private address refused")
	// ErrNotFeed: the body is not RSS, Atom or JSON Feed.
	ErrNotFeed = errors.New("not a feed")
)

// StatusError is an HTTP answer other than 200 or 304.
type StatusError struct {
	Code   int    // e.g. 500
	Status string // e.g. "500 Internal Server Error"
	// RetryAfter is the wait the server asked for with Retry-After (on 429
	// or 503), zero when it asked for none. A caller may wait the longer of
	// it and NextPoll.
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	msg := "the server answered " + e.Status
	if e.Status == "" {
		msg = fmt.Sprintf("the server answered %d %s", e.Code, http.StatusText(e.Code))
	}
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(" (retry after %s)", e.RetryAfter.Round(time.Second))
	}
	return msg
}

// Temporary reports whether the failure may pass by itself (a 408, 429 or
// 5xx), as opposed to one an editor must fix (404, 401, 410 ...).
func (e *StatusError) Temporary() bool {
	return e.Code == http.StatusRequestTimeout || e.Code == http.StatusTooManyRequests || e.Code >= 500
}
