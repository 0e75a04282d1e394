package delivery_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"html/template"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"masthead/delivery"
	"masthead/internal/smtptest"
	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
	"masthead/templates"
)

// fixture is a SQLite store with a publication, an assembled issue rendered by
// the real theme, and subscribers.
type fixture struct {
	path   string
	st     *store.Store
	pub    *newsletter.Publication
	issue  *newsletter.Issue
	signer *subscribers.Signer
}

const (
	testBaseURL = "https://planet.example"
	testSecret  = "0123456789abcdef0123456789abcdef"
)

func newFixture(t testing.TB, bodyKB int) *fixture {
	t.Helper()
	return newFixtureAt(t, filepath.Join(t.TempDir(), "masthead.db"), bodyKB)
}

// newFixtureAt is newFixture on the database dsn names: a SQLite file, or a
// PostgreSQL database (addSubscribers and openRaw are SQLite's only).
func newFixtureAt(t testing.TB, dsn string, bodyKB int) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{path: dsn, signer: subscribers.NewSigner([]byte(testSecret))}
	var err error
	if f.st, err = store.Open(ctx, f.path, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.st.Close() })
	f.pub = &newsletter.Publication{Slug: "planet", Name: "The Daily Planet", From: "The Daily Planet <news@planet.example>",
		ReplyTo: "letters@planet.example", UnsubscribeMailto: "unsubscribe@planet.example",
		VolumeStart: newsletter.Date{Year: 2007, Month: 2, Day: 7}, TimeZone: "UTC"}
	f.pub.Normalize()
	if err := f.st.SavePublication(ctx, f.pub); err != nil {
		t.Fatal(err)
	}
	f.issue = f.assemble(t, newsletter.Date{Year: 2009, Month: 7, Day: 9}, bodyKB)
	return f
}

// assemble stores an issue for date rendered by the default theme, with
// articles long enough for about bodyKB kilobytes more than the theme's 13 KB
// of HTML. bodyKB 0 is a small hand-written issue, which keeps tests under
// the race detector quick (the test server reads message bodies slowly).
func (f *fixture) assemble(t testing.TB, d newsletter.Date, bodyKB int) *newsletter.Issue {
	t.Helper()
	if bodyKB == 0 {
		iss, err := f.st.AssembleIssue(context.Background(), f.pub.ID, d,
			func(*newsletter.Issue, newsletter.Numberer) (*newsletter.Issue, error) {
				return &newsletter.Issue{Volume: 3, Number: 153, Status: newsletter.Assembled, Subject: "The Daily Planet — Today",
					HTML: `<html><body><p>Good morning[[MH:greeting]].</p><p>News.</p>` +
						`<p><a href="[[MH:unsubscribe]]">Unsubscribe</a> [[MH:email]]</p></body></html>`,
					Text: "Good morning[[MH:greeting]].\n\nNews.\n\nUnsubscribe: [[MH:unsubscribe]]\n"}, nil
			})
		if err != nil {
			t.Fatal(err)
		}
		return iss
	}
	theme, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	para := "Metropolis — The city council voted on Thursday to extend the tramway to the harbour, " +
		"ending a debate that had run since the spring. "
	ti := &templates.Issue{PublicationName: f.pub.Name, Tagline: "All the news that fits", Volume: 3, Number: 153,
		Date: "Thursday, July 9, 2009", ISODate: d.String(), Copyright: "Copyright 2007-2009 - The Daily Planet, Metropolis.",
		Address: "355 Main Street, Metropolis", WebURL: testBaseURL + "/issues/planet/" + d.String(), HomeURL: testBaseURL + "/",
		Lang: "en", Greeting: "Good morning", BackToTop: "Back to the top"}
	for i := 0; i < 6; i++ {
		n := max(1, bodyKB*1024/6/len(para)/3)
		var h, txt strings.Builder
		for j := 0; j < n; j++ {
			h.WriteString("<p>" + template.HTMLEscapeString(para) + "</p>")
			txt.WriteString(para + "\n\n")
		}
		ti.Articles = append(ti.Articles, templates.Article{Anchor: fmt.Sprintf("a%d", i), Section: "City",
			Title: fmt.Sprintf("Headline %d", i), Author: "Lois Lane", HTML: template.HTML(h.String()), Text: txt.String()})
	}
	html, text, err := theme.RenderEmail(ti)
	if err != nil {
		t.Fatal(err)
	}
	iss, err := f.st.AssembleIssue(context.Background(), f.pub.ID, d,
		func(*newsletter.Issue, newsletter.Numberer) (*newsletter.Issue, error) {
			return &newsletter.Issue{Volume: 3, Number: 153, Status: newsletter.Assembled,
				Subject: templates.Subject(ti, ""), HTML: html, Text: text}, nil
		})
	if err != nil {
		t.Fatal(err)
	}
	return iss
}

