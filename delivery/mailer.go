package delivery

import (
	"context"
	"errors"

	"github.com/wneessen/go-mail"
)

// Mailer sends messages that belong to no issue (the confirmation emails of
// subscribers/confirm) through a Sender: the SMTP server, or the built-in
// outbox. It opens one connection per Session.
type Mailer struct{ sender Sender }

// NewMailer returns a Mailer over s.
func NewMailer(s Sender) *Mailer { return &Mailer{sender: s} }

// Session opens a connection: send sends one message (with exactly one
// recipient) over it, close ends it. A 5xx refusal comes back as an error
// whose Permanent method says so; any other failure is the connection's or
// the server's for now.
func (m *Mailer) Session(ctx context.Context) (send func(context.Context, *mail.Msg) error, close func() error, err error) {
	conn, err := m.sender.Open(ctx)
	if err != nil {
		return nil, nil, err
	}
	send = func(ctx context.Context, msg *mail.Msg) error {
		to := msg.GetTo()
		if len(to) != 1 {
			return errors.New("mailer: a message needs exactly one recipient")
		}
		var subject string
		if v := msg.GetGenHeader(mail.HeaderSubject); len(v) > 0 {
			subject = v[0]
		}
		err := conn.Send(ctx, &Message{Msg: msg, To: to[0].Address, Subject: subject, MessageID: msg.GetMessageID()})
		if err != nil && ReplyCode(err) >= 500 {
			return permanentError{err}
		}
		return err
	}
	return send, conn.Close, nil
}

// permanentError is a refusal the server gave for good (a 5xx reply).
type permanentError struct{ error }

func (e permanentError) Unwrap() error { return e.error }

// Permanent reports that the refusal is for good.
func (permanentError) Permanent() bool { return true }
