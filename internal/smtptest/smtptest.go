// Package smtptest is an in-process SMTP server for tests and benchmarks
// (github.com/emersion/go-smtp on 127.0.0.1:0). It records every accepted
// message, or only counts them in discard mode, and injects faults: reply
// codes on MAIL, RCPT or DATA, dropped connections, stalls and slow replies.
// It can also stand for a server far away (replies a round trip late) and
// for one that offers fewer extensions (no PIPELINING, no CHUNKING) or
// STARTTLS.
package smtptest

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
)

// Stage is the SMTP command a fault applies to.
type Stage uint8

const (
	StageMail Stage = iota + 1
	StageRcpt
	StageData // after the message was read, before the reply
)

func (s Stage) String() string {
	switch s {
	case StageMail:
		return "MAIL"
	case StageRcpt:
		return "RCPT"
	case StageData:
		return "DATA"
	}
	return "?"
}

// Fault is what the server does instead of accepting a command.
type Fault struct {
	Code  int    // reply with this code (4xx or 5xx); 421 also closes the connection after the reply
	Text  string // reply text; default from the code
	Drop  bool   // close the connection without a reply
	Stall time.Duration
	// Stall waits this long before the fault applies (Code, Drop) or, with
	// neither set, before closing the connection without accepting: a
	// server that hangs. The server's Close ends a stall early.
}

// Injector decides, for each command, whether a fault applies. rcpt is the
// recipient (at RCPT and DATA; the first recipient at DATA), from the sender.
// It is called concurrently from every connection.
type Injector func(stage Stage, from, rcpt string) *Fault

// Message is one accepted message.
type Message struct {
	From      string
	To        []string
	Data      []byte    // nil in discard mode
	MessageID string    // the Message-ID header, with its angle brackets
	Received  time.Time // when its DATA was read (Options.Clock)
	Conn      int64     // which connection delivered it (counted from 1)
	UTF8      bool      // MAIL FROM carried the SMTPUTF8 parameter (RFC 6531)
}

// Options configure a Server.
type Options struct {
	Discard bool // keep no message bytes (benchmarks); Message-IDs are still read
	// Latency is time the server takes before every reply to MAIL, RCPT and
	// DATA, one command after the other: a slow server.
	Latency time.Duration
	// RTT makes every reply (the greeting and EHLO's too) reach the client
	// this long after the server wrote it, without holding up the replies
	// after it: a server one round trip away. A client that pipelines
	// commands waits one round trip for all their replies.
	RTT time.Duration
	// Hide leaves these extensions (EHLO keywords: "PIPELINING",
	// "CHUNKING", ...) out of the EHLO reply: a server without them.
	Hide []string
	// TLS, when set, makes the server offer STARTTLS with this
	// configuration (faults that close the connection then close it
	// without waiting for the reply to go out first).
	TLS    *tls.Config
	Inject Injector // nil: accept everything
	// NoEnhancedStatusCodes: the server does not offer ENHANCEDSTATUSCODES
	// (RFC 2034), and a fault's reply carries an enhanced code only where
	// its Text begins with one, as plain text ("554 5.7.1 spam"), as many
	// servers without the extension write them.
	NoEnhancedStatusCodes bool
	// SMTPUTF8: the server offers SMTPUTF8 (RFC 6531); without it, MAIL
	// FROM with the SMTPUTF8 parameter is refused.
	SMTPUTF8 bool
	// Clock, when set, gives each message's Received time (read when its
	// DATA was read in full): a test's fake clock. nil: time.Now.
	Clock func() time.Time
	// IdleTimeout is how long the server waits for a client's next
	// command before it says "421 4.4.2 Idle timeout" and closes the
	// connection, as Postfix and Exim do [1m].
	IdleTimeout time.Duration
}

// Server is a running test server.
type Server struct {
	Addr string // host:port

	opts   Options
	srv    *smtp.Server
	ln     net.Listener
	closed chan struct{}
	conns  atomic.Int64

	mu       sync.Mutex
	msgs     []Message
	inject   Injector
	accepted atomic.Int64
	bytes    atomic.Int64
}

// Start listens on 127.0.0.1:0 and serves until Close.
func Start(opts Options) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{Addr: ln.Addr().String(), opts: opts, closed: make(chan struct{}), inject: opts.Inject}
	hide := opts.Hide
	if opts.NoEnhancedStatusCodes {
		hide = append(slices.Clone(hide), "ENHANCEDSTATUSCODES")
	}
	s.ln = &listener{Listener: ln, hide: hide, rtt: opts.RTT}
	s.srv = smtp.NewServer(smtp.BackendFunc(s.newSession))
	s.srv.EnableSMTPUTF8 = opts.SMTPUTF8
	s.srv.Domain = "smtptest.localhost"
	s.srv.MaxMessageBytes = 64 << 20
	s.srv.MaxRecipients = 100
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout = time.Minute
	if opts.IdleTimeout > 0 {
		s.srv.ReadTimeout = opts.IdleTimeout
	}
	s.srv.WriteTimeout = time.Minute
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	s.srv.TLSConfig = opts.TLS
	go s.srv.Serve(s.ln)
	return s, nil
}

// Close stops the server, ends stalls and closes every connection.
func (s *Server) Close() error {
	select {
	case <-s.closed:
		return nil
	default:
		close(s.closed)
	}
	err := s.srv.Close()
	if errors.Is(err, smtp.ErrServerClosed) {
		err = nil
	}
	return err
}

// SetInjector replaces the fault injector while the server runs.
func (s *Server) SetInjector(f Injector) {
	s.mu.Lock()
	s.inject = f
	s.mu.Unlock()
}

// Messages returns a copy of the accepted messages, in order of acceptance.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Count is the number of accepted messages.
func (s *Server) Count() int { return int(s.accepted.Load()) }

// Bytes is the total size of accepted messages.
func (s *Server) Bytes() int64 { return s.bytes.Load() }

// Connections is the number of connections accepted so far.
func (s *Server) Connections() int { return int(s.conns.Load()) }

// Reset forgets the accepted messages.
func (s *Server) Reset() {
	s.mu.Lock()
	s.msgs = nil
	s.accepted.Store(0)
	s.bytes.Store(0)
	s.mu.Unlock()
}

// now is the server's clock (Options.Clock).
func (s *Server) now() time.Time {
	if s.opts.Clock != nil {
		return s.opts.Clock()
	}
	return time.Now()
}

func (s *Server) injector() Injector {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inject
}

func (s *Server) store(m Message) {
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	s.mu.Unlock()
	s.accepted.Add(1)
}

// wait sleeps for d or until the server closes; it reports whether it slept fully.
func (s *Server) wait(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.closed:
		return false
	}
}

// Shutdown is Close with a context, for symmetry with net/http.
func (s *Server) Shutdown(ctx context.Context) error { return s.Close() }

// messageID finds the Message-ID header in a message's header block.
func messageID(data []byte) string {
	end := bytes.Index(data, []byte("\r\n\r\n"))
	if end < 0 {
		end = len(data)
	}
	h := data[:end]
	for len(h) > 0 {
		line := h
		if i := bytes.Index(h, []byte("\r\n")); i >= 0 {
			line, h = h[:i], h[i+2:]
		} else {
			h = nil
		}
		if len(line) > 11 && bytes.EqualFold(line[:11], []byte("Message-ID:")) {
			return string(bytes.TrimSpace(line[11:]))
		}
	}
	return ""
}