// addSubscribers adds n active subscribers r<first+i>@<domain(i)>, subscribed.
func (f *fixture) addSubscribers(t testing.TB, first, n int, domain func(i int) string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+f.path+"?_busy_timeout=10000&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	sub, _ := tx.Prepare(`INSERT INTO subscribers (email, name, status, created_at, updated_at) VALUES (?, ?, 'active', 1, 1) RETURNING id`)
	ship, _ := tx.Prepare(`INSERT INTO subscriptions (subscriber_id, publication_id, status, created_at, updated_at) VALUES (?, ?, 'active', 1, 1)`)
	for i := first; i < first+n; i++ {
		d := "example.net"
		if domain != nil {
			d = domain(i)
		}
		var id int64
		if err := sub.QueryRow(fmt.Sprintf("r%05d@%s", i, d), fmt.Sprintf("Reader %d", i)).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if _, err := ship.Exec(id, f.pub.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// fastConfig is an engine configuration with test-sized timings.
func (f *fixture) fastConfig(conns int) delivery.Config {
	return delivery.Config{
		Connections: conns,
		Lease:       5 * time.Second,
		RecordEvery: 20 * time.Millisecond,
		Retry:       delivery.Backoff{Base: 20 * time.Millisecond, Max: 200 * time.Millisecond},
		Breaker:     delivery.Backoff{Base: 50 * time.Millisecond, Max: 400 * time.Millisecond},
		Poll:        20 * time.Millisecond,
		// Refusals wait this long for the repeat check at most (a run's
		// last ones hold its end back by as much).
		RepeatWindow: 200 * time.Millisecond,
		BaseURL:      testBaseURL,
		Signer:       f.signer,
	}
}

func (f *fixture) engine(t testing.TB, sender delivery.Sender, cfg delivery.Config) *delivery.Engine {
	t.Helper()
	e, err := delivery.New(f.st, sender, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// startServer starts a test SMTP server closed with the test.
func startServer(t testing.TB, opts smtptest.Options) *smtptest.Server {
	t.Helper()
	srv, err := smtptest.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// smtpTo is a Sender to a test server with the given command timeout.
func smtpTo(t testing.TB, srv *smtptest.Server, timeout time.Duration) *delivery.SMTP {
	t.Helper()
	cfg, err := delivery.ParseSMTPURL("smtp://" + srv.Addr + "?tls=none&timeout=" + timeout.String())
	if err != nil {
		t.Fatal(err)
	}
	return delivery.NewSMTP(cfg, nil)
}

// copies counts distinct Message-IDs received per recipient, and messages
// per (recipient, Message-ID).
func copies(msgs []smtptest.Message) (perRcpt map[string]int, dup int) {
	perRcpt = map[string]int{}
	seen := map[string]bool{}
	for _, m := range msgs {
		for _, rc := range m.To {
			key := rc + " " + m.MessageID
			if seen[key] {
				dup++
				continue
			}
			seen[key] = true
			perRcpt[rc]++
		}
	}
	return perRcpt, dup
}

// assertFilled checks that every message of the small fixture issue
// (assemble with bodyKB 0) carries its recipient's own values in each slot:
// the greeting with the name addSubscribers gave them, their address, and an
// unsubscribe link on testBaseURL whose token names a subscriber of the
// publication; and no marker is left unfilled.
func assertFilled(t testing.TB, f *fixture, msgs []smtptest.Message) {
	t.Helper()
	if len(msgs) == 0 {
		t.Fatal("no messages to check")
	}
	for _, m := range msgs {
		if m.Data == nil {
			t.Fatalf("message %s to %v kept no bytes", m.MessageID, m.To)
		}
		rcpt := m.To[0]
		var n int
		if _, err := fmt.Sscanf(rcpt, "r%05d@", &n); err != nil {
			t.Fatalf("recipient %q is not one of addSubscribers': %v", rcpt, err)
		}
		text, html := messageParts(t, m.Data)
		link := regexp.MustCompile(`Unsubscribe: (\S+)`).FindStringSubmatch(text)
		switch {
		case bytes.Contains(m.Data, []byte("[[MH:")) || strings.Contains(text+html, "[[MH:"):
			t.Errorf("message to %s has an unfilled slot:\n%s", rcpt, m.Data)
		case !strings.Contains(text, fmt.Sprintf("Good morning, Reader %d.", n)):
			t.Errorf("message to %s greets someone else:\n%s", rcpt, text)
		case !strings.Contains(html, rcpt) || !strings.Contains(html, fmt.Sprintf("Good morning, Reader %d.", n)):
			t.Errorf("HTML to %s lacks their address or greeting:\n%s", rcpt, html)
		case link == nil || !strings.HasPrefix(link[1], testBaseURL+"/unsubscribe/") || !strings.Contains(html, `href="`+link[1]+`"`):
			t.Errorf("message to %s has no unsubscribe link on %s in both parts:\n%s\n%s", rcpt, testBaseURL, text, html)
		default:
			tok, err := f.signer.Verify(link[1][strings.LastIndexByte(link[1], '/')+1:], subscribers.PurposeUnsubscribe, time.Now())
			if err != nil || tok.PublicationID != f.pub.ID || tok.SubscriberID == 0 {
				t.Errorf("unsubscribe token of %s: %+v, %v", rcpt, tok, err)
			}
		}
	}
}

// messageParts decodes a multipart/alternative message into its text and
// HTML parts.
func messageParts(t testing.TB, raw []byte) (text, html string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return text, html
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(p) // the multipart reader decodes quoted-printable
		if err != nil {
			t.Fatal(err)
		}
		switch ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct {
		case "text/plain":
			text = string(body)
		case "text/html":
			html = string(body)
		}
	}
}

// openRaw opens the fixture's database directly, for what the store has no
// method for.
func openRaw(t testing.TB, f *fixture) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+f.path+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
