package web

import (
	"context"
	"sync"

	"github.com/wneessen/go-mail"
)

// recordingMailer keeps what it is given; the browser test uses a real SMTP server.
type recordingMailer struct {
	mu   sync.Mutex
	msgs []*mail.Msg
}

func (m *recordingMailer) Send(_ context.Context, msg *mail.Msg) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.msgs = append(m.msgs, msg)
	return nil
}
