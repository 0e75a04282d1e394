package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wneessen/go-mail"

	"masthead/store"
)

// The two ceilings masthead is measured against, each sending the issue as
// one message built once per connection (go-mail, with the bodies masthead
// sends), t.Messages times over t.Connections connections: a bare go-mail
// loop with the options masthead uses (no NOOP before each message, no TLS on
// loopback), and the raw bytes of the same message written by the leanest
// client there is (raw.go).

// ceilingMessages builds the fixture's issue as n go-mail messages, one
// for each connection (a Msg is not safe for concurrent use).
func ceilingMessages(ctx context.Context, t *task, n int) ([]*mail.Msg, error) {
	st, err := store.Open(ctx, t.DB, nil)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	iss, err := st.Issue(ctx, t.Fixture.IssueID)
	if err != nil {
		return nil, err
	}
	pub, err := st.Publication(ctx, iss.PublicationID)
	if err != nil {
		return nil, err
	}
	msgs := make([]*mail.Msg, n)
	for i := range msgs {
		m := mail.NewMsg(mail.WithNoDefaultUserAgent())
		if err := m.From(pub.From); err != nil {
			return nil, err
		}
		if err := m.To(ceilingRcpt); err != nil {
			return nil, err
		}
		m.Subject(iss.Subject)
		m.SetDate()
		m.SetMessageID()
		m.SetBodyString(mail.TypeTextPlain, iss.Text)
		m.AddAlternativeString(mail.TypeTextHTML, iss.HTML)
		msgs[i] = m
	}
	return msgs, nil
}

// ceilingRcpt is the one recipient of the ceilings' messages.
const ceilingRcpt = "reader.0000000@example0.org"

// measureCeiling is the bare go-mail loop.
func measureCeiling(ctx context.Context, t *task) (*Measurement, error) {
	host, portStr, err := net.SplitHostPort(t.SMTP)
	if err != nil {
		return nil, err
	}
	port, _ := strconv.Atoi(portStr)
	msgs, err := ceilingMessages(ctx, t, t.Connections)
	if err != nil {
		return nil, err
	}
	return measureLoop(ctx, t, WhatCeiling, func(i int) (func() error, func(), error) {
		msg := msgs[i]
		c, err := mail.NewClient(host, mail.WithPort(port), mail.WithTimeout(30*time.Second),
			mail.WithoutNoop(), mail.WithTLSPolicy(mail.NoTLS))
		if err != nil {
			return nil, nil, err
		}
		sc, err := c.DialToSMTPClientWithContext(ctx)
		if err != nil {
			return nil, nil, err
		}
		return func() error { return c.SendWithSMTPClient(sc, msg) }, func() { c.CloseWithSMTPClient(sc) }, nil
	})
}

// measureLoop sends t.Messages messages over t.Connections connections,
// each made by open (the messages are built before), which returns how to
// send one message on it and how to close it; it measures the time, CPU,
// garbage collection and peak RSS of the connecting and sending.
func measureLoop(ctx context.Context, t *task, kind string, open func(conn int) (send func() error, close func(), err error)) (*Measurement, error) {
	m := &Measurement{Kind: kind, Connections: t.Connections, Latency: t.Latency}
	resetPeak()
	stop, err := startProfile(t)
	if err != nil {
		return nil, err
	}
	var (
		next    atomic.Int64
		mu      sync.Mutex
		times   []time.Duration
		firstEr error
		wg      sync.WaitGroup
	)
	deadline := time.Now().Add(t.Limit)
	cpu0, gc0 := cpuTime(), gcTime()
	start := time.Now()
	for i := range t.Connections {
		wg.Go(func() {
			mine, err := func() ([]time.Duration, error) {
				send, closeConn, err := open(i)
				if err != nil {
					return nil, err
				}
				defer closeConn()
				var mine []time.Duration
				for next.Add(1) <= int64(t.Messages) && time.Now().Before(deadline) && ctx.Err() == nil {
					if err := send(); err != nil {
						return mine, err
					}
					mine = append(mine, time.Since(start))
				}
				return mine, nil
			}()
			mu.Lock()
			times = append(times, mine...)
			if err != nil && firstEr == nil {
				firstEr = err
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu, gc := cpuTime()-cpu0, gcTime()-gc0
	stop()
	m.PeakRSS = peakRSS()
	if firstEr != nil {
		return nil, fmt.Errorf("%s: %w", kind, firstEr)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(times) == 0 {
		return nil, errors.New(kind + ": no message sent")
	}
	m.Stopped = len(times) < t.Messages
	m.Messages, m.Seconds = len(times), elapsed.Seconds()
	m.setRates(cpu, gc)
	lat := summarise(times)
	m.P50, m.P99, m.Last = lat.P50, lat.P99, lat.Max
	return m, nil
}
