package delivery_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"masthead/delivery"
	"masthead/internal/smtptest"
	"masthead/newsletter"
	"masthead/store"
)

// The server's extensions decide the conversation: BDAT where CHUNKING is
// offered, DATA otherwise; all commands of a message in one write where
// PIPELINING is, one by one where not.
var conversations = []struct {
	name string
	hide []string
}{
	{"pipelined BDAT", nil},
	{"pipelined DATA", []string{"CHUNKING"}},
	{"BDAT one by one", []string{"PIPELINING"}},
	{"DATA one by one", []string{"PIPELINING", "CHUNKING"}},
}

// hostileIssue is an issue whose slots sit where the encodings are delicate
// (a '.' starting a line, around the 76th column of quoted-printable, the
// last line without a line end).
func (f *fixture) hostileIssue(t testing.TB, d newsletter.Date) *newsletter.Issue {
	t.Helper()
	var text, html strings.Builder
	text.WriteString("Good morning[[MH:greeting]].\n.[[MH:name]]\n..\n")
	for col := 66; col <= 78; col++ {
		fmt.Fprintf(&text, "%s[[MH:name]] and .[[MH:email]]\n", strings.Repeat(".", col))
		fmt.Fprintf(&html, "<p>%s<a href=\"[[MH:unsubscribe]]\">[[MH:name]]</a></p>\n", strings.Repeat("x", col))
	}
	text.WriteString("Unsubscribe: [[MH:unsubscribe]]")
	html.WriteString(".<p>You are receiving this at [[MH:email]].</p>\n")
	iss, err := f.st.AssembleIssue(context.Background(), f.pub.ID, d,
		func(*newsletter.Issue, newsletter.Numberer) (*newsletter.Issue, error) {
			return &newsletter.Issue{Volume: 3, Number: 153, Status: newsletter.Assembled, Subject: "Ünïcode — héadlines",
				HTML: html.String(), Text: text.String()}, nil
		})
	if err != nil {
		t.Fatal(err)
	}
	return iss
}

// addHostile adds subscribers with the names and addresses that break
// headers and encodings, and two the test server refuses.
func (f *fixture) addHostile(t testing.TB) {
	t.Helper()
	db := openRaw(t, f)
	people := [][2]string{
		{"reader+tag@example.net", "Zoë \"Q\" Reader, Jr."},
		{`"john doe"@example.net`, "John\r\nBcc: spy@evil.example"},
		{"refused@example.net", "Gone Away"},
		{"user@xn--bcher-kva.example", strings.Repeat("Ünïcödé ", 12)},
		{"later@example.net", "Busy Mailbox"},
		{"dot@example.net", "."},
		{"long@example.net", strings.Repeat("x", 90)},
		{"o'brien@example.ie", "=?utf-8?q?not_encoded?="},
	}
	for _, p := range people {
		var id int64
		if err := db.QueryRow(`INSERT INTO subscribers (email, name, status, created_at, updated_at) VALUES (?, ?, 'active', 1, 1) RETURNING id`,
			p[0], p[1]).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`INSERT INTO subscriptions (subscriber_id, publication_id, status, created_at, updated_at) VALUES (?, ?, 'active', 1, 1)`,
			id, f.pub.ID); err != nil {
			t.Fatal(err)
		}
	}
}

