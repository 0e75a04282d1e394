package feeds

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Defaults of Options. A newsroom's feed of 50 full articles is a few
// hundred kilobytes; 10 MB leaves room for a big one and bounds a runaway.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultMaxBytes     = 10 << 20
	DefaultMaxRedirects = 5
	DefaultUserAgent    = "masthead (newsletter feed reader)"
)

// Options bound a Fetcher. A zero field takes its default.
type Options struct {
	// Timeout bounds a whole fetch, from connecting to the last byte of the
	// body, redirects included.
	Timeout time.Duration
	// MaxBytes is the largest body read (after any gzip decoding). A larger
	// one is refused with ErrTooLarge, unread when the server announces its
	// length.
	MaxBytes int64
	// MaxRedirects is the number of redirects followed; -1 follows none.
	MaxRedirects int
	// UserAgent names masthead to the newsroom's server; a caller may add
	// its public address ("masthead (+https://news.example/)").
	UserAgent string
	// AllowPrivate lets the fetcher connect to loopback and private
	// addresses (an intranet CMS, a feed on the same machine, tests). Off by
	// default: an editor's account should not be able to make the server
	// probe its own network. Link-local (cloud metadata), multicast and
	// unspecified addresses are refused even then.
	AllowPrivate bool
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxRedirects == 0 {
		o.MaxRedirects = DefaultMaxRedirects
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	return o
}

// Fetcher fetches feeds within the bounds of its Options. It is safe for
// concurrent use and reuses connections; make one and share it.
type Fetcher struct {
	client *http.Client
	opts   Options
	log    *slog.Logger
}

// NewFetcher returns a Fetcher bounded by opts that logs each fetch at debug
// level on log (nil logs nothing).
func NewFetcher(opts Options, log *slog.Logger) *Fetcher {
	opts = opts.withDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	dialer := &net.Dialer{
		Timeout:   10 * time.Second,
		KeepAlive: 30 * time.Second,
		Control:   dialControl(opts.AllowPrivate),
	}
	transport := &http.Transport{
		// No proxy: the address check must see the feed's own address.
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  opts.Timeout,
		MaxIdleConns:           16,
		MaxIdleConnsPerHost:    2,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	f := &Fetcher{opts: opts, log: log}
	f.client = &http.Client{
		Transport:     transport,
		Timeout:       opts.Timeout,
		CheckRedirect: f.checkRedirect,
	}
	return f
}

// Close closes the idle connections the fetcher keeps.
func (f *Fetcher) Close() { f.client.CloseIdleConnections() }

// Request is one fetch of a feed: its address and the validators kept from
// the previous answer, which make it a conditional GET.
type Request struct {
	URL          string
	ETag         string // the last answer's ETag, verbatim
	LastModified string // the last answer's Last-Modified, verbatim
}

// Response is a feed's answer.
type Response struct {
	// URL is where the body came from after redirects: the base of the
	// feed's relative links.
	URL string
	// NotModified is true for a 304: the feed is as it was and Body is nil.
	NotModified bool
	Body        []byte
	// ETag and LastModified are the validators to send next time (those of
	// the request when a 304 carried none).
	ETag         string
	LastModified string
}

// Fetch GETs the feed at req.URL. Any answer but 200 or 304 is an error: a
// *StatusError, or one that wraps ErrTooLarge, ErrTooManyRedirects,
// ErrRedirectLoop, ErrScheme or ErrAddress, or a network error or timeout.
// The error text names the URL without its password and says what went
// wrong; it is meant for the editor's list of feeds.
func (f *Fetcher) Fetch(ctx context.Context, req Request) (*Response, error) {
	u, err := url.Parse(strings.TrimSpace(req.URL))
	if err != nil {
		return nil, fmt.Errorf("feed URL %q: %v", req.URL, err)
	}
	shown := u.Redacted()
	if err := checkURL(u); err != nil {
		return nil, fmt.Errorf("fetch %s: %w", shown, err)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", shown, err)
	}
	hreq.Header.Set("User-Agent", f.opts.UserAgent)
	hreq.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/feed+json, "+
		"application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5")
	if req.ETag != "" {
		hreq.Header.Set("If-None-Match", req.ETag)
	}
	if req.LastModified != "" {
		hreq.Header.Set("If-Modified-Since", req.LastModified)
	}

	start := time.Now()
	resp, err := f.client.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", shown, f.plain(ctx, err))
	}
	defer resp.Body.Close()
	out := &Response{
		URL:          resp.Request.URL.String(),
		ETag:         firstNonEmpty(resp.Header.Get("ETag"), req.ETag),
		LastModified: firstNonEmpty(resp.Header.Get("Last-Modified"), req.LastModified),
	}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		out.NotModified = true
		f.log.Debug("feed not modified", "url", shown, "duration", time.Since(start))
		return out, nil
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("fetch %s: %w", shown, &StatusError{
			Code:       resp.StatusCode,
			Status:     resp.Status,
			RetryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now()),
		})
	}
	// A 200 replaces both validators: one it lacks is not sent again.
	out.ETag = resp.Header.Get("ETag")
	out.LastModified = resp.Header.Get("Last-Modified")

	limit := f.opts.MaxBytes
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("fetch %s: %w: the server announces %s; the limit is %s",
			shown, ErrTooLarge, megabytes(resp.ContentLength), megabytes(limit))
	}
	var buf bytes.Buffer
	if resp.ContentLength > 0 {
		buf.Grow(int(resp.ContentLength))
	}
	n, err := buf.ReadFrom(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("fetch %s: reading the body: %w", shown, f.plain(ctx, err))
	}
	if n > limit {
		return nil, fmt.Errorf("fetch %s: %w: more than the limit of %s", shown, ErrTooLarge, megabytes(limit))
	}
	out.Body = buf.Bytes()
	f.log.Debug("feed fetched", "url", shown, "final", resp.Request.URL.Redacted(),
		"bytes", n, "duration", time.Since(start))
	return out, nil
}

