package bounces

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"masthead/ledger"
	"masthead/subscribers"
)

// FlagProcessed is the keyword set on a report once applied, so the next poll
// skips it. Servers that allow no keywords get \Seen as the marker instead.
const FlagProcessed imap.Flag = "$MastheadProcessed"

// Defaults for Config.
const (
	DefaultInterval = 5 * time.Minute
	DefaultMaxSize  = 10 << 20
	fetchBatch      = 20
)

// Config says where the reports are and what to do with them.
type Config struct {
	// URL is the mailbox: imaps://user:pass@host[:993]/MAILBOX (implicit TLS),
	// or imap://user:pass@host[:143]/MAILBOX with STARTTLS (?tls=none for a
	// plain connection, for tests and local servers). MAILBOX defaults to INBOX.
	URL string
	// Interval is the time between polls in Run (0: DefaultInterval).
	Interval time.Duration
	// Bounces is the policy reports are applied under (serve's and bounces
	// poll's --soft-bounce-limit), the one every bounce is judged by.
	Bounces ledger.BouncePolicy
	// MoveTo, when set, is the mailbox processed reports are moved to;
	// otherwise they stay where they are, flagged \Seen and FlagProcessed.
	MoveTo string
	// TLS is the TLS configuration (nil: the system's roots; the server name
	// comes from the URL).
	TLS *tls.Config
	// MaxSize skips larger messages (0: DefaultMaxSize): a report is small,
	// even with the returned message attached.
	MaxSize int64
	// Unsubscribe and Signer, when both set, make the poller also apply
	// unsubscribe requests mailed to a publication's unsubscribe address
	// (unsubscribe.go): the message's signed token, checked with Signer,
	// names the subscription Unsubscribe ends. Such messages are marked
	// (or moved) as processed reports are.
	Unsubscribe Unsubscriber
	Signer      *subscribers.Signer
	// Now is the clock tokens are checked against (nil: time.Now).
	Now func() time.Time
}

// Poller reads reports from one mailbox and applies them.
type Poller struct {
	cfg     Config
	st      Store
	log     *slog.Logger
	addr    string // host:port
	mode    string // "tls", "starttls", "none"
	user    string
	pass    string
	mailbox string
	// skipped remembers messages left in place (by UIDVALIDITY/UID) so each
	// is logged as a warning once per process, not at every poll.
	skipped map[string]bool
}

// NewPoller checks cfg and returns a poller of the mailbox it names.
func NewPoller(cfg Config, st Store, log *slog.Logger) (*Poller, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, errors.New("imap URL: want imaps://user:pass@host[:port]/MAILBOX (the value is not shown because it may hold a password)")
	}
	p := &Poller{cfg: cfg, st: st, log: log.With("mailbox", u.Redacted()), skipped: map[string]bool{}}
	port := "993"
	switch u.Scheme {
	case "imaps":
		p.mode = "tls"
	case "imap":
		port, p.mode = "143", "starttls"
		switch t := u.Query().Get("tls"); t {
		case "", "starttls", "required":
		case "none":
			p.mode = "none"
		default:
			return nil, fmt.Errorf("imap URL %s: tls=%q: want starttls or none", u.Redacted(), t)
		}
	default:
		return nil, fmt.Errorf("imap URL %s: scheme must be imaps or imap", u.Redacted())
	}
	if u.Hostname() == "" || u.User == nil || u.User.Username() == "" {
		return nil, fmt.Errorf("imap URL %s: want imaps://user:pass@host[:port]/MAILBOX", u.Redacted())
	}
	if u.Port() != "" {
		port = u.Port()
	}
	p.addr = net.JoinHostPort(u.Hostname(), port)
	p.user = u.User.Username()
	p.pass, _ = u.User.Password()
	p.mailbox = strings.Trim(u.Path, "/")
	if p.mailbox == "" {
		p.mailbox = "INBOX"
	}
	if p.cfg.Interval <= 0 {
		p.cfg.Interval = DefaultInterval
	}
	if p.cfg.MaxSize <= 0 {
		p.cfg.MaxSize = DefaultMaxSize
	}
	if p.cfg.Now == nil {
		p.cfg.Now = time.Now
	}
	return p, nil
}

