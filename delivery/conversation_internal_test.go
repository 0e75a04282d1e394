package delivery

import (
	"net"
	"strings"
	"testing"

	"github.com/wneessen/go-mail/smtp"
)

// readReply takes replies as RFC 5321 4.2 writes them, one line or many,
// however long, and refuses what is not one.
func TestReadReply(t *testing.T) {
	long := strings.Repeat("x", 9000)
	server, client := net.Pipe()
	defer client.Close()
	go func() {
		defer server.Close()
		server.Write([]byte("220 hello\r\n" +
			"250 2.0.0 Ok: queued as 12345\r\n" +
			"250-first line\r\n250-second\r\n250 third\r\n" +
			"550\r\n" +
			"451 " + long + "\r\n" +
			"250-one\r\n251 two\r\n" +
			"hello there\r\n"))
	}()
	sc, err := smtp.NewClient(client, "example.net")
	if err != nil {
		t.Fatal(err)
	}
	c := &smtpConn{sc: sc}
	for _, want := range []struct {
		code int
		text string
	}{{250, "2.0.0 Ok: queued as 12345"}, {250, "first line\nsecond\nthird"}, {550, ""}, {451, long}} {
		code, text, err := c.readReply()
		if err != nil || code != want.code || string(text) != want.text {
			t.Fatalf("reply %d %.40q (%v), want %d %.40q", code, text, err, want.code, want.text)
		}
	}
	if _, _, err := c.readReply(); err == nil {
		t.Error("a reply whose lines have two codes was taken")
	}
	if _, _, err := c.readReply(); err == nil {
		t.Error("a line without a code was taken for a reply")
	}
}

func TestEnhancedCode(t *testing.T) {
	for text, want := range map[string]string{
		"5.1.1 no such user": "5.1.1", "4.7.0": "4.7.0", "2.0.0 Ok": "2.0.0", "5.1.1000 x": "",
		"no such user": "", "1.2.3 x": "", "5.1 x": "", "5.a.1 x": "", "": "", "5.1.1\nmore": "",
	} {
		if got := enhancedCode(text); got != want {
			t.Errorf("enhancedCode(%q) = %q, want %q", text, got, want)
		}
	}
}