// checkRedirect follows at most MaxRedirects redirects, to http or https
// only, and refuses a chain that comes back to an address it visited.
func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if err := checkURL(req.URL); err != nil {
		return fmt.Errorf("redirect to %s: %w", req.URL.Redacted(), err)
	}
	next := req.URL.String()
	for i, v := range via {
		if v.URL.String() == next {
			chain := make([]string, 0, len(via)-i+1)
			for _, w := range via[i:] {
				chain = append(chain, w.URL.Redacted())
			}
			chain = append(chain, req.URL.Redacted())
			return fmt.Errorf("%w: %s", ErrRedirectLoop, strings.Join(chain, " → "))
		}
	}
	if len(via) > f.opts.MaxRedirects {
		return fmt.Errorf("%w: more than %d, the last to %s", ErrTooManyRedirects, max(f.opts.MaxRedirects, 0), req.URL.Redacted())
	}
	return nil
}

// plain takes off the layers net/http wraps around an error (url.Error's
// "Get URL:", net.OpError's "dial tcp ...:") where they only repeat the URL,
// and words a timeout.
func (f *Fetcher) plain(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var timeout interface{ Timeout() bool }
	if errors.As(err, &timeout) && timeout.Timeout() {
		return fmt.Errorf("no complete answer within %s", f.opts.Timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var oe *net.OpError
	if errors.As(err, &oe) && errors.Is(oe.Err, ErrAddress) {
		return oe.Err
	}
	return err
}

// checkURL accepts absolute http and https URLs with a host.
func checkURL(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%w (not %q)", ErrScheme, u.Scheme)
	}
	if u.Host == "" {
		return fmt.Errorf("%w: the URL has no host", ErrScheme)
	}
	return nil
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func megabytes(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d kB", (n+1023)>>10)
	}
	return fmt.Sprintf("%d MB", (n+(1<<20)-1)>>20)
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
