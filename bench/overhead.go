package bench

import (
	"context"
	"fmt"
	"log/slog"
	"time"

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
	m := &Measurement{Kind: WhatOverhead, Connections: t.Connections}
	resetPeak()
	stop, err := startProfile(t)
	if err != nil {
		return nil, err
	}
	cpu0 := cpuTime()
	start := time.Now()
	if _, err := e.Start(ctx, t.Fixture.IssueID); err != nil {
		stop()
		return nil, fmt.Errorf("start send: %w", err)
	}
	m.SnapshotSeconds = time.Since(start).Seconds()
	m.SnapshotCPUSeconds = (cpuTime() - cpu0).Seconds()
	runCtx, cancel := context.WithTimeout(ctx, t.Limit)
	defer cancel()
	runStart := time.Now()
	sum, err := e.Run(runCtx, t.Fixture.IssueID)
	elapsed := time.Since(runStart)
	cpu := cpuTime() - cpu0
	stop()
	m.PeakRSS = peakRSS()
	if err != nil {
		return nil, err
	}
	m.Stopped = runCtx.Err() != nil && sum.Counts.Pending() > 0
	m.Messages, m.Seconds = sum.Sent, elapsed.Seconds()
	m.setRates(cpu)
	m.DBBytes = fileSize(t.DB)
	lat, err := acceptance(ctx, t.DB, t.Fixture.IssueID, start)
	if err != nil {
		return nil, err
	}
	m.P50, m.P99, m.Last = lat.P50, lat.P99, lat.Max
	return m, nil
}
