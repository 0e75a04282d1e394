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

// measureCeiling sends the issue's bodies, as one message built once per
// connection, t.Messages times over t.Connections go-mail clients with the
// options masthead uses (no NOOP before each message, no TLS on loopback):
// what this machine can do with go-mail and nothing else.
func measureCeiling(ctx context.Context, t *task) (*Measurement, error) {
	st, err := store.Open(ctx, t.DB, nil)
	if err != nil {
		return nil, err
	}
	iss, err := st.Issue(ctx, t.Fixture.IssueID)
	if err != nil {
		st.Close()
		return nil, err
	}
	pub, err := st.Publication(ctx, iss.PublicationID)
	st.Close()
	if err != nil {
		return nil, err
	}
	host, portStr, err := net.SplitHostPort(t.SMTP)
	if err != nil {
		return nil, err
	}
	port, _ := strconv.Atoi(portStr)
	build := func() (*mail.Msg, error) {
		m := mail.NewMsg(mail.WithNoDefaultUserAgent())
		if err := m.From(pub.From); err != nil {
			return nil, err
		}
		if err := m.To("reader.0000000@example0.org"); err != nil {
			return nil, err
		}
		m.Subject(iss.Subject)
		m.SetDate()
		m.SetMessageID()
		m.SetBodyString(mail.TypeTextPlain, iss.Text)
		m.AddAlternativeString(mail.TypeTextHTML, iss.HTML)
		return m, nil
	}

	m := &Measurement{Kind: WhatCeiling, Connections: t.Connections, Latency: t.Latency}
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
	cpu0 := cpuTime()
	start := time.Now()
	for range t.Connections {
		wg.Go(func() {
			mine, err := func() ([]time.Duration, error) {
				msg, err := build()
				if err != nil {
					return nil, err
				}
				c, err := mail.NewClient(host, mail.WithPort(port), mail.WithTimeout(30*time.Second),
					mail.WithoutNoop(), mail.WithTLSPolicy(mail.NoTLS))
				if err != nil {
					return nil, err
				}
				sc, err := c.DialToSMTPClientWithContext(ctx)
				if err != nil {
					return nil, err
				}
				defer c.CloseWithSMTPClient(sc)
				var mine []time.Duration
				for next.Add(1) <= int64(t.Messages) && time.Now().Before(deadline) && ctx.Err() == nil {
					if err := c.SendWithSMTPClient(sc, msg); err != nil {
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
	cpu := cpuTime() - cpu0
	stop()
	m.PeakRSS = peakRSS()
	if firstEr != nil {
		return nil, fmt.Errorf("ceiling: %w", firstEr)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(times) == 0 {
		return nil, errors.New("ceiling: no message sent")
	}
	m.Stopped = len(times) < t.Messages
	m.Messages, m.Seconds = len(times), elapsed.Seconds()
	m.setRates(cpu)
	lat := summarise(times)
	m.P50, m.P99, m.Last = lat.P50, lat.P99, lat.Max
	return m, nil
}
