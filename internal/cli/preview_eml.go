package cli

import (
	"context"
	"fmt"
	"strings"

	"masthead/delivery"
	"masthead/newsletter"
	"masthead/subscribers"
	"masthead/templates"
)

// writePreviewEML prints the whole MIME message the delivery engine would send,
// built by the same Composer, to a stand-in recipient.
func (a *app) writePreviewEML(ctx context.Context, p *newsletter.Publication, iss *newsletter.Issue, who *templates.Personal) error {
	secret, err := a.secret(ctx)
	if err != nil {
		return err
	}
	comp, err := delivery.NewComposer(p, iss, delivery.ComposerConfig{BaseURL: p.LinkBase(a.cfg.BaseURL), Signer: subscribers.NewSigner(secret), Now: a.now})
	if err != nil {
		return err
	}
	domain := "masthead.invalid"
	if addr, err := newsletter.ParseAddress(p.From); err == nil {
		domain = addr.Address[strings.LastIndexByte(addr.Address, '@')+1:]
	}
	msg, err := comp.Compose(delivery.Recipient{Email: who.Email, Name: who.Name,
		MessageID: fmt.Sprintf("<preview.%d@%s>", iss.ID, domain)}, &delivery.Buffers{})
	if err != nil {
		return err
	}
	_, err = msg.WriteTo(a.env.Stdout)
	return err
}
