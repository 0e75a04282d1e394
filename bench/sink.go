package bench

import (
	"errors"
	"io"
	"log"
	"net"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
)

// sink is the SMTP server `masthead bench` sends to, on 127.0.0.1: it accepts
// every message, reads and discards its bytes, waits latency before each
// reply to MAIL, RCPT and DATA (a distant relay), and counts what it
// accepted. It is the measuring tool's peer, shipped with it; the tests'
// server that records messages and injects faults is internal/smtptest,
// which the binary does not link.
type sink struct {
	Addr     string // host:port
	srv      *smtp.Server
	latency  time.Duration
	accepted atomic.Int64
}

// startSink listens on 127.0.0.1:0 and serves until Close.
func startSink(latency time.Duration) (*sink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &sink{Addr: ln.Addr().String(), latency: latency}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return sinkSession{s}, nil }))
	s.srv.Domain = "bench.localhost"
	s.srv.MaxMessageBytes = 64 << 20
	s.srv.MaxRecipients = 100
	s.srv.ReadTimeout = time.Minute
	s.srv.WriteTimeout = time.Minute
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	go s.srv.Serve(ln)
	return s, nil
}

// Count is the number of messages accepted since the last Reset.
func (s *sink) Count() int { return int(s.accepted.Load()) }

// Reset starts the count again.
func (s *sink) Reset() { s.accepted.Store(0) }

// Close stops the server and closes every connection.
func (s *sink) Close() error {
	if err := s.srv.Close(); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
		return err
	}
	return nil
}

// sinkSession is one connection: everything is accepted after the latency.
type sinkSession struct{ s *sink }

func (ss sinkSession) wait() {
	if ss.s.latency > 0 {
		time.Sleep(ss.s.latency)
	}
}

func (ss sinkSession) Mail(string, *smtp.MailOptions) error { ss.wait(); return nil }
func (ss sinkSession) Rcpt(string, *smtp.RcptOptions) error { ss.wait(); return nil }
func (ss sinkSession) Reset()                               {}
func (ss sinkSession) Logout() error                        { return nil }

func (ss sinkSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	ss.wait()
	ss.s.accepted.Add(1)
	return nil
}
