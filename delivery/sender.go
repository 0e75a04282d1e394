package delivery

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// Message is one message to send and what it belongs to.
type Message struct {
	// Mail is an issue's message for one recipient (Composer.Compose).
	Mail *Mail
	// Msg is a message built with go-mail instead (the confirmation emails,
	// through Mailer), sent when Mail is nil: rendered, then sent the same way.
	Msg        *mail.Msg
	IssueID    int64 // 0 for a test send
	DeliveryID int64 // 0 for a test send
	To         string
	Subject    string
	MessageID  string
	// Reply is set by Conn.Send when the receiver accepted the message: the
	// server's reply to the end of the message ("250 2.0.0 Ok: queued as ...").
	Reply string
}

// Sender is where messages go: an SMTP server, or the built-in outbox.
type Sender interface {
	// Open returns a new connection. It may connect lazily, on first Send.
	Open(ctx context.Context) (Conn, error)
}

// Conn is one connection of a Sender, used by one worker at a time.
type Conn interface {
	// Send delivers one message. A nil error means the receiver accepted it
	// (and m.Reply says how); an SMTP Conn reports a refusal or a broken
	// conversation as a *ReplyError and a failure to connect as a
	// *DialError, which the engine classifies.
	Send(ctx context.Context, m *Message) error
	Close() error
}

// OutboxTransport is the built-in outbox's transport (see TransportOf).
const OutboxTransport = "outbox"

// TransportOf is the transport a Sender delivers through: "outbox", or the SMTP
// server as "smtp://host:port" (SMTPConfig.Transport), taken from the Sender's
// Transport method; "" for a Sender without one. An issue's send records the
// transport it was started with, and only engines with that transport claim
// its rows, so a process configured for another server (or for none) never
// sends it by mistake.
func TransportOf(s Sender) string {
	if t, ok := s.(interface{ Transport() string }); ok {
		return t.Transport()
	}
	return ""
}

// SMTP sends through one SMTP server. go-mail's client connects each
// connection (EHLO, STARTTLS and TLS policy, AUTH); the mail transactions on
// it are masthead's own (conversation.go): pipelined where the server offers
// PIPELINING, the message sent by BDAT where it offers CHUNKING.
type SMTP struct {
	cfg SMTPConfig
	log *slog.Logger
}

var _ Sender = (*SMTP)(nil)

// NewSMTP returns a Sender for the server cfg describes.
func NewSMTP(cfg SMTPConfig, log *slog.Logger) *SMTP {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &SMTP{cfg: cfg, log: log}
}

// Transport is the server's identity as a transport, "smtp://host:port".
func (s *SMTP) Transport() string { return s.cfg.Transport() }

// Open makes a client; it dials on first Send.
func (s *SMTP) Open(ctx context.Context) (Conn, error) {
	c, err := mail.NewClient(s.cfg.Host, s.cfg.options()...)
	if err != nil {
		return nil, err
	}
	return &smtpConn{client: c, timeout: s.cfg.timeout(), log: s.log}, nil
}

// DialError is a failure to connect, greet, start TLS or authenticate.
type DialError struct{ Err error }

func (e *DialError) Error() string { return "connect: " + e.Err.Error() }
func (e *DialError) Unwrap() error { return e.Err }

// smtpConn is one SMTP connection, redialled after it breaks.
type smtpConn struct {
	client  *mail.Client
	sc      *smtp.Client // nil: not connected
	ext     extensions   // what the server offers on sc
	sent    int          // messages sent on sc
	timeout time.Duration
	log     *slog.Logger

	// reset: a transaction was left open by a refusal, so the next one
	// starts with RSET (pipelined ahead of MAIL FROM where it can be).
	reset     bool
	out       []byte // the bytes of one write: commands, the message
	scratch   []byte // a go-mail Msg rendered
	lastReply string // the reply to a transaction's last command, as "250 2.0.0 text"
	reply     []byte // the text of the reply being read
	long      []byte // a reply line longer than the read buffer
}

func (c *smtpConn) dial(ctx context.Context) error {
	sc, err := c.client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return &DialError{Err: err}
	}
	c.sc, c.sent, c.reset = sc, 0, false
	c.ext = extensionsOf(sc)
	return nil
}

// Send sends one message, dialling first if needed. A connection that was
// idle may have been closed by the server; that shows as no reply to MAIL
// FROM (or to the RSET before it), or a 421 there (staleConn), so the server
// took none of the message, and Send redials and tries once more without it
// counting as an attempt.
func (c *smtpConn) Send(ctx context.Context, m *Message) error {
	if c.sc == nil {
		if err := c.dial(ctx); err != nil {
			return err
		}
	}
	err := c.send(m)
	if err != nil && c.sent > 0 && staleConn(err) {
		c.drop()
		if err := c.dial(ctx); err != nil {
			return err
		}
		err = c.send(m)
	}
	if err != nil && brokenConn(err) {
		c.drop()
	} else if err == nil {
		c.sent++
	}
	return err
}

// drop closes the connection without QUIT: after an error the server may not
// answer, and a QUIT would wait for the timeout.
func (c *smtpConn) drop() {
	if c.sc != nil {
		c.sc.Close()
		c.sc = nil
	}
}

// Close says QUIT and closes.
func (c *smtpConn) Close() error {
	if c.sc == nil {
		return nil
	}
	err := c.client.CloseWithSMTPClient(c.sc)
	c.drop()
	return err
}

// staleConn: the connection was found dead before the message was sent: no
// reply to MAIL FROM (or the RSET before it), or 421 there, which is what a
// server says as it closes a connection left idle too long (Postfix, Exim:
// "421 4.4.2 ... timeout"), as a send's connections are between the zones'
// hours of a local-time send. MAIL FROM was not accepted: the server took
// none of the message.
func staleConn(err error) bool {
	var re *ReplyError
	if !errors.As(err, &re) {
		return false
	}
	switch re.Stage {
	case StageMail:
		return re.Code == 0 || re.Code == 421
	case StageConnect:
		return re.Code == 0
	}
	return false
}

// brokenConn: after this error the connection cannot be trusted (a network
// error, a timeout, or 421 "closing channel", RFC 5321 3.8).
func brokenConn(err error) bool {
	var re *ReplyError
	if !errors.As(err, &re) {
		return true
	}
	switch re.Stage {
	case StageMessage:
		return false // the message was at fault, not the connection
	case StageConnect:
		return true
	}
	return re.Code == 0 || re.Code == 421
}
