package delivery

import (
	"context"
	"fmt"

	"masthead/store"
)

// OutboxStore is where the outbox keeps messages.
type OutboxStore interface {
	AddOutbox(ctx context.Context, m *store.OutboxMessage) error
}

// Outbox is the Sender used when no SMTP server is configured: it keeps the
// exact bytes an SMTP server would have received (DKIM signature included) in
// the database, through the same ledger, so a new installation shows real
// output without a mail server.
type Outbox struct{ store OutboxStore }

var _ Sender = (*Outbox)(nil)

// NewOutbox returns the outbox Sender.
func NewOutbox(st OutboxStore) *Outbox { return &Outbox{store: st} }

// Transport is OutboxTransport.
func (o *Outbox) Transport() string { return OutboxTransport }

// Open returns a connection; the outbox needs no dialling.
func (o *Outbox) Open(context.Context) (Conn, error) { return &outboxConn{store: o.store}, nil }

type outboxConn struct {
	store   OutboxStore
	scratch []byte
}

// Send keeps the message's bytes as an SMTP server receives them (before
// dot-stuffing, or sent by BDAT).
func (c *outboxConn) Send(ctx context.Context, m *Message) error {
	body, _, _, err := wireOf(m, &c.scratch)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	raw := body.AppendTo(make([]byte, 0, body.Len()), false)
	return c.store.AddOutbox(ctx, &store.OutboxMessage{IssueID: m.IssueID, DeliveryID: m.DeliveryID,
		Recipient: m.To, Subject: m.Subject, MessageID: m.MessageID, Raw: raw})
}

func (c *outboxConn) Close() error { return nil }
