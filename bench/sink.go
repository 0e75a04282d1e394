package bench

import (
	"errors"
	"io"
	"log"
	"net"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"

	"masthead/internal/lateconn"
)

// sink is the SMTP server `masthead bench` sends to, on 127.0.0.1: it accepts
// every message, reads and drops its bytes and counts it, optionally a round
// trip away (every reply reaches the client rtt after it was written, as
// from a distant relay). It is the measuring tool's peer, shipped with it;
// the tests' server, which records messages and injects faults, is
// internal/smtptest, which the binary does not link.
type sink struct {
	Addr     string // host:port
	srv      *smtp.Server
	accepted atomic.Int64
}

// startSink listens on 127.0.0.1:0 and serves until Close.
func startSink(rtt time.Duration) (*sink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &sink{Addr: ln.Addr().String()}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return sinkSession{s}, nil }))
	s.srv.Domain = "bench.localhost"
	s.srv.MaxMessageBytes = 64 << 20
	s.srv.MaxRecipients = 100
	s.srv.ReadTimeout = time.Minute
	s.srv.WriteTimeout = time.Minute
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	go s.srv.Serve(&lateconn.Listener{Listener: ln, RTT: rtt})
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

// sinkSession is one connection's transaction: everything is accepted.
type sinkSession struct{ s *sink }

func (sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (sinkSession) Reset()                               {}
func (sinkSession) Logout() error                        { return nil }

func (ss sinkSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	ss.s.accepted.Add(1)
	return nil
}
