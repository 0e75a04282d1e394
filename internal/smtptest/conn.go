package smtptest

import (
	"bytes"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"masthead/internal/lateconn"
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
		fc.late = lateconn.NewWriter(c, l.rtt)
	}
	return fc, nil
}

type faultConn struct {
	net.Conn
	closeAfterWrite atomic.Bool
	hide            []string         // EHLO keywords left out
	late            *lateconn.Writer // nil: replies go out at once
}

func (c *faultConn) Write(p []byte) (int, error) {
	if hidden(p, c.hide) {
		return len(p), nil
	}
	if c.late != nil {
		c.late.Write(p, c.closeAfterWrite.Load())
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
		c.late.Close()
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
