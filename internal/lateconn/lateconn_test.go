package lateconn

import (
	"io"
	"net"
	"testing"
	"time"
)

// What the server writes arrives whole and in order, and its close only
// after the writes before it.
func TestWritesArriveInOrderBeforeTheClose(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &Listener{Listener: ln, RTT: 30 * time.Millisecond}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		for _, s := range []string{"220 one\r\n", "250 two\r\n", "250 three\r\n"} {
			c.Write([]byte(s))
		}
		c.Close()
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if want := "220 one\r\n250 two\r\n250 three\r\n"; string(got) != want {
		t.Errorf("read %q, want %q", got, want)
	}
}
