package delivery

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net"
	netmail "net/mail"
	"net/url"
	"strings"
	"time"

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
// recipient is done once, in NewComposer: the whole message is laid out as
// it goes on the wire (headers, MIME structure, both bodies quoted-printable
// encoded, and a dot-stuffed copy for SMTP's DATA), with holes where a
// recipient's values go: the Date, To, Message-ID and List-Unsubscribe
// headers, the MIME boundary (derived from the Message-ID) and the body
// lines that hold a slot. Compose then only fills the holes, and a Conn
// writes the pieces and the holes' bytes straight into its connection's
// buffer. A Composer is safe for concurrent use; each worker has its own
// Buffers.
type Composer struct {
	issue   *newsletter.Issue
	pub     *newsletter.Publication
	from    *netmail.Address
	envFrom string // from's address for MAIL FROM
	replyTo *netmail.Address
	subject string // RFC 2047-encoded once, as go-mail would per message
	listID  string
	mailto  string // "mailto:addr" or ""
	// archive, help and feedbackID are the constant list headers'
	// values (RFC 2369 List-Archive and List-Help; Feedback-ID, or "").
	archive, help, feedbackID string
	baseURL                   string
	signer                    *subscribers.Signer
	dkim                      *DKIM
	now                       func() time.Time
	rcpt                      func(issueID, subscriberID int64, at time.Time) string
	layout                    layout // the message with its holes
	// asciiURIs: the base URL and mailto address are plain ASCII, so
	// List-Unsubscribe needs no RFC 2047 encoding.
	asciiURIs bool
}

