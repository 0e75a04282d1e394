package smtptest

import (
	"bytes"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// listener wraps accepted connections so that a session can close its
// connection right after a reply has been written (for 421), the EHLO reply
// can leave extensions out, and replies can come a round trip late.
type listener struct {
	net.Listener
	hide []string
	rtt  time.Duration
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	fc := &faultConn{Conn: c, hide: l.hide}
	if l.rtt > 0 {
		fc.late = newLateWriter(c, l.rtt)
	}
	return fc, nil
}

type faultConn struct {
	net.Conn
	closeAfterWrite atomic.Bool
	hide            []string    // EHLO keywords left out
	late            *lateWriter // nil: replies go out at once
}

func (c *faultConn) Write(p []byte) (int, error) {
	if hidden(p, c.hide) {
		return len(p), nil
	}
	if c.late != nil {
		c.late.write(p, c.closeAfterWrite.Load())
		return len(p), nil
	}
	n, err := c.Conn.Write(p)
	if c.closeAfterWrite.Load() {
		c.Conn.Close()
	}
	return n, err
}

// Close closes the connection; with a round trip, after the replies
// written before it have reached the client.
func (c *faultConn) Close() error {
	if c.late != nil {
		c.late.close()
		return nil
	}
	return c.Conn.Close()
}

// hidden reports whether p is a line of an EHLO reply ("250-CHUNKING") that
// names one of the keywords in hide. go-smtp writes each line of a reply
// with a write of its own, and its EHLO reply ends with SIZE or LIMITS, so a
// hidden line is never the last.
func hidden(p []byte, hide []string) bool {
	if len(hide) == 0 || !bytes.HasPrefix(p, []byte("250-")) {
		return false
	}
	kw, _, _ := strings.Cut(strings.TrimRight(string(p[4:]), "\r\n"), " ")
	for _, h := range hide {
		if strings.EqualFold(kw, h) {
			return true
		}
	}
	return false
}

// lateWriter writes what the server writes a round trip later, in order,
// without a reply waiting for the delay of the one before: the client of a
// pipelining server far away gets the replies of commands sent together
// together, one round trip after it sent them.
type lateWriter struct {
	conn   net.Conn
	rtt    time.Duration
	q      chan lateWrite
	done   chan struct{} // closed when the connection is
	closed sync.Once
}

type lateWrite struct {
	at    time.Time
	data  []byte
	close bool // close the connection after data
}

func newLateWriter(c net.Conn, rtt time.Duration) *lateWriter {
	w := &lateWriter{conn: c, rtt: rtt, q: make(chan lateWrite, 1024), done: make(chan struct{})}
	go w.run()
	return w
}

func (w *lateWriter) run() {
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

func (w *lateWriter) write(p []byte, closeAfter bool) {
	w.put(lateWrite{at: time.Now().Add(w.rtt), data: bytes.Clone(p), close: closeAfter})
}

func (w *lateWriter) close() {
	w.closed.Do(func() { w.put(lateWrite{at: time.Now().Add(w.rtt), close: true}) })
}

// put queues a write; after the connection is closed, writes are dropped.
func (w *lateWriter) put(lw lateWrite) {
	select {
	case w.q <- lw:
	case <-w.done:
	}
}
