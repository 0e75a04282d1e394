package confirm_test

import (
	"context"
	"mime"
	"net/mail"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"masthead/assembly"
	"masthead/delivery"
	"masthead/internal/smtptest"
	"masthead/internal/testenv"
	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
	"masthead/subscribers/confirm"
)

const base = "https://planet.example"

type fixture struct {
	st     *store.Store
	pub    *newsletter.Publication
	signer *subscribers.Signer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "masthead.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := &newsletter.Publication{Slug: "planet", Name: "The Daily Planet", From: "The Daily Planet <news@planet.example>",
		TimeZone: "UTC", VolumeStart: newsletter.Date{Year: 2007, Month: 2, Day: 7}}
	p.Normalize()
	if err := st.SavePublication(ctx, p); err != nil {
		t.Fatal(err)
	}
	return &fixture{st: st, pub: p, signer: subscribers.NewSigner([]byte("0123456789abcdef0123456789abcdef"))}
}

// pending queues a confirmation for email, as the form or an editor does.
func (f *fixture) pending(t *testing.T, email string) {
	t.Helper()
	if _, err := f.st.AddSubscriber(context.Background(), email, "", f.pub.ID, subscribers.Pending, subscribers.ViaForm); err != nil {
		t.Fatal(err)
	}
}

// queue is a confirmation queue that sends through the SMTP server at addr.
func (f *fixture) queue(t *testing.T, addr string) *confirm.Queue {
	t.Helper()
	cfg, err := delivery.ParseSMTPURL("smtp://" + addr + "?tls=none")
	if err != nil {
		t.Fatal(err)
	}
	q, err := confirm.New(confirm.Config{Store: f.st, Mailer: delivery.NewMailer(delivery.NewSMTP(cfg, nil)),
		Assembler: assembly.New(f.st, base), Signer: f.signer, BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// The queue sends each confirmation once, with a working link; an address
// the server refuses for good is not tried again; an unreachable server
// leaves the rest queued for a later pass.
func TestSendAll(t *testing.T) {
	ctx := context.Background()
	srv, err := smtptest.Start(smtptest.Options{Inject: func(stage smtptest.Stage, _, rcpt string) *smtptest.Fault {
		if stage == smtptest.StageRcpt && strings.HasPrefix(rcpt, "gone@") {
			return &smtptest.Fault{Code: 550, Text: "5.1.1 no such user"}
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	f := newFixture(t)
	f.pending(t, "jane@example.org")
	f.pending(t, "gone@example.org")
	q := f.queue(t, srv.Addr)
	rep, err := q.SendAll(ctx)
	if err != nil || rep.Sent != 1 || rep.Refused != 1 || srv.Count() != 1 {
		t.Fatalf("send: %+v, %v; server got %d", rep, err, srv.Count())
	}
	if rep, err := q.SendAll(ctx); err != nil || rep != (confirm.Report{}) {
		t.Fatalf("second send: %+v, %v; want nothing", rep, err)
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(srv.Messages()[0].Data)))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if msg.Header.Get("To") != "<jane@example.org>" || subject != "Confirm your subscription to The Daily Planet" ||
		msg.Header.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("headers: To %q, Subject %q, Auto-Submitted %q", msg.Header.Get("To"), subject, msg.Header.Get("Auto-Submitted"))
	}
	if !strings.Contains(string(srv.Messages()[0].Data), base+"/confirm/") {
		t.Error("the email has no confirm link")
	}

	// The server is down: the confirmation stays queued for a later pass.
	f.pending(t, "later@example.org")
	down := f.queue(t, testenv.Addr(testenv.FreePort(t)))
	if _, err := down.SendAll(ctx); err == nil {
		t.Fatal("sending to a dead server gave no error")
	}
	if due, _ := f.st.ConfirmationsDue(ctx); due != 1 {
		t.Fatalf("after a failed pass %d queued, want 1", due)
	}
	if rep, err := q.SendAll(ctx); err != nil || rep.Sent != 1 || srv.Count() != 2 {
		t.Fatalf("send after the outage: %+v, %v; server got %d", rep, err, srv.Count())
	}
}

// Run sends what is queued when it starts, then at once when woken, and
// stops with its context.
func TestRunWakes(t *testing.T) {
	f := newFixture(t)
	q, err := confirm.New(confirm.Config{Store: f.st, Mailer: delivery.NewMailer(delivery.NewOutbox(f.st)),
		Assembler: assembly.New(f.st, base), Signer: f.signer, BaseURL: base, Poll: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	sent := func(what string) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			if due, _ := f.st.ConfirmationsDue(context.Background()); due == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not sent within 10 s (the queue's poll is an hour)", what)
			}
		}
	}
	f.pending(t, "jane@example.org")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { q.Run(ctx); close(done) }()
	sent("queued before the start")
	f.pending(t, "joe@example.org")
	q.Wake()
	sent("queued, then woken")
	cancel()
	<-done
	if msgs, _ := f.st.Outbox(context.Background(), store.OutboxFilter{}); len(msgs) != 2 {
		t.Errorf("the outbox has %d confirmations, want 2", len(msgs))
	}
}
