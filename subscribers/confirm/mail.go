package confirm

import (
	"bytes"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	texttemplate "text/template"

	"github.com/wneessen/go-mail"

	"masthead/assembly"
	"masthead/newsletter"
	"masthead/subscribers"
	"masthead/templates"
)

// pageMail is the theme's page of the confirmation email's HTML part
// (templates/theme/mail-confirm.html); the text part is mail/confirm.txt.
const pageMail = "mail-confirm"

// email is what the confirmation email's templates see.
type email struct {
	assembly.Site
	Email   string
	Links   []link
	Expires string // "Thursday, July 16, 2009"
}

// link is one publication's confirm link.
type link struct {
	PublicationName string
	URL             string
}

//go:embed mail/confirm.txt
var textSrc string

// text is the text part of the confirmation email, parsed once.
var text = texttemplate.Must(texttemplate.New("mail/confirm.txt").Parse(textSrc))

// checkPage renders the theme's confirmation email against sample data, so
// that a broken page (or a theme override of it) fails at start, naming its
// file and line.
func checkPage(t *templates.Theme) error {
	sample := email{Site: assembly.Site{SiteName: "The Daily Planet", Tagline: "All the news that fits", HomeURL: "/", FeedURL: "/feed.atom"},
		Email: "jane@example.org", Expires: "Thursday, July 16, 2009",
		Links: []link{{PublicationName: "The Daily Planet", URL: "https://planet.example/confirm/x"}}}
	if err := t.Check(pageMail, sample); err != nil {
		return fmt.Errorf("page %s: %w", pageMail, err)
	}
	return text.Execute(new(bytes.Buffer), sample)
}

// message builds the double opt-in email to sub with one link for each of
// pubs; it comes From the first publication.
func (q *Queue) message(sub *subscribers.Subscriber, pubs []*newsletter.Publication) (*mail.Msg, error) {
	// One address for every link of the email: the first publication's
	// (the one it comes From); the web edition answers them all.
	now, base := q.cfg.Now(), pubs[0].LinkBase(q.cfg.BaseURL)
	data := email{
		Site:    assembly.SiteOf(q.cfg.SiteName, pubs),
		Email:   sub.Email,
		Expires: newsletter.DateOf(now.Add(q.cfg.TTL)).Long(),
	}
	data.HomeURL, data.FeedURL = base+"/", base+"/feed.atom"
	names := make([]string, 0, len(pubs))
	for _, p := range pubs {
		data.Links = append(data.Links, link{PublicationName: p.Name,
			URL: q.cfg.Signer.ConfirmURL(base, sub.ID, p.ID, now, q.cfg.TTL)})
		names = append(names, p.Name)
	}
	theme, err := q.cfg.Assembler.SiteTheme(pubs)
	if err != nil {
		return nil, err
	}
	var htmlBody, textBody bytes.Buffer
	if err := theme.Page(&htmlBody, pageMail, data); err != nil {
		return nil, err
	}
	if err := text.Execute(&textBody, data); err != nil {
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
	m.Subject("Confirm your subscription to " + strings.Join(names, " and "))
	m.SetDateWithValue(now)
	m.SetMessageIDWithValue(messageID(base, "confirm"))
	m.SetGenHeader("Auto-Submitted", "auto-generated") // RFC 3834: no auto-replies, please
	m.SetBodyString(mail.TypeTextPlain, textBody.String())
	m.AddAlternativeString(mail.TypeTextHTML, htmlBody.String())
	return m, nil
}

// messageID makes a unique Message-ID (without brackets) on the web
// edition's host.
func messageID(baseURL, kind string) string {
	var b [12]byte
	rand.Read(b[:])
	host := "masthead.invalid"
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return kind + "." + hex.EncodeToString(b[:]) + "@" + host
}
