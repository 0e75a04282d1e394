// Package lateconn makes a server's connections look far away: what the
// server writes reaches the client a round trip later, in order, without a
// reply waiting for the delay of the one before, so the client of a
// pipelining server gets the replies of commands sent together together, one
// round trip after it sent them. The tests' SMTP server (internal/smtptest)
// and the bench's sink both use it.
package lateconn

import (
	"bytes"
	"net"
	"sync"
	"time"
)

// Writer writes to conn what is given to it, rtt later.
type Writer struct {
	conn   net.Conn
	rtt    time.Duration
	q      chan write
	done   chan struct{} // closed when the connection is
	closed sync.Once
}

type write struct {
	at    time.Time
	data  []byte
	close bool // close the connection after data
}

// NewWriter starts a Writer on c.
func NewWriter(c net.Conn, rtt time.Duration) *Writer {
	w := &Writer{conn: c, rtt: rtt, q: make(chan write, 1024), done: make(chan struct{})}
	go w.run()
	return w
}

func (w *Writer) run() {
	defer close(w.done)
	for lw := range w.q {
		time.Sleep(time.Until(lw.at))
		if lw.data != nil {
			w.conn.Write(lw.data)
		}
		if lw.close {
			w.conn.Close()
			return
		}
	}
}

// Write queues p, and with closeAfter the connection's close after it.
func (w *Writer) Write(p []byte, closeAfter bool) {
	w.put(write{at: time.Now().Add(w.rtt), data: bytes.Clone(p), close: closeAfter})
}

// Close closes the connection once what was written before has arrived.
func (w *Writer) Close() {
	w.closed.Do(func() { w.put(write{at: time.Now().Add(w.rtt), close: true}) })
}

// put queues a write; after the connection is closed, writes are dropped.
func (w *Writer) put(lw write) {
	select {
	case w.q <- lw:
	case <-w.done:
	}
}

// Listener hands out connections whose writes arrive RTT late (none when
// RTT is 0).
type Listener struct {
	net.Listener
	RTT time.Duration
}

// Accept waits for a connection and wraps it.
func (l *Listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil || l.RTT <= 0 {
		return c, err
	}
	return &conn{Conn: c, late: NewWriter(c, l.RTT)}, nil
}

type conn struct {
	net.Conn
	late *Writer
}

func (c *conn) Write(p []byte) (int, error) {
	c.late.Write(p, false)
	return len(p), nil
}

func (c *conn) Close() error {
	c.late.Close()
	return nil
}
