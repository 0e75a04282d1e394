package smtptest

import (
	"net/smtp"
	"strings"
	"testing"
	"time"
)

// A server with Hide offers neither PIPELINING nor CHUNKING but the rest; one
// a round trip away still answers every command, in order, and a 421 still
// reaches the client before the connection closes.
func TestHideAndRTT(t *testing.T) {
	for _, opts := range []Options{
		{Hide: []string{"PIPELINING", "chunking"}},
		{RTT: 5 * time.Millisecond},
	} {
		srv, err := Start(Options{Hide: opts.Hide, RTT: opts.RTT, Inject: func(stage Stage, _, rcpt string) *Fault {
			if stage == StageRcpt && rcpt == "down@example.net" {
				return &Fault{Code: 421, Text: "4.3.2 going away"}
			}
			return nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		c, err := smtp.Dial(srv.Addr)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Hello("client.example"); err != nil {
			t.Fatal(err)
		}
		for _, ext := range []string{"PIPELINING", "CHUNKING"} {
			if ok, _ := c.Extension(ext); ok == (len(opts.Hide) > 0) {
				t.Errorf("%+v: %s offered %v", opts, ext, ok)
			}
		}
		if ok, _ := c.Extension("ENHANCEDSTATUSCODES"); !ok {
			t.Errorf("%+v: ENHANCEDSTATUSCODES hidden too", opts)
		}
		c.Close()

		msg := []byte("Message-ID: <1@example.org>\r\n\r\nhi\r\n")
		if err := smtp.SendMail(srv.Addr, nil, "a@example.org", []string{"b@example.net"}, msg); err != nil {
			t.Errorf("%+v: %v", opts, err)
		}
		err = smtp.SendMail(srv.Addr, nil, "a@example.org", []string{"down@example.net"}, msg)
		if err == nil || !strings.Contains(err.Error(), "421") {
			t.Errorf("%+v: sending to a 421: %v", opts, err)
		}
		if srv.Count() != 1 || srv.Messages()[0].MessageID != "<1@example.org>" {
			t.Errorf("%+v: %d messages", opts, srv.Count())
		}
		srv.Close()
	}
}
