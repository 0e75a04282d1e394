package bench

import (
	"context"
	"log/slog"

	"masthead/delivery"
	"masthead/store"
	"masthead/subscribers"
)

// nullSender accepts every message without sending it (nor encoding it), so
// that a send through it costs only what masthead does per recipient: claim,
// compose, record.
type nullSender struct{}

func (nullSender) Open(context.Context) (delivery.Conn, error) { return nullConn{}, nil }

type nullConn struct{}

func (nullConn) Send(context.Context, *delivery.Message) error { return nil }
func (nullConn) Close() error                                  { return nil }

// measureOverhead sends the issue through the delivery engine to nullSender:
// the CPU per recipient outside the SMTP client.
func measureOverhead(ctx context.Context, t *task, log *slog.Logger) (*Measurement, error) {
	st, err := store.Open(ctx, t.DB, log)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	e, err := delivery.New(st, nullSender{}, delivery.Config{
		Connections: t.Connections, ClaimBatch: t.ClaimBatch, RecordBatch: t.RecordBatch,
		BaseURL: baseURL, Signer: subscribers.NewSigner([]byte(benchSecret)),
	}, log)
	if err != nil {
		return nil, err
	}
	return timeSend(ctx, t, e, &Measurement{Kind: WhatOverhead, Connections: t.Connections})
}
