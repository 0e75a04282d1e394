package delivery

import (
	"errors"
	"strings"

	"masthead/subscribers"
)

// ErrNeedsSMTPUTF8 is a recipient whose local part is not ASCII, for a
// server that does not offer SMTPUTF8 (RFC 6531): no form of the address
// such a server takes exists, so the message is not sent (and the reader
// is not bounced).
var ErrNeedsSMTPUTF8 = errors.New("the address has non-ASCII letters before the @ and the mail server does not offer SMTPUTF8 (RFC 6531)")

// Envelope is a recipient's address as masthead gives it to a mail server.
type Envelope struct {
	// Address goes in RCPT TO and in the To header: the domain in its
	// ASCII (IDNA punycode) form, which every server takes ("user@bücher.example"
	// is "user@xn--bcher-kva.example"); the local part as stored.
	Address string
	// UTF8: the local part is not ASCII. Only a server that offers SMTPUTF8
	// takes it, with the SMTPUTF8 parameter on MAIL FROM (go-mail adds it
	// when the server offers it); see CheckSMTPUTF8.
	UTF8 bool
}

// EnvelopeAddress computes, once per recipient, the address to send addr
// to: every path that hands a recipient to a server (the composer for
// issues and tests, any other SMTP conversation) takes it from here.
func EnvelopeAddress(addr string) (Envelope, error) {
	ascii, err := subscribers.ASCIIAddress(addr)
	if err != nil {
		return Envelope{}, err
	}
	local := ascii[:strings.LastIndexByte(ascii, '@')]
	return Envelope{Address: ascii, UTF8: !isASCII(local)}, nil
}

// CheckSMTPUTF8 refuses, before anything is sent, an envelope that needs
// SMTPUTF8 on a connection whose server does not offer it (offers: the
// EHLO reply's SMTPUTF8). The refusal is a *ReplyError at StageMessage:
// the row fails without a bounce.
func CheckSMTPUTF8(env Envelope, offers bool) error {
	if !env.UTF8 || offers {
		return nil
	}
	return &ReplyError{Stage: StageMessage, Text: "not sent to " + env.Address + ": " + ErrNeedsSMTPUTF8.Error(), Err: ErrNeedsSMTPUTF8}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
