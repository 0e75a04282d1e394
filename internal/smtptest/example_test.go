package smtptest_test

import (
	"fmt"
	"net/smtp"
	"strings"

	"masthead/internal/smtptest"
)

// A server that refuses one recipient with 550 and accepts the rest.
func Example() {
	srv, err := smtptest.Start(smtptest.Options{Inject: func(stage smtptest.Stage, from, rcpt string) *smtptest.Fault {
		if stage == smtptest.StageRcpt && rcpt == "gone@example.net" {
			return &smtptest.Fault{Code: 550, Text: "5.1.1 no such user"}
		}
		return nil
	}})
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	msg := "Message-ID: <1@example.org>\r\nSubject: hi\r\n\r\nhello\r\n"
	err = smtp.SendMail(srv.Addr, nil, "news@example.org", []string{"gone@example.net"}, []byte(msg))
	fmt.Println(strings.SplitN(err.Error(), "\n", 2)[0])
	err = smtp.SendMail(srv.Addr, nil, "news@example.org", []string{"reader@example.net"}, []byte(msg))
	fmt.Println(err, srv.Count(), srv.Messages()[0].To, srv.Messages()[0].MessageID)
	// Output:
	// 550 "5.1.1 no such user"
	// <nil> 1 [reader@example.net] <1@example.org>
}
