package web

import (
	"context"

	"github.com/wneessen/go-mail"
)

// Mailer sends one message at once: the web edition's confirmation emails,
// which do not go through an issue's delivery ledger.
type Mailer interface {
	Send(ctx context.Context, m *mail.Msg) error
}
