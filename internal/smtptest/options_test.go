package smtptest_test

import (
	"net/smtp"
	"strings"
	"testing"
	"time"

	"masthead/internal/smtptest"
)

// Without ENHANCEDSTATUSCODES the EHLO reply does not offer it and a fault's
// reply is its code and text only; SMTPUTF8 is offered when asked for.
func TestOptionsShapeTheConversation(t *testing.T) {
	for _, plain := range []bool{false, true} {
		srv, err := smtptest.Start(smtptest.Options{NoEnhancedStatusCodes: plain, SMTPUTF8: plain,
			Inject: func(stage smtptest.Stage, _, _ string) *smtptest.Fault {
				if stage == smtptest.StageRcpt {
					return &smtptest.Fault{Code: 550, Text: "no such user"}
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
		ext, _ := c.Extension("ENHANCEDSTATUSCODES")
		utf8, _ := c.Extension("SMTPUTF8")
		if ext == plain || utf8 != plain {
			t.Errorf("plain %v: ENHANCEDSTATUSCODES offered %v, SMTPUTF8 %v", plain, ext, utf8)
		}
		if err := c.Mail("news@example.org"); err != nil {
			t.Fatal(err)
		}
		err = c.Rcpt("gone@example.net")
		want := `550 "5.1.1 no such user"` // net/smtp quotes the text
		if plain {
			want = `550 "no such user"`
		}
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("plain %v: RCPT answered %v, want %q", plain, err, want)
		}
		c.Close()
		srv.Close()
	}
}

// With a Clock, a message's Received time is the clock's when its DATA was
// read, not the wall clock's.
func TestClockStampsReceived(t *testing.T) {
	at := time.Date(2026, 10, 25, 6, 0, 0, 0, time.UTC)
	srv, err := smtptest.Start(smtptest.Options{Clock: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	msg := "Message-ID: <1@example.org>\r\nSubject: x\r\n\r\nx\r\n"
	if err := smtp.SendMail(srv.Addr, nil, "news@example.org", []string{"r@example.net"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	if m := srv.Messages(); len(m) != 1 || !m[0].Received.Equal(at) || m[0].MessageID != "<1@example.org>" {
		t.Fatalf("messages %+v, want one received at %s", m, at)
	}
}
