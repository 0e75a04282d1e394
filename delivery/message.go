package delivery

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	netmail "net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/wneessen/go-mail"

	"masthead/newsletter"
	"masthead/subscribers"
	"masthead/templates"
)

// Recipient is who one message goes to.
type Recipient struct {
	SubscriberID int64 // 0 for a test send (the unsubscribe link then names no one)
	Email        string
	Name         string
	MessageID    string // "<...@...>"
}

// Composer builds an issue's messages. Everything that is the same for every
// recipient is done once, in NewComposer: the rendered HTML and text bodies are
// compiled into literal segments and slots, addresses parsed, header values
// checked. Compose then only fills a recipient's slots and sets their headers.
// A Composer is safe for concurrent use; each worker has its own Buffers.
type Composer struct {
	issue      *newsletter.Issue
	pub        *newsletter.Publication
	html, text *templates.Compiled
	from       *netmail.Address
	replyTo    *netmail.Address
	subject    string // RFC 2047-encoded once, as go-mail would per message
	listID     string
	mailto     string // "mailto:addr" or ""
	baseURL    string
	signer     *subscribers.Signer
	dkim       *DKIM
	now        func() time.Time
}

// ComposerConfig is what a Composer needs besides the issue.
type ComposerConfig struct {
	BaseURL string              // public address of the web edition; unsubscribe links live under it
	Signer  *subscribers.Signer // signs unsubscribe links
	DKIM    *DKIM               // nil: no DKIM signature
	Now     func() time.Time    // nil: time.Now
}

