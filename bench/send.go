package bench

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	_ "github.com/mattn/go-sqlite3" // the ledger is read directly for the acceptance times

	"masthead/delivery"
	"masthead/store"
	"masthead/subscribers"
)

// smtpConfig is the discard server's address as masthead's SMTP settings.
func smtpConfig(addr string) (delivery.SMTPConfig, error) {
	return delivery.ParseSMTPURL("smtp://" + addr + "?tls=none&timeout=30s")
}

// engine makes a delivery engine on st that sends to the discard server.
func engine(t *task, st *store.Store, conns int, log *slog.Logger) (*delivery.Engine, error) {
	cfg, err := smtpConfig(t.SMTP)
	if err != nil {
		return nil, err
	}
	var signer *delivery.DKIM
	if t.DKIMKey != "" {
		if signer, err = delivery.LoadDKIM(delivery.DKIMConfig{Domain: "planet.example", Selector: "bench", KeyFile: t.DKIMKey}); err != nil {
			return nil, err
		}
	}
	return delivery.New(st, delivery.NewSMTP(cfg, log), delivery.Config{
		Connections: conns,
		ClaimBatch:  t.ClaimBatch,
		RecordBatch: t.RecordBatch,
		BaseURL:     baseURL,
		Signer:      subscribers.NewSigner([]byte(benchSecret)),
		DKIM:        signer,
	}, log)
}

// measureSend sends the fixture's issue through the delivery engine, from the
// snapshot of the audience to the last recorded outcome.
func measureSend(ctx context.Context, t *task, log *slog.Logger) (*Measurement, error) {
	st, err := store.Open(ctx, t.DB, log)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	e, err := engine(t, st, t.Connections, log)
	if err != nil {
		return nil, err
	}
	m := &Measurement{Kind: WhatSend, Connections: t.Connections, Latency: t.Latency}
	if t.DKIMKey != "" {
		m.DKIM = dkimKind(t.DKIMKey)
	}
	return timeSend(ctx, t, e, m)
}

// timeSend sends the fixture's issue through e, from the snapshot of the
// audience to the last recorded outcome, and fills m with the time, CPU, peak
// RSS, database size and acceptance percentiles of it.
func timeSend(ctx context.Context, t *task, e *delivery.Engine, m *Measurement) (*Measurement, error) {
	resetPeak()
	stop, err := startProfile(t)
	if err != nil {
		return nil, err
	}
	cpu0, gc0 := cpuTime(), gcTime()
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
	cpu, gc := cpuTime()-cpu0, gcTime()-gc0
	stop()
	m.PeakRSS = peakRSS()
	if err != nil {
		return nil, fmt.Errorf("send: %w", err)
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	m.Stopped = runCtx.Err() != nil && sum.Counts.Pending() > 0
	if sum.Failed > 0 || sum.Retried > 0 {
		return nil, fmt.Errorf("send: %d failed and %d retried of %d: the discard server should accept all", sum.Failed, sum.Retried, sum.Counts.Total)
	}
	m.Messages, m.Seconds = sum.Sent, elapsed.Seconds()
	m.setRates(cpu, gc)
	m.DBBytes = fileSize(t.DB)
	lat, err := acceptance(ctx, t.DB, t.Fixture.IssueID, start)
	if err != nil {
		return nil, err
	}
	m.P50, m.P99, m.Last = lat.P50, lat.P99, lat.Max
	return m, nil
}

// setRates derives messages per second, CPU per 1,000 messages and the
// garbage collector's share of the CPU.
func (m *Measurement) setRates(cpu, gc time.Duration) {
	m.CPUSeconds = cpu.Seconds()
	if cpu > 0 {
		m.GCPercent = 100 * gc.Seconds() / cpu.Seconds()
	}
	if m.Seconds > 0 {
		m.PerSecond = float64(m.Messages) / m.Seconds
	}
	if m.Messages > 0 {
		m.CPUPer1000 = m.CPUSeconds * 1000 / float64(m.Messages)
	}
}

// acceptance reads from the ledger when each message was accepted, relative
// to start (the ledger keeps milliseconds).
func acceptance(ctx context.Context, path string, issueID int64, start time.Time) (latencies, error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		return latencies{}, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT accepted_at FROM deliveries WHERE issue_id = ? AND status = 'sent'`, issueID)
	if err != nil {
		return latencies{}, fmt.Errorf("acceptance times: %w", err)
	}
	defer rows.Close()
	var d []time.Duration
	for rows.Next() {
		var at int64
		if err := rows.Scan(&at); err != nil {
			return latencies{}, err
		}
		d = append(d, time.UnixMilli(at).Sub(start))
	}
	if err := rows.Err(); err != nil {
		return latencies{}, err
	}
	return summarise(d), nil
}
