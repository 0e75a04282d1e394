package confirm

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/wneessen/go-mail"

	"masthead/assembly"
	"masthead/newsletter"
	"masthead/subscribers"
	"masthead/templates"
)

// The welcome email: one per confirmed subscription of a publication whose
// welcome email is on, queued in the database by the confirming
// transaction (store.ClaimWelcomes and its neighbours) and sent by the same
// queue, through the same Mailer, as the confirmation emails. Like them it
// is claimed under a lease before it is sent and marked sent right after.

// pageWelcome is the theme's page of the welcome email's HTML part
// (templates/theme/mail-welcome.html); the text part is mail/welcome.txt.
const pageWelcome = "mail-welcome"

// defaultWelcome is the text of a welcome email whose publication has none.
const defaultWelcome = "Thank you for confirming your subscription. The next issue will be in your inbox."

// welcomeEmail is what the welcome email's templates see.
type welcomeEmail struct {
	assembly.Site
	Subject         string
	PublicationName string
	Email           string
	Paragraphs      [][]string // the text's paragraphs, each as its lines
	UnsubscribeURL  string
	Address         string // the publication's postal address
}

//go:embed mail/welcome.txt
var welcomeTextSrc string

// welcomeText is the text part of the welcome email, parsed once.
var welcomeText = texttemplate.Must(texttemplate.New("mail/welcome.txt").Parse(welcomeTextSrc))

func checkWelcome(t *templates.Theme) error {
	sample := welcomeEmail{Site: assembly.Site{SiteName: "The Daily Planet", Tagline: "All the news that fits", HomeURL: "/", FeedURL: "/feed.atom"},
		Subject: "Welcome to The Daily Planet", PublicationName: "The Daily Planet", Email: "jane@example.org",
		Paragraphs: paragraphs("Hello.\nSecond line.\n\nAnother paragraph."), UnsubscribeURL: "https://planet.example/unsubscribe/x",
		Address: "355 Main Street, Metropolis"}
	if err := t.Check(pageWelcome, sample); err != nil {
		return fmt.Errorf("page %s: %w", pageWelcome, err)
	}
	return welcomeText.Execute(new(bytes.Buffer), sample)
}

// paragraphs splits a plain text at its blank lines, each paragraph into its
// lines.
func paragraphs(text string) [][]string {
	var out [][]string
	for _, p := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		var lines []string
		for _, l := range strings.Split(p, "\n") {
			if l = strings.TrimRight(l, " \t"); l != "" {
				lines = append(lines, l)
			}
		}
		if len(lines) > 0 {
			out = append(out, lines)
		}
	}
	return out
}

// welcomeMessage builds w's welcome email from p.
func (q *Queue) welcomeMessage(w *subscribers.DueWelcome, p *newsletter.Publication) (*mail.Msg, error) {
	now, base := q.cfg.Now(), p.LinkBase(q.cfg.BaseURL)
	body := p.WelcomeBody
	if strings.TrimSpace(body) == "" {
		body = defaultWelcome
	}
	unsub := q.cfg.Signer.UnsubscribeURL(base, w.SubscriberID, p.ID)
	data := welcomeEmail{Site: assembly.SiteOf("", []*newsletter.Publication{p}), Subject: p.WelcomeSubjectLine(),
		PublicationName: p.Name, Email: w.Email, Paragraphs: paragraphs(body), UnsubscribeURL: unsub, Address: p.Address}
	data.HomeURL, data.FeedURL = base+"/", base+"/feed.atom"
	theme, err := q.cfg.Assembler.SiteTheme([]*newsletter.Publication{p})
	if err != nil {
		return nil, err
	}
	var htmlBody, textBody bytes.Buffer
	if err := theme.Page(&htmlBody, pageWelcome, data); err != nil {
		return nil, err
	}
	if err := welcomeText.Execute(&textBody, data); err != nil {
		return nil, fmt.Errorf("welcome text: %w", err)
	}
	from, err := newsletter.ParseAddress(p.From)
	if err != nil {
		return nil, fmt.Errorf("publication %s: From: %w", p.Slug, err)
	}
	to, err := subscribers.ASCIIAddress(w.Email)
	if err != nil {
		return nil, err
	}
	m := mail.NewMsg(mail.WithNoDefaultUserAgent())
	m.FromMailAddress(from)
	if p.ReplyTo != "" {
		if err := m.ReplyTo(p.ReplyTo); err != nil {
			return nil, fmt.Errorf("publication %s: Reply-To: %w", p.Slug, err)
		}
	}
	if err := m.To(to); err != nil {
		return nil, fmt.Errorf("welcome to %q: %w", to, err)
	}
	m.Subject(data.Subject)
	m.SetDateWithValue(now)
	m.SetMessageIDWithValue(messageID(base, "welcome"))
	// RFC 2369 and RFC 8058, as every issue has: the reader can leave from here.
	uris := "<" + unsub + ">"
	if p.UnsubscribeMailto != "" {
		if a, err := newsletter.ParseAddress(p.UnsubscribeMailto); err == nil {
			uris += ", <mailto:" + a.Address + "?subject=unsubscribe%20" + unsub[strings.LastIndexByte(unsub, '/')+1:] + ">"
		}
	}
	m.SetGenHeader("List-Unsubscribe", uris)
	m.SetGenHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	m.SetGenHeader("Auto-Submitted", "auto-generated") // RFC 3834
	m.SetBodyString(mail.TypeTextPlain, textBody.String())
	m.AddAlternativeString(mail.TypeTextHTML, htmlBody.String())
	return m, nil
}