// ComposerConfig is what a Composer needs besides the issue.
type ComposerConfig struct {
	BaseURL string              // public address of the web edition; unsubscribe links live under it
	Signer  *subscribers.Signer // signs unsubscribe links
	DKIM    *DKIM               // nil: no DKIM signature
	Now     func() time.Time    // nil: time.Now
	// RecipientPart, when set, fills the links' per-message part (the
	// "rcpt" slot) of each message.
	RecipientPart func(issueID, subscriberID int64, at time.Time) string
	// FeedbackSender, when set, adds Gmail's Feedback-ID header
	// ("issue:publication:newsletter:FeedbackSender"), so that the
	// provider's complaint figures come per issue and publication.
	FeedbackSender string
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
	if ascii, err := EnvelopeAddress(from.Address); err == nil {
		from.Address = ascii // an IDN sender domain, in the form every server takes
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
		rcpt:    cfg.RecipientPart,
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.subject == "" {
		c.subject = pub.Name + " — " + iss.Label()
	}
	// The Subject is RFC 2047-encoded (Q, UTF-8) as go-mail encodes the
	// values it is given, once per issue.
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
	c.archive = "<" + base + "/issues/" + url.PathEscape(pub.Slug) + "/>"
	helpTo := from.Address
	if c.replyTo != nil {
		helpTo = c.replyTo.Address
	}
	c.help = "<mailto:" + helpTo + "?subject=help>"
	if fs := oneLine(cfg.FeedbackSender); fs != "" {
		c.feedbackID = fmt.Sprintf("%d:%s:newsletter:%s", iss.ID, pub.Slug, strings.ReplaceAll(fs, ":", ""))
	}
	c.envFrom = envelopeAddress(from.Address)
	c.asciiURIs = headerValue(c.baseURL+c.mailto) == c.baseURL+c.mailto
	c.layout = c.lay(lineEnds(iss.Text), lineEnds(iss.HTML))
	return c, nil
}

// Issue is the issue being composed.
func (c *Composer) Issue() *newsletter.Issue { return c.issue }

// Buffers hold one worker's message between sends, so that composing
// allocates little. The *Mail that Compose returns lives in them: it is
// valid until the next Compose with the same Buffers.
type Buffers struct {
	mail Mail
	line []byte // one body line filled, before its encoding
	raw  []byte // the message rendered once to sign it
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
func (c *Composer) Compose(r Recipient, buf *Buffers) (*Mail, error) {
	to, err := newsletter.ParseAddress(r.Email)
	if err != nil {
		return nil, fmt.Errorf("recipient %q: %w", r.Email, err)
	}
	shown := to.Address // the slot shows the address as the reader wrote it
	if to.Address, err = EnvelopeAddress(to.Address); err != nil {
		return nil, fmt.Errorf("recipient %q: %w", r.Email, err)
	}
	to.Name = oneLine(r.Name)
	if !validMessageID(r.MessageID) {
		return nil, fmt.Errorf("recipient %s: bad Message-ID %q", r.Email, r.MessageID)
	}
	// One token for the link and the mailto subject; the URL is the one
	// Signer.UnsubscribeURL builds.
	token := c.signer.Sign(subscribers.Token{Purpose: subscribers.PurposeUnsubscribe,
		SubscriberID: r.SubscriberID, PublicationID: c.pub.ID})
	unsub := c.baseURL + "/unsubscribe/" + token
	p := templates.Personal{Name: to.Name, Email: shown, UnsubscribeURL: unsub}
	if c.rcpt != nil {
		p.Recipient = c.rcpt(c.issue.ID, r.SubscriberID, c.now())
	}

	m := &buf.mail
	m.reset(c, envelopeAddress(to.Address))
	// A boundary derived from the Message-ID (rather than random) makes the
	// bytes of a (issue, subscriber) message the same on every attempt but for
	// Date and the DKIM timestamp.
	var boundary [len(boundaryPrefix) + 32]byte
	boundaryFor(boundary[:0], r.MessageID)
	for _, h := range c.layout.items {
		switch h.hole {
		case holeNone:
		case holeDate:
			// Never folded: "Date: " and an RFC1123Z time are 37 characters.
			m.dyn = append(m.dyn, "Date: "...)
			m.dyn = c.now().AppendFormat(m.dyn, time.RFC1123Z)
			m.dyn = append(m.dyn, "\r\n"...)
		case holeListUnsubscribe:
			uris := c.unsubscribeURIs(unsub, token)
			if !c.asciiURIs { // tokens are base64url: only the base URL and mailto can need encoding
				uris = headerValue(uris)
			}
			m.dyn = appendHeader(m.dyn, "List-Unsubscribe", uris)
		case holeMessageID:
			m.dyn = appendHeader(m.dyn, "Message-ID", r.MessageID)
		case holeTo:
			m.dyn = appendHeader(m.dyn, "To", to.String())
		case holeBoundary:
			m.dyn = append(m.dyn, boundary[:]...)
		case holeLine:
			buf.line = h.line.Fill(buf.line[:0], &p)
			m.dyn = appendQP(m.dyn, buf.line, h.final)
		}
		m.ends = append(m.ends, len(m.dyn))
	}
	if c.dkim != nil {
		if err := c.dkim.sign(m, &buf.raw); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// unsubscribeURIs is List-Unsubscribe's value: the https link, and the
// mailto address where the publication has one (RFC 2369; RFC 8058 one-click
// for the link, with List-Unsubscribe-Post). go-mail's
// SetListUnsubscribeOneClick writes the same; a plain-http base URL (a local
// installation) gets the same headers so that its output looks like
// production's, and receivers then fall back to the link.
func (c *Composer) unsubscribeURIs(unsub, token string) string {
	uris := "<" + unsub + ">"
	if c.mailto != "" {
		uris += ", <" + c.mailto + "?subject=unsubscribe%20" + token + ">"
	}
	return uris
}

// listHost is the domain part of List-Id (RFC 2919): the web edition's host,
// or the From address's domain when that host is an IP address or localhost.
func listHost(webHost, from string) string {
	if webHost == "localhost" || net.ParseIP(webHost) != nil {
		return strings.ToLower(from[strings.LastIndexByte(from, '@')+1:])
	}
	return strings.ToLower(webHost)
}

const boundaryPrefix = "mh-"

// boundaryFor appends the MIME boundary of a message: "mh-" and 32 hex
// digits of the SHA-256 of its Message-ID.
func boundaryFor(dst []byte, messageID string) []byte {
	h := sha256.Sum256([]byte(messageID))
	return hex.AppendEncode(append(dst, boundaryPrefix...), h[:16])
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
