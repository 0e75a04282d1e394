package delivery

import (
	"bytes"
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"

	"masthead/subscribers"
)

// EnvelopeAddress is the address masthead gives a mail server for addr (a
// stored, normalised address), in RCPT TO and the To header alike, computed
// once per recipient by the composer: the domain in its ASCII form (IDNA
// punycode, subscribers.ASCIIAddress), which every server takes —
// "user@bücher.example" goes out as "user@xn--bcher-kva.example". A local
// part that is not ASCII stays as it is: only a server that offers SMTPUTF8
// (RFC 6531) takes it, and the transaction refuses it elsewhere before
// anything is sent (needsUTF8), failing the row without a bounce.
func EnvelopeAddress(addr string) (string, error) {
	return subscribers.ASCIIAddress(addr)
}

// content is a message's bytes as the SMTP server receives them.
type content interface {
	Len() int
	// AppendTo appends the message, dot-stuffed for DATA when stuffed.
	AppendTo(dst []byte, stuffed bool) []byte
}

var _ content = (*Mail)(nil)

// rawContent is a message rendered elsewhere (a go-mail Msg), with CRLF
// line ends.
type rawContent []byte

func (r rawContent) Len() int { return len(r) }

func (r rawContent) AppendTo(dst []byte, stuffed bool) []byte {
	if !stuffed {
		return append(dst, r...)
	}
	dst, _ = appendStuffed(dst, r, true)
	return dst
}

// wireOf is what a Conn sends for m: the bytes, and the SMTP envelope (MAIL
// FROM and RCPT TO). A composed issue message gives them at once; a go-mail
// Msg (the web edition's confirmations) is rendered into scratch first. The
// bytes always end with CRLF, as DATA would make them (RFC 5321 4.1.1.4).
func wireOf(m *Message, scratch *[]byte) (body content, from, to string, err error) {
	if m.Mail != nil {
		from, to = envelope(m.Mail)
		return m.Mail, from, to, nil
	}
	if m.Msg == nil {
		return nil, "", "", errors.New("no message")
	}
	var b bytes.Buffer
	b.Grow(4 << 10)
	if _, err := m.Msg.WriteTo(&b); err != nil {
		return nil, "", "", fmt.Errorf("render message: %w", err)
	}
	raw := append((*scratch)[:0], b.Bytes()...)
	if !bytes.HasSuffix(raw, []byte("\r\n")) {
		raw = append(raw, '\r', '\n')
	}
	*scratch = raw
	if from, err = m.Msg.GetSender(false); err != nil {
		return nil, "", "", fmt.Errorf("sender: %w", err)
	}
	rcpts, err := m.Msg.GetRecipients()
	if err != nil || len(rcpts) != 1 {
		return nil, "", "", fmt.Errorf("a message needs exactly one recipient (%d, %v)", len(rcpts), err)
	}
	// go-mail gives them as "<address>".
	return rawContent(raw), unbracket(from), unbracket(rcpts[0]), nil
}

func unbracket(addr string) string {
	if len(addr) >= 2 && addr[0] == '<' && addr[len(addr)-1] == '>' {
		return addr[1 : len(addr)-1]
	}
	return addr
}

// envelope is the SMTP envelope of a composed message: the publication's
// From address and the recipient's, each made by envelopeAddress.
func envelope(m *Mail) (from, to string) { return m.c.envFrom, m.rcpt }

// envelopeAddress is an address as MAIL FROM and RCPT TO carry it (RFC 5321
// 4.1.2), without its angle brackets: a local part that is not a dot-atom
// quoted again (net/mail unquotes it), as go-mail sends it. This is the one
// place the envelope's addresses are made.
func envelopeAddress(addr string) string {
	return unbracket((&netmail.Address{Address: addr}).String())
}

// envelopeSafe reports whether an address can go in MAIL FROM or RCPT TO
// as <address> without ending the command early.
func envelopeSafe(addr string) bool {
	return addr != "" && !strings.ContainsAny(addr, "\r\n<>\x00")
}

// needsUTF8 reports whether an envelope address is not plain ASCII (RFC
// 6531: it needs the server's SMTPUTF8).
func needsUTF8(addr string) bool {
	for i := 0; i < len(addr); i++ {
		if addr[i] >= 0x80 {
			return true
		}
	}
	return false
}