// sendWelcomes claims and sends one batch of welcome emails over send; it
// returns how many it claimed. As for confirmations, a claim is given back
// on a failure that is not the recipient's, and a permanent refusal is not
// tried again.
func (q *Queue) sendWelcomes(ctx context.Context, rep *Report) (int, error) {
	st, log, now := q.cfg.Store, q.cfg.Log, q.cfg.Now
	claimed, err := st.ClaimWelcomes(ctx, batch, claimLease)
	if err != nil || len(claimed) == 0 {
		return 0, err
	}
	work := context.WithoutCancel(ctx) // marks are written even if ctx ends meanwhile
	giveBack := func(rest []*subscribers.DueWelcome, at time.Time) {
		for _, w := range rest {
			if err := st.RetryWelcome(work, w, at); err != nil {
				log.Warn("welcome emails: give back failed; it comes back when its claim runs out",
					"subscriber", w.SubscriberID, "err", err)
			}
		}
	}
	send, closeConn, err := q.cfg.Mailer.Session(ctx)
	if err != nil {
		giveBack(claimed, now())
		return 0, err
	}
	defer closeConn()
	pubs := map[int64]*newsletter.Publication{}
	start := time.Now()
	for i, w := range claimed {
		if ctx.Err() != nil || time.Since(start) > claimLease/2 {
			giveBack(claimed[i:], now())
			return len(claimed), ctx.Err()
		}
		p := pubs[w.PublicationID]
		if p == nil {
			if p, err = st.Publication(ctx, w.PublicationID); err != nil {
				giveBack(claimed[i:], now())
				return len(claimed), fmt.Errorf("welcome emails: publication %d: %w", w.PublicationID, err)
			}
			pubs[w.PublicationID] = p
		}
		if !p.WelcomeEmail { // turned off since the subscription was confirmed
			if err := st.WelcomeSent(work, w); err != nil {
				return len(claimed), err
			}
			continue
		}
		if q.cfg.Limit != nil {
			if err := q.cfg.Limit.Wait(ctx); err != nil {
				giveBack(claimed[i:], now())
				return len(claimed), err
			}
		}
		msg, err := q.welcomeMessage(w, p)
		if err != nil {
			log.Error("welcome email not built; tried again later", "subscriber", w.SubscriberID, "err", err)
			giveBack(claimed[i:i+1], now().Add(later))
			rep.Deferred++
			continue
		}
		err = send(ctx, msg)
		switch {
		case err == nil:
			rep.Welcomes++
			log.Info("welcome sent", "subscriber", w.SubscriberID, "publication", w.PublicationID)
		case permanent(err):
			rep.Refused++
			log.Warn("welcome email refused; not tried again", "subscriber", w.SubscriberID, "err", err)
		default:
			giveBack(claimed[i:], now())
			return len(claimed), fmt.Errorf("send welcome to subscriber %d: %w", w.SubscriberID, err)
		}
		if err := st.WelcomeSent(work, w); err != nil {
			return len(claimed), err // its claim runs out and it is sent once more: the one duplicate
		}
	}
	return len(claimed), nil
}
