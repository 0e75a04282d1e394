package web

import (
	"bytes"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"fmt"
	"net/url"
	texttemplate "text/template"

	"github.com/wneessen/go-mail"

	"masthead/newsletter"
	"masthead/subscribers"
)

// confirmEmail is what the confirmation email's templates see: the theme's
// mail-confirm.html page for the HTML part and mail/confirm.txt for the text.
type confirmEmail struct {
	site
	Email   string
	Links   []confirmLink
	Expires string // "Thursday, July 16, 2009"
}

// confirmLink is one publication's confirm link.
type confirmLink struct {
	PublicationName string
	URL             string
}

//go:embed mail/confirm.txt
var confirmTextSrc string

// confirmText is the text part of the confirmation email, parsed once.
var confirmText = texttemplate.Must(texttemplate.New("mail/confirm.txt").Parse(confirmTextSrc))

// confirmMessage builds the double opt-in email to sub with one link for each
// of pubs; it comes From the first publication.
func (s *Server) confirmMessage(sub *subscribers.Subscriber, pubs []*newsletter.Publication) (*mail.Msg, error) {
	now := s.now()
	data := confirmEmail{
		site:    s.siteFor(pubs),
		Email:   sub.Email,
		Expires: newsletter.DateOf(now.Add(s.confirmTTL)).Long(),
	}
	data.HomeURL, data.FeedURL = s.baseURL+"/", s.baseURL+"/feed.atom"
	names := ""
	for i, p := range pubs {
		data.Links = append(data.Links, confirmLink{PublicationName: p.Name,
			URL: s.signer.ConfirmURL(s.baseURL, sub.ID, p.ID, now, s.confirmTTL)})
		if i > 0 {
			names += " and "
		}
		names += p.Name
	}
	var htmlBody, textBody bytes.Buffer
	if err := s.siteTheme(pubs).Page(&htmlBody, mailConfirm, data); err != nil {
		return nil, err
	}
	if err := confirmText.Execute(&textBody, data); err != nil {
		return nil, fmt.Errorf("confirmation text: %w", err)
	}
	from, err := newsletter.ParseAddress(pubs[0].From)
	if err != nil {
		return nil, fmt.Errorf("publication %s: From: %w", pubs[0].Slug, err)
	}
	to, err := subscribers.ASCIIAddress(sub.Email)
	if err != nil {
		return nil, err
	}
	m := mail.NewMsg(mail.WithNoDefaultUserAgent())
	m.FromMailAddress(from)
	if err := m.To(to); err != nil {
		return nil, fmt.Errorf("confirmation to %q: %w", to, err)
	}
	m.Subject("Confirm your subscription to " + names)
	m.SetDateWithValue(now)
	m.SetMessageIDWithValue(s.messageID("confirm"))
	m.SetGenHeader("Auto-Submitted", "auto-generated") // RFC 3834: no auto-replies, please
	m.SetBodyString(mail.TypeTextPlain, textBody.String())
	m.AddAlternativeString(mail.TypeTextHTML, htmlBody.String())
	return m, nil
}

// messageID makes a unique Message-ID (without brackets) on the web
// edition's host.
func (s *Server) messageID(kind string) string {
	var b [12]byte
	rand.Read(b[:])
	host := "masthead.invalid"
	if u, err := url.Parse(s.baseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return kind + "." + hex.EncodeToString(b[:]) + "@" + host
}
