package smtptest_test

import (
	"net/smtp"
	"strings"
	"testing"

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
