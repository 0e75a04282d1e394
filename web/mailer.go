package web

import (
	"context"
	"errors"

	"github.com/wneessen/go-mail"

	"masthead/delivery"
)

// Mailer sends the web edition's confirmation emails (the confirmation queue,
// see SendConfirmations), which do not go through an issue's delivery ledger.
type Mailer interface {
	Send(ctx context.Context, m *mail.Msg) error
}

// SenderMailer sends through a delivery.Sender (the SMTP server, or the
// built-in outbox when none is configured): one connection per Send, and one
// per batch of the confirmation queue.
func SenderMailer(s delivery.Sender) Mailer { return senderMailer{s} }

type senderMailer struct{ sender delivery.Sender }

func (m senderMailer) Send(ctx context.Context, msg *mail.Msg) (err error) {
	send, closeConn, err := m.session(ctx)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, closeConn()) }()
	return send(ctx, msg)
}

// sessionMailer is a Mailer that can send several messages over one
// connection (SenderMailer): the confirmation queue sends a batch on one.
type sessionMailer interface {
	session(ctx context.Context) (send func(context.Context, *mail.Msg) error, close func() error, err error)
}

func (m senderMailer) session(ctx context.Context) (func(context.Context, *mail.Msg) error, func() error, error) {
	conn, err := m.sender.Open(ctx)
	if err != nil {
		return nil, nil, err
	}
	send := func(ctx context.Context, msg *mail.Msg) error {
		to := msg.GetTo()
		if len(to) != 1 {
			return errors.New("mailer: a message needs exactly one recipient")
		}
		var subject string
		if v := msg.GetGenHeader(mail.HeaderSubject); len(v) > 0 {
			subject = v[0]
		}
		return conn.Send(ctx, &delivery.Message{Msg: msg, To: to[0].Address, Subject: subject, MessageID: msg.GetMessageID()})
	}
	return send, conn.Close, nil
}

// mailSession is how the confirmation queue sends a batch: over one
// connection when the Mailer can keep one, else one Send per message.
func (s *Server) mailSession(ctx context.Context) (send func(context.Context, *mail.Msg) error, close func() error, err error) {
	if sm, ok := s.mailer.(sessionMailer); ok {
		return sm.session(ctx)
	}
	return s.mailer.Send, func() error { return nil }, nil
}