// Run polls at once and then every Interval until ctx is done, logging each
// poll's errors and carrying on (a mail server that is down now may be up at
// the next poll). It returns nil when ctx is done.
func (p *Poller) Run(ctx context.Context) error {
	p.log.Info("bounce poller started", "interval", p.cfg.Interval)
	t := time.NewTicker(p.cfg.Interval)
	defer t.Stop()
	for {
		res, err := p.Poll(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			p.log.Error("bounce poll failed", "err", err)
		case res.Messages > 0:
			p.log.Info("bounce poll", "messages", res.Messages, "reports", res.Reports, "applied", res.Applied,
				"repeated", res.Repeated, "ignored", res.Ignored, "unknown", res.Unknown, "unsubscribes", res.Unsubscribes,
				"left", res.Unparseable)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Poll connects once, applies every report not yet processed, marks them
// processed, and disconnects.
func (p *Poller) Poll(ctx context.Context) (Result, error) {
	var res Result
	c, err := p.dial()
	if err != nil {
		return res, fmt.Errorf("connect to %s: %w", p.addr, err)
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer func() {
		stop()
		c.Close()
	}()
	res, err = p.poll(ctx, c)
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	if err == nil {
		err = c.Logout().Wait()
	}
	return res, err
}

func (p *Poller) dial() (*imapclient.Client, error) {
	opts := &imapclient.Options{TLSConfig: p.cfg.TLS, Dialer: &net.Dialer{Timeout: 30 * time.Second}}
	var c *imapclient.Client
	var err error
	switch p.mode {
	case "tls":
		c, err = imapclient.DialTLS(p.addr, opts)
	case "starttls":
		c, err = imapclient.DialStartTLS(p.addr, opts)
	default:
		c, err = imapclient.DialInsecure(p.addr, opts)
	}
	if err != nil {
		return nil, err
	}
	if err := c.Login(p.user, p.pass).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("login as %s: %w", p.user, err)
	}
	return c, nil
}

func (p *Poller) poll(ctx context.Context, c *imapclient.Client) (Result, error) {
	var res Result
	sel, err := c.Select(p.mailbox, nil).Wait()
	if err != nil {
		return res, fmt.Errorf("select %s: %w", p.mailbox, err)
	}
	// The processed marker: our keyword where the server keeps keywords,
	// else \Seen (a dedicated bounce mailbox has no human reader to mind).
	marker := FlagProcessed
	if !keepsKeywords(sel.PermanentFlags) {
		marker = imap.FlagSeen
	}
	found, err := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{marker}}, nil).Wait()
	if err != nil {
		return res, fmt.Errorf("search %s: %w", p.mailbox, err)
	}
	uids := found.AllUIDs()
	for len(uids) > 0 {
		n := min(fetchBatch, len(uids))
		batch := uids[:n]
		uids = uids[n:]
		r, err := p.batch(ctx, c, sel.UIDValidity, batch, marker)
		res.add(r)
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// keepsKeywords reports whether the server stores new keywords (\* in
// PERMANENTFLAGS, RFC 9051 7.1) or already knows ours.
func keepsKeywords(flags []imap.Flag) bool {
	for _, f := range flags {
		if f == imap.FlagWildcard || strings.EqualFold(string(f), string(FlagProcessed)) {
			return true
		}
	}
	return false
}

// batch fetches, applies and marks a few messages.
func (p *Poller) batch(ctx context.Context, c *imapclient.Client, validity uint32, uids []imap.UID, marker imap.Flag) (Result, error) {
	var res Result
	section := &imap.FetchItemBodySection{Peek: true}
	// Sizes first, so that a huge message is never downloaded.
	sizes, err := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return res, fmt.Errorf("fetch sizes: %w", err)
	}
	var want []imap.UID
	for _, m := range sizes {
		if m.RFC822Size > p.cfg.MaxSize {
			res.Messages++
			res.Unparseable++
			p.leave(validity, m.UID, fmt.Sprintf("larger than %d bytes", p.cfg.MaxSize))
			continue
		}
		want = append(want, m.UID)
	}
	if len(want) == 0 {
		return res, nil
	}
	msgs, err := c.Fetch(imap.UIDSetNum(want...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		return res, fmt.Errorf("fetch messages: %w", err)
	}
	var done []imap.UID
	for _, m := range msgs {
		res.Messages++
		raw := m.FindBodySection(section)
		rep, err := Parse(raw)
		if errors.Is(err, ErrNotReport) {
			if tok, ok := p.unsubscribeRequest(raw); ok {
				if err := p.cfg.Unsubscribe.Unsubscribe(ctx, tok.PublicationID, tok.SubscriberID, subscribers.ViaMailto); err != nil && !errors.Is(err, ledger.ErrNotFound) {
					if merr := p.mark(c, done, marker); merr != nil {
						p.log.Error("marking reports processed failed", "err", merr)
					}
					return res, fmt.Errorf("apply unsubscribe request: %w", err)
				}
				p.log.Info("unsubscribed by mail", "subscriber", tok.SubscriberID, "publication", tok.PublicationID)
				res.Unsubscribes++
				done = append(done, m.UID)
				continue
			}
		}
		if err != nil {
			res.Unparseable++
			p.leave(validity, m.UID, err.Error())
			continue
		}
		r, err := Apply(ctx, p.st, rep, p.cfg.Bounces, p.log)
		res.add(r)
		if err != nil {
			// Mark what is done; the rest is read again at the next poll.
			if merr := p.mark(c, done, marker); merr != nil {
				p.log.Error("marking reports processed failed", "err", merr)
			}
			return res, fmt.Errorf("apply report %s: %w", rep.ID, err)
		}
		done = append(done, m.UID)
	}
	return res, p.mark(c, done, marker)
}

// mark flags processed messages \Seen and with the processed marker, and
// moves them when so configured.
func (p *Poller) mark(c *imapclient.Client, uids []imap.UID, marker imap.Flag) error {
	if len(uids) == 0 {
		return nil
	}
	set := imap.UIDSetNum(uids...)
	flags := []imap.Flag{imap.FlagSeen}
	if marker != imap.FlagSeen {
		flags = append(flags, marker)
	}
	if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: flags}, nil).Close(); err != nil {
		return fmt.Errorf("flag processed reports: %w", err)
	}
	if p.cfg.MoveTo == "" {
		return nil
	}
	if _, err := c.Move(set, p.cfg.MoveTo).Wait(); err != nil {
		return fmt.Errorf("move processed reports to %s: %w", p.cfg.MoveTo, err)
	}
	return nil
}

// unsubscribeRequest is the token of an unsubscribe request, when the
// poller applies them and raw is one.
func (p *Poller) unsubscribeRequest(raw []byte) (subscribers.Token, bool) {
	if p.cfg.Unsubscribe == nil || p.cfg.Signer == nil {
		return subscribers.Token{}, false
	}
	return UnsubscribeToken(raw, p.cfg.Signer, p.cfg.Now())
}

// leave logs a message left in place, as a warning the first time.
func (p *Poller) leave(validity uint32, uid imap.UID, why string) {
	key := fmt.Sprintf("%d/%d", validity, uid)
	level := slog.LevelWarn
	if p.skipped[key] {
		level = slog.LevelDebug
	}
	p.skipped[key] = true
	p.log.Log(context.Background(), level, "message left in the bounce mailbox", "uid", uint32(uid), "why", why)
}
