package bounces

import (
	"bytes"
	"context"
	"mime"
	"net/mail"
	"strings"
	"time"

	"masthead/subscribers"
)

// Mail to a publication's unsubscribe address (its unsubscribe_mailto,
// which every issue's List-Unsubscribe offers beside the https link) is an
// unsubscribe request when it carries the reader's signed unsubscribe
// token: in the Subject, as the mailto link fills it ("unsubscribe TOKEN"),
// or in the address it was sent to, plus-addressed (unsubscribe+TOKEN@...).
// The poller reads such mail from the same mailbox as the bounce reports,
// or another, and ends the subscription the token names through the same
// operation as the one-click link.

// Unsubscriber ends one subscription on a reader's behalf: the operation
// the one-click link goes through (workspace.Service.Unsubscribe), which
// records the subscriber event. A subscription that is no more gives
// ledger.ErrNotFound.
type Unsubscriber interface {
	Unsubscribe(ctx context.Context, pubID, subscriberID int64, via subscribers.Via) error
}

// recipientHeaders are where a message's own recipients are named: the
// headers a mail client writes and those a delivering server adds.
var recipientHeaders = []string{"To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To"}

// UnsubscribeToken returns the valid unsubscribe token a message carries in
// its Subject or in the plus-addressed local part of one of its recipients
// (only the message's own headers: a bounce's returned message is not
// looked into). A forged or tampered token is no token.
func UnsubscribeToken(raw []byte, signer *subscribers.Signer, now time.Time) (subscribers.Token, bool) {
	if signer == nil {
		return subscribers.Token{}, false
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return subscribers.Token{}, false
	}
	var candidates []string
	subject := m.Header.Get("Subject")
	if d, err := new(mime.WordDecoder).DecodeHeader(subject); err == nil {
		subject = d
	}
	candidates = append(candidates, strings.FieldsFunc(subject, func(r rune) bool {
		return r == ' ' || r == '\t' || r == ':' || r == ',' || r == '(' || r == ')' || r == '[' || r == ']'
	})...)
	for _, h := range recipientHeaders {
		for _, v := range m.Header[h] {
			list, err := mail.ParseAddressList(v)
			if err != nil {
				continue
			}
			for _, a := range list {
				local := a.Address
				if at := strings.LastIndexByte(local, '@'); at >= 0 {
					local = local[:at]
				}
				if plus := strings.LastIndexByte(local, '+'); plus >= 0 {
					candidates = append(candidates, local[plus+1:])
				}
			}
		}
	}
	for _, c := range candidates {
		if tok, err := signer.Verify(c, subscribers.PurposeUnsubscribe, now); err == nil {
			return tok, true
		}
	}
	return subscribers.Token{}, false
}