// NewComposer prepares an issue of a publication for sending.
func NewComposer(pub *newsletter.Publication, iss *newsletter.Issue, cfg ComposerConfig) (*Composer, error) {
	if cfg.Signer == nil {
		return nil, errors.New("composer: no token signer")
	}
	if iss.Text == "" && iss.HTML == "" {
		return nil, fmt.Errorf("issue %d has no rendered body (assemble it first)", iss.ID)
	}
	from, err := newsletter.ParseAddress(pub.From)
	if err != nil {
		return nil, fmt.Errorf("publication %s: From %q: %w", pub.Slug, pub.From, err)
	}
	from.Name = oneLine(from.Name)
	if fromEnv, err := EnvelopeAddress(from.Address); err == nil {
		from.Address = fromEnv.Address // an IDN sender domain, in the form every server takes
	}
	base := strings.TrimSuffix(oneLine(cfg.BaseURL), "/")
	bu, err := url.Parse(base)
	if err != nil || bu.Host == "" || (bu.Scheme != "https" && bu.Scheme != "http") {
		return nil, fmt.Errorf("base URL %q must be an absolute http(s) URL", cfg.BaseURL)
	}
	c := &Composer{
		issue: iss, pub: pub, from: from,
		subject: oneLine(iss.Subject),
		listID:  "<" + pub.Slug + "." + listHost(bu.Hostname(), from.Address) + ">",
		baseURL: base,
		signer:  cfg.Signer,
		dkim:    cfg.DKIM,
		now:     cfg.Now,
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.subject == "" {
		c.subject = pub.Name + " — " + iss.Label()
	}
	// go-mail encodes every header value it is given (quoted-printable words,
	// UTF-8, its defaults); a value already encoded is pure ASCII and passes
	// through unchanged, so the Subject is encoded here, once per issue.
	c.subject = mime.QEncoding.Encode("UTF-8", c.subject)
	if pub.ReplyTo != "" {
		if c.replyTo, err = newsletter.ParseAddress(pub.ReplyTo); err != nil {
			return nil, fmt.Errorf("publication %s: Reply-To %q: %w", pub.Slug, pub.ReplyTo, err)
		}
		c.replyTo.Name = oneLine(c.replyTo.Name)
	}
	if pub.UnsubscribeMailto != "" {
		a, err := newsletter.ParseAddress(pub.UnsubscribeMailto)
		if err != nil {
			return nil, fmt.Errorf("publication %s: unsubscribe mailto %q: %w", pub.Slug, pub.UnsubscribeMailto, err)
		}
		c.mailto = "mailto:" + a.Address
	}
	if iss.HTML != "" {
		c.html = templates.Compile(iss.HTML, templates.HTML)
	}
	if iss.Text != "" {
		c.text = templates.Compile(iss.Text, templates.Text)
	}
	return c, nil
}

// Issue is the issue being composed.
func (c *Composer) Issue() *newsletter.Issue { return c.issue }

// Buffers hold one worker's filled bodies between messages, so that composing
// allocates little. A message built with them is valid until the next Compose
// with the same Buffers.
type Buffers struct {
	html, text []byte
	raw        bytes.Buffer // DKIM signing renders the message once here
}

// validMessageID reports whether id is "<left@right>" with neither part
// empty and no '<', '>', '@', '"' or white space (tab, line feed, form feed,
// carriage return, space) in either: the regular expression
// ^<[^<>@\s"]+@[^<>@\s"]+>$, checked byte by byte.
func validMessageID(id string) bool {
	if len(id) < 5 || id[0] != '<' || id[len(id)-1] != '>' {
		return false
	}
	at := -1
	for i := 1; i < len(id)-1; i++ {
		switch id[i] {
		case '<', '>', '"', '\t', '\n', '\f', '\r', ' ':
			return false
		case '@':
			if at >= 0 {
				return false
			}
			at = i
		}
	}
	return at > 1 && at < len(id)-2
}

// Compose builds the message for one recipient. It refuses an address or
// Message-ID that could break a header; every other value has its line breaks
// removed before it reaches a header.
func (c *Composer) Compose(r Recipient, buf *Buffers) (*mail.Msg, error) {
	to, err := newsletter.ParseAddress(r.Email)
	if err != nil {
		return nil, fmt.Errorf("recipient %q: %w", r.Email, err)
	}
	env, err := EnvelopeAddress(to.Address)
	if err != nil {
		return nil, fmt.Errorf("recipient %q: %w", r.Email, err)
	}
	to.Address, to.Name = env.Address, oneLine(r.Name)
	if !validMessageID(r.MessageID) {
		return nil, fmt.Errorf("recipient %s: bad Message-ID %q", r.Email, r.MessageID)
	}
	// One token for the link and the mailto subject; the URL is the one
	// Signer.UnsubscribeURL builds.
	token := c.signer.Sign(subscribers.Token{Purpose: subscribers.PurposeUnsubscribe,
		SubscriberID: r.SubscriberID, PublicationID: c.pub.ID})
	unsub := c.baseURL + "/unsubscribe/" + token
	p := templates.Personal{Name: to.Name, Email: to.Address, UnsubscribeURL: unsub}

	m := mail.NewMsg(mail.WithNoDefaultUserAgent())
	m.FromMailAddress(c.from)
	m.ToMailAddress(to)
	if c.replyTo != nil {
		m.ReplyToMailAddress(c.replyTo)
	}
	m.Subject(c.subject)
	m.SetDateWithValue(c.now())
	m.SetMessageIDWithValue(strings.Trim(r.MessageID, "<>"))
	// A boundary derived from the Message-ID (rather than random) makes the
	// bytes of a (issue, subscriber) message the same on every attempt but for
	// Date and the DKIM timestamp.
	m.SetBoundary(boundaryFor(r.MessageID))
	m.SetGenHeader(headerListID, c.listID)
	c.setUnsubscribe(m, unsub, token)
	if c.text != nil {
		buf.text = c.text.Fill(buf.text[:0], &p)
		m.SetBodyWriter(mail.TypeTextPlain, writeBytes(buf.text))
	}
	if c.html != nil {
		buf.html = c.html.Fill(buf.html[:0], &p)
		if c.text != nil {
			m.AddAlternativeWriter(mail.TypeTextHTML, writeBytes(buf.html))
		} else {
			m.SetBodyWriter(mail.TypeTextHTML, writeBytes(buf.html))
		}
	}
	if c.dkim != nil {
		if err := c.dkim.sign(m, &buf.raw); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// setUnsubscribe writes List-Unsubscribe (the https link, and the mailto
// address where the publication has one) and List-Unsubscribe-Post (RFC 8058
// one-click; RFC 2369 for the list). They are what go-mail's
// SetListUnsubscribeOneClick writes, but set as ordinary headers: go-mail
// writes those in a fixed order and its "preformatted" ones in map order, and
// a message's bytes should not change from one rendering to the next. A
// plain-http base URL (a local installation) gets the same headers so that
// its output looks like production's; receivers then fall back to the link.
func (c *Composer) setUnsubscribe(m *mail.Msg, unsub, token string) {
	uris := "<" + unsub + ">"
	if c.mailto != "" {
		uris += ", <" + c.mailto + "?subject=unsubscribe%20" + token + ">"
	}
	m.SetGenHeader(mail.HeaderListUnsubscribe, uris)
	m.SetGenHeader(mail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
}

// listHost is the domain part of List-Id (RFC 2919): the web edition's host,
// or the From address's domain when that host is an IP address or localhost.
func listHost(webHost, from string) string {
	if webHost == "localhost" || net.ParseIP(webHost) != nil {
		return strings.ToLower(from[strings.LastIndexByte(from, '@')+1:])
	}
	return strings.ToLower(webHost)
}

func boundaryFor(messageID string) string {
	h := sha256.Sum256([]byte(messageID))
	return "mh-" + hex.EncodeToString(h[:16])
}

func writeBytes(b []byte) func(io.Writer) (int64, error) {
	return func(w io.Writer) (int64, error) {
		n, err := w.Write(b)
		return int64(n), err
	}
}

// oneLine replaces line breaks and NULs with spaces, so that no value can end
// a header and start another.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n\x00") {
		return strings.TrimSpace(s)
	}
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == 0 {
			return ' '
		}
		return r
	}, s))
}

// headerListID is RFC 2919's List-Id, which go-mail has no name for.
const headerListID mail.Header = "List-Id"