// TestWireEqualsOutbox keeps an issue to hostile recipients in the outbox,
// then sends each of its messages over one connection in every
// conversation: the bytes the go-smtp server receives are those the outbox
// kept, with DKIM (Ed25519 and RSA) verifying and covering both
// List-Unsubscribe headers. The server refuses one recipient at RCPT (550)
// and one message after its bytes (451), inside the pipelined batch: each
// refusal is reported at its stage with its enhanced code, and the messages
// after it still go out on the same connection.
func TestWireEqualsOutbox(t *testing.T) {
	for _, alg := range []string{"", "ed25519", "rsa"} {
		t.Run("dkim="+alg, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, 0)
			f.addHostile(t)
			f.addSubscribers(t, 0, 4, nil)
			iss := f.hostileIssue(t, newsletter.Date{Year: 2009, Month: 7, Day: 10})
			fixed := time.Date(2009, 7, 10, 6, 0, 0, 0, time.UTC)
			cfg := f.fastConfig(2)
			cfg.Now = func() time.Time { return fixed }
			var txt string
			if alg != "" {
				key, record := dkimKey(t, alg)
				d, err := delivery.LoadDKIM(delivery.DKIMConfig{Domain: "planet.example", Selector: "mh", KeyFile: key})
				if err != nil {
					t.Fatal(err)
				}
				cfg.DKIM, txt = d, record
			}
			e := f.engine(t, delivery.NewOutbox(f.st), cfg)
			if _, err := e.Start(ctx, iss.ID); err != nil {
				t.Fatal(err)
			}
			if sum, err := e.Run(ctx, iss.ID); err != nil || sum.Counts.Sent != 12 {
				t.Fatalf("outbox run: %v, %+v", err, sum)
			}
			kept, err := f.st.Outbox(ctx, store.OutboxFilter{IssueID: iss.ID})
			if err != nil || len(kept) != 12 {
				t.Fatalf("outbox: %d, %v", len(kept), err)
			}
			rows, _ := f.st.Deliveries(ctx, store.DeliveryFilter{IssueID: iss.ID})
			byID := map[int64]*store.Delivery{}
			for _, d := range rows {
				byID[d.ID] = d
			}
			comp, err := e.Composer(ctx, iss.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, conv := range conversations {
				t.Run(conv.name, func(t *testing.T) {
					srv := startServer(t, smtptest.Options{Hide: conv.hide, Inject: func(stage smtptest.Stage, _, rcpt string) *smtptest.Fault {
						switch {
						case stage == smtptest.StageRcpt && rcpt == "refused@example.net":
							return &smtptest.Fault{Code: 550, Text: "5.1.1 no such user"}
						case stage == smtptest.StageData && rcpt == "later@example.net":
							return &smtptest.Fault{Code: 451, Text: "4.3.0 try later"}
						}
						return nil
					}})
					conn, err := smtpTo(t, srv, 5*time.Second).Open(ctx)
					if err != nil {
						t.Fatal(err)
					}
					defer conn.Close()
					var buf delivery.Buffers
					for _, k := range kept {
						d := byID[k.DeliveryID]
						composed, err := comp.Compose(delivery.Recipient{SubscriberID: d.SubscriberID, Email: d.Email, Name: d.Name,
							MessageID: d.MessageID}, &buf)
						if err != nil {
							t.Fatal(err)
						}
						m := &delivery.Message{Mail: composed, To: d.Email}
						err = conn.Send(ctx, m)
						checkRefusal(t, d.Email, err)
						if err != nil {
							continue
						}
						if !strings.HasPrefix(m.Reply, "250 2.0.0 ") {
							t.Errorf("%s: reply %q", d.Email, m.Reply)
						}
						msgs := srv.Messages()
						got := msgs[len(msgs)-1]
						// Both net/mail and go-smtp take the quotes off a quoted local part.
						addr, _ := mail.ParseAddress(d.Email)
						if got.MessageID != d.MessageID || len(got.To) != 1 || got.To[0] != addr.Address {
							t.Fatalf("received %s to %v, want %s to %s", got.MessageID, got.To, d.MessageID, d.Email)
						}
						raw, _ := f.st.OutboxByID(ctx, k.ID)
						if alg == "" && !bytes.Equal(got.Data, raw.Raw) {
							t.Fatalf("%s: received bytes differ from the outbox's:\n%q\n----\n%q", d.Email, got.Data, raw.Raw)
						}
						if alg != "" {
							if !bytes.Equal(withoutSignature(got.Data), withoutSignature(raw.Raw)) {
								t.Fatalf("%s: received bytes differ from the outbox's but for the signature", d.Email)
							}
							verifyDKIM(t, got.Data, txt)
						}
					}
					if srv.Count() != 10 || srv.Connections() != 1 {
						t.Errorf("server got %d messages over %d connections, want 10 over 1", srv.Count(), srv.Connections())
					}
				})
			}
		})
	}
}

// checkRefusal: the two refused recipients get a ReplyError at their stage
// with the server's codes; everyone else's message is accepted.
func checkRefusal(t *testing.T, rcpt string, err error) {
	t.Helper()
	want := map[string]delivery.ReplyError{
		"refused@example.net": {Stage: delivery.StageRcpt, Code: 550, Enhanced: "5.1.1", Text: "550 5.1.1 no such user (RCPT TO)"},
		"later@example.net":   {Stage: delivery.StageData, Code: 451, Enhanced: "4.3.0", Text: "451 4.3.0 try later (DATA)"},
	}[rcpt]
	var re *delivery.ReplyError
	switch {
	case want.Code == 0 && err != nil:
		t.Fatalf("%s: %v", rcpt, err)
	case want.Code == 0:
	case !errors.As(err, &re):
		t.Fatalf("%s: %v, want a refusal", rcpt, err)
	case re.Stage != want.Stage || re.Code != want.Code || re.Enhanced != want.Enhanced || re.Text != want.Text:
		t.Fatalf("%s: %+v, want %+v", rcpt, *re, want)
	}
}

// withoutSignature is a message without its DKIM-Signature field (its t=
// is the second it was made).
func withoutSignature(raw []byte) []byte {
	if !bytes.HasPrefix(raw, []byte("DKIM-Signature:")) {
		return raw
	}
	for i := bytes.Index(raw, []byte("\r\n")); i >= 0; i = bytes.Index(raw, []byte("\r\n")) {
		raw = raw[i+2:]
		if raw[0] != ' ' && raw[0] != '\t' {
			return raw
		}
	}
	return nil
}

func verifyDKIM(t *testing.T, raw []byte, txt string) {
	t.Helper()
	verifs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{
		LookupTXT: func(string) ([]string, error) { return []string{txt}, nil }})
	if err != nil || len(verifs) != 1 || verifs[0].Err != nil {
		t.Fatalf("DKIM: %v %+v", err, verifs)
	}
	signed := ":" + strings.ToLower(strings.Join(verifs[0].HeaderKeys, ":")) + ":"
	if !strings.Contains(signed, ":list-unsubscribe:") || !strings.Contains(signed, ":list-unsubscribe-post:") {
		t.Errorf("h= %s", signed)
	}
}
