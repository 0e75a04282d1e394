package web

import (
	"context"
	"errors"

	"github.com/wneessen/go-mail"

	"masthead/delivery"
)

// Mailer sends one message at once: the web edition's confirmation emails,
// which do not go through an issue's delivery ledger.
type Mailer interface {
	Send(ctx context.Context, m *mail.Msg) error
}

// SenderMailer sends through a delivery.Sender (the SMTP server, or the
// built-in outbox when none is configured), one connection per message.
func SenderMailer(s delivery.Sender) Mailer { return senderMailer{s} }

type senderMailer struct{ sender delivery.Sender }

func (m senderMailer) Send(ctx context.Context, msg *mail.Msg) (err error) {
	to := msg.GetTo()
	if len(to) != 1 {
		return errors.New("mailer: a message needs exactly one recipient")
	}
	conn, err := m.sender.Open(ctx)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, conn.Close()) }()
	var subject string
	if v := msg.GetGenHeader(mail.HeaderSubject); len(v) > 0 {
		subject = v[0]
	}
	return conn.Send(ctx, &delivery.Message{Msg: msg, To: to[0].Address, Subject: subject,
		MessageID: msg.GetMessageID()})
}
