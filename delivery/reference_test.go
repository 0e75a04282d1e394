package delivery

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	gomail "github.com/wneessen/go-mail"

	"masthead/newsletter"
	"masthead/subscribers"
	"masthead/templates"
)

// composeReference builds r's message the way masthead did before messages
// were laid out once per issue: a go-mail Msg per recipient, with the whole
// filled bodies, which go-mail encodes. It is kept only as the reference the
// spliced messages are checked against.
func composeReference(c *Composer, r Recipient, now time.Time) (*gomail.Msg, error) {
	to, err := newsletter.ParseAddress(r.Email)
	if err != nil {
		return nil, err
	}
	to.Name = oneLine(r.Name)
	shown := to.Address // the slot shows the address as stored; the header has its ASCII form
	if to.Address, err = EnvelopeAddress(to.Address); err != nil {
		return nil, err
	}
	token := c.signer.Sign(subscribers.Token{Purpose: subscribers.PurposeUnsubscribe,
		SubscriberID: r.SubscriberID, PublicationID: c.pub.ID})
	unsub := c.baseURL + "/unsubscribe/" + token
	p := templates.Personal{Name: to.Name, Email: shown, UnsubscribeURL: unsub}

	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	m.FromMailAddress(c.from)
	m.ToMailAddress(to)
	if c.replyTo != nil {
		m.ReplyToMailAddress(c.replyTo)
	}
	m.Subject(c.subject)
	m.SetDateWithValue(now)
	m.SetMessageIDWithValue(strings.Trim(r.MessageID, "<>"))
	m.SetBoundary(string(boundaryFor(nil, r.MessageID)))
	m.SetGenHeader("Auto-Submitted", "auto-generated")
	if c.feedbackID != "" {
		m.SetGenHeader("Feedback-ID", c.feedbackID)
	}
	m.SetGenHeader("List-Archive", c.archive)
	m.SetGenHeader("List-Help", c.help)
	m.SetGenHeader("Precedence", "bulk")
	m.SetGenHeader("X-Auto-Response-Suppress", "OOF, AutoReply")
	m.SetGenHeader("List-Id", c.listID)
	m.SetGenHeader(gomail.HeaderListUnsubscribe, c.unsubscribeURIs(unsub, token))
	m.SetGenHeader(gomail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	text, html := c.issue.Text, c.issue.HTML
	if text != "" {
		m.SetBodyString(gomail.TypeTextPlain, string(templates.Compile(text, templates.Text).Fill(nil, &p)))
	}
	if html != "" {
		filled := string(templates.Compile(html, templates.HTML).Fill(nil, &p))
		if text != "" {
			m.AddAlternativeString(gomail.TypeTextHTML, filled)
		} else {
			m.SetBodyString(gomail.TypeTextHTML, filled)
		}
	}
	return m, nil
}

// hostileRecipients have what breaks headers and encodings: non-ASCII,
// quotes, long names with and without spaces, line breaks, encoded-word
// look-alikes, dots; addresses with '+', a quoted local part, IDN domains.
func hostileRecipients() []Recipient {
	names := []string{
		"", "Reader", "Zoë \"Q\" Reader, Jr.", "José Ñúñez-Çağlar 🎉", `A "quoted" \ name`,
		"Eve\r\nBcc: spy@evil.example", "=?utf-8?q?not_encoded?=", "  leading and trailing  spaces  ",
		".", "..dot", strings.Repeat("x", 90), strings.Repeat("Long Name ", 15),
		strings.Repeat("Ünïcödé ", 12), "日本語の名前とても長い名前です日本語の名前とても長い名前です",
		"<script>alert('x')</script> & Co", "Tab\there", "semi;colon: and, comma",
	}
	emails := []string{
		"plain@example.net", "reader+tag@example.net", `"john doe"@example.net`,
		"user@bücher.example", "user@xn--bcher-kva.example",
		strings.Repeat("l", 64) + "@a.very.long.subdomain.of.example.org", "o'brien@example.ie",
		"first.last@example.net",
	}
	var rs []Recipient
	for i, n := range names {
		for j, e := range emails {
			if (i+j)%3 != 0 && i > 2 {
				continue // every name with some of the addresses
			}
			id := int64(i*100 + j + 1)
			rs = append(rs, Recipient{SubscriberID: id, Email: e, Name: n,
				MessageID: fmt.Sprintf("<20090709.%d.%d.a1b2c3@planet.example>", id, i+j)})
		}
	}
	return rs
}

// hostileBodies are issues whose slots sit where the encodings are delicate:
// at every column around the 76-character quoted-printable line, after a
// '.' at the start of a line, at the end of a body without a line end; with
// CRLF line ends; HTML-only and text-only; and the built-in theme's.
func hostileBodies(t *testing.T) map[string][2]string {
	var text, html strings.Builder
	for col := 60; col <= 80; col++ {
		pad := strings.Repeat("a", col)
		fmt.Fprintf(&text, "%s[[MH:name]] tail %d\n", pad, col)
		fmt.Fprintf(&text, "%s=[[MH:greeting]]\n", pad[:col-1])
		fmt.Fprintf(&text, "%s [[MH:email]] \n", pad)
		fmt.Fprintf(&html, "<p>%s<a href=\"[[MH:unsubscribe]]\">[[MH:name]]</a></p>\n", pad)
	}
	text.WriteString(".[[MH:name]]\n.\n..[[MH:greeting]] leading dots\n[[MH:name]]\n. [[MH:email]]\n")
	text.WriteString(strings.Repeat(".", 75) + "[[MH:name]]\n")
	text.WriteString("trailing spaces before the line end   \nUnsubscribe: [[MH:unsubscribe]]")
	html.WriteString(".<b>[[MH:name]]</b>\n<p>You are receiving this at [[MH:email]]. " +
		"<a href=\"[[MH:unsubscribe]]\" style=\"color:#8b1a1a\">Unsubscribe</a> with one click.</p>\n")
	html.WriteString("<p>Hello[[MH:greeting]]</p>")

	theme, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	ti := &templates.Issue{PublicationName: "The Daily Planet", Tagline: "All the news that fits", Volume: 3, Number: 153,
		Date: "Thursday, July 9, 2009", ISODate: "2009-07-09", Copyright: "Copyright 2007-2009 - The Daily Planet.",
		Address: "355 Main Street, Metropolis", WebURL: "https://planet.example/issues/planet/2009-07-09",
		HomeURL: "https://planet.example/",
		Lang:    "en", Greeting: "Good morning", BackToTop: "Back to the top"}
	for i := 0; i < 4; i++ {
		ti.Articles = append(ti.Articles, templates.Article{Anchor: fmt.Sprintf("a%d", i), Section: "City",
			Title: fmt.Sprintf("Headline %d — ünïcode", i), Author: "Lois Lane",
			HTML: template.HTML(strings.Repeat("<p>The council voted on Thursday to extend the tramway to the harbour. </p>\n", 8)),
			Text: strings.Repeat("The council voted on Thursday to extend the tramway to the harbour.\n", 8)})
	}
	themeHTML, themeText, err := theme.RenderEmail(ti)
	if err != nil {
		t.Fatal(err)
	}
	return map[string][2]string{
		"columns":   {text.String(), html.String()},
		"crlf":      {strings.ReplaceAll(text.String(), "\n", "\r\n"), strings.ReplaceAll(html.String(), "\n", "\r\n")},
		"text-only": {text.String() + "\n", ""},
		"html-only": {"", html.String()},
		"theme":     {themeText, themeHTML},
	}
}

func testComposerAt(t *testing.T, baseURL, text, html string, now time.Time) *Composer {
	t.Helper()
	pub := &newsletter.Publication{ID: 7, Slug: "planet", Name: "The Daily Planet",
		From: "The Daily Planet <news@planet.example>", ReplyTo: "Letters <letters@planet.example>",
		UnsubscribeMailto: "unsubscribe@planet.example"}
	iss := &newsletter.Issue{ID: 42, PublicationID: 7, Volume: 3, Number: 153,
		Subject: "The Daily Planet — Thursday, July 9, 2009 (Vol. 3, No. 153) with a long subject line", Text: text, HTML: html}
	c, err := NewComposer(pub, iss, ComposerConfig{BaseURL: baseURL,
		Signer: subscribers.NewSigner([]byte("0123456789abcdef0123456789abcdef")), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSpliceMatchesGoMail composes, for many hostile recipients and bodies,
// the spliced message and the reference go-mail one. Parsed with net/mail
// and mime/multipart they have the same headers but Date and byte-identical
// decoded parts; with the same Date they are the same bytes (the reference
// with the CRLF that DATA adds to a body without one).
func TestSpliceMatchesGoMail(t *testing.T) {
	at := time.Date(2009, 7, 9, 6, 0, 0, 0, time.UTC)
	bodies := hostileBodies(t)
	bodies["idn-base-url"] = bodies["theme"]
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			base := "https://planet.example"
			if name == "idn-base-url" { // List-Unsubscribe then needs RFC 2047
				base = "https://bücher.example/news"
			}
			c := testComposerAt(t, base, body[0], body[1], at)
			var buf Buffers
			for _, r := range hostileRecipients() {
				m, err := c.Compose(r, &buf)
				if err != nil {
					t.Fatalf("%q <%s>: %v", r.Name, r.Email, err)
				}
				got := m.AppendTo(nil, false)
				if m.Len() != len(got) {
					t.Fatalf("Len %d, wrote %d", m.Len(), len(got))
				}
				var w bytes.Buffer
				if _, err := m.WriteTo(&w); err != nil || !bytes.Equal(w.Bytes(), got) {
					t.Fatalf("WriteTo differs from AppendTo (%v)", err)
				}

				later, err := composeReference(c, r, at.Add(90*time.Minute))
				if err != nil {
					t.Fatal(err)
				}
				compareParsed(t, got, render(t, later), r)

				same, _ := composeReference(c, r, at)
				if want := render(t, same); !bytes.Equal(got, want) {
					i := firstDiff(got, want)
					t.Fatalf("%q <%s>: bytes differ at %d:\n got %q\nwant %q", r.Name, r.Email, i,
						got[max(0, i-80):min(len(got), i+80)], want[max(0, i-80):min(len(want), i+80)])
				}
			}
		})
	}
}

// render is what a server receives for a go-mail Msg sent by DATA.
func render(t *testing.T, m *gomail.Msg) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := m.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// compareParsed parses both messages and compares every header but Date
// and the decoded bytes of every part.
func compareParsed(t *testing.T, got, want []byte, r Recipient) {
	t.Helper()
	gh, gparts := parseMessage(t, got)
	wh, wparts := parseMessage(t, want)
	if gh.Get("Date") == wh.Get("Date") {
		t.Fatalf("the reference should have another Date")
	}
	delete(gh, "Date")
	delete(wh, "Date")
	if fmt.Sprint(gh) != fmt.Sprint(wh) {
		t.Fatalf("%q <%s>: headers differ:\n got %v\nwant %v", r.Name, r.Email, gh, wh)
	}
	if len(gparts) != len(wparts) || len(gparts) == 0 {
		t.Fatalf("%d parts, want %d", len(gparts), len(wparts))
	}
	for i := range gparts {
		if !bytes.Equal(gparts[i], wparts[i]) {
			t.Fatalf("%q <%s>: part %d differs decoded:\n got %q\nwant %q", r.Name, r.Email, i, gparts[i], wparts[i])
		}
	}
	// The name reached the To header intact (line breaks made spaces).
	to, err := mail.ParseAddress(gh.Get("To"))
	if err != nil || to.Name != oneLine(r.Name) {
		t.Fatalf("To %q parses as %+v (%v), want name %q", gh.Get("To"), to, err, oneLine(r.Name))
	}
}

// parseMessage returns a message's header and its parts' decoded bodies
// (with each part's Content-Type first).
func parseMessage(t *testing.T, raw []byte) (mail.Header, [][]byte) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
		if err != nil {
			t.Fatal(err)
		}
		return m.Header, [][]byte{append([]byte(mt+"\n"), body...)}
	}
	var parts [][]byte
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return m.Header, parts
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(p) // the multipart reader decodes quoted-printable
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, append([]byte(p.Header.Get("Content-Type")+"\n"), body...))
	}
}
