package confirm_test

import (
	"context"
	"mime"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/internal/smtptest"
	"masthead/subscribers"
)

// welcomes returns the welcome emails the server got for rcpt.
func welcomes(t *testing.T, srv *smtptest.Server, rcpt string) []*mail.Message {
	t.Helper()
	var out []*mail.Message
	for _, m := range srv.Messages() {
		msg, err := mail.ReadMessage(strings.NewReader(string(m.Data)))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(msg.Header.Get("Message-Id"), "<welcome.") && msg.Header.Get("To") == "<"+rcpt+">" {
			out = append(out, msg)
		}
	}
	return out
}

func (f *fixture) welcomeOn(t *testing.T, on bool) {
	t.Helper()
	f.pub.WelcomeEmail, f.pub.WelcomeSubject = on, "Welcome aboard"
	f.pub.WelcomeBody = "Thank you for reading the Planet.\nIt comes at six.\n\nWrite to us any time."
	if err := f.st.SavePublication(context.Background(), f.pub); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) confirm(t *testing.T, email string) int64 {
	t.Helper()
	sub, err := f.st.SubscriberByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.Confirm(context.Background(), sub.ID, f.pub.ID, subscribers.ViaLink); err != nil {
		t.Fatal(err)
	}
	return sub.ID
}

// A confirmed subscription gets one welcome email, with the unsubscribe link
// and headers every issue has; confirming again sends none.
func TestWelcomeOnceAfterConfirming(t *testing.T) {
	ctx := context.Background()
	srv, err := smtptest.Start(smtptest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	f := newFixture(t)
	f.welcomeOn(t, true)
	f.pending(t, "jane@example.org")
	q := f.queue(t, srv.Addr)
	if rep, err := q.SendAll(ctx); err != nil || rep.Sent != 1 || rep.Welcomes != 0 {
		t.Fatalf("before confirming: %+v %v", rep, err)
	}
	id := f.confirm(t, "jane@example.org")
	if due, _ := f.st.WelcomesDue(ctx); due != 1 {
		t.Fatalf("after confirming %d welcomes due, want 1 (recorded with the confirmation)", due)
	}
	if rep, err := q.SendAll(ctx); err != nil || rep.Welcomes != 1 {
		t.Fatalf("after confirming: %+v %v", rep, err)
	}
	f.confirm(t, "jane@example.org") // the button pressed twice
	if rep, err := q.SendAll(ctx); err != nil || rep.Welcomes != 0 {
		t.Fatalf("after confirming twice: %+v %v", rep, err)
	}
	got := welcomes(t, srv, "jane@example.org")
	if len(got) != 1 {
		t.Fatalf("%d welcome emails, want 1", len(got))
	}
	msg := got[0]
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	unsub := f.signer.UnsubscribeURL(base, id, f.pub.ID)
	if subject != "Welcome aboard" || msg.Header.Get("List-Unsubscribe") != "<"+unsub+">" ||
		msg.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || !strings.Contains(msg.Header.Get("From"), "news@planet.example") {
		t.Errorf("headers: %v", msg.Header)
	}
	raw := qpDecode(t, srv.Messages()[len(srv.Messages())-1].Data)
	for _, want := range []string{"Thank you for reading the Planet.", "Write to us any time.", unsub, "<p>Thank you for reading the Planet.<br>"} {
		if !strings.Contains(raw, want) {
			t.Errorf("the welcome email lacks %q:\n%s", want, raw)
		}
	}
}

// qpDecode undoes quoted-printable soft breaks and =3D, enough to search a
// message's text.
func qpDecode(t *testing.T, data []byte) string {
	t.Helper()
	s := strings.ReplaceAll(string(data), "=\r\n", "")
	return regexp.MustCompile(`=3D`).ReplaceAllString(s, "=")
}

// A sender killed after claiming a welcome (kill -9 in the middle of the
// send) leaves it leased, not lost: another sender sends it once the lease
// runs out, and once only.
func TestWelcomeAfterACrashedSender(t *testing.T) {
	ctx := context.Background()
	srv, err := smtptest.Start(smtptest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	f := newFixture(t)
	var mu sync.Mutex
	now := time.Now()
	f.st.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	f.welcomeOn(t, true)
	f.pending(t, "joe@example.org")
	f.confirm(t, "joe@example.org")
	// The crashed sender: it claimed the welcome and died before marking it.
	claimed, err := f.st.ClaimWelcomes(ctx, 10, 5*time.Minute)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	q := f.queue(t, srv.Addr)
	if rep, err := q.SendAll(ctx); err != nil || rep.Welcomes != 0 {
		t.Fatalf("while the crashed sender's claim holds: %+v %v", rep, err)
	}
	mu.Lock()
	now = now.Add(6 * time.Minute)
	mu.Unlock()
	for range 2 {
		if _, err := q.SendAll(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(welcomes(t, srv, "joe@example.org")); n != 1 {
		t.Fatalf("%d welcome emails after the lease ran out, want 1", n)
	}
}

// No welcome when the publication sends none, when it is turned off before
// it went out, or when the reader left first.
func TestNoWelcome(t *testing.T) {
	ctx := context.Background()
	srv, err := smtptest.Start(smtptest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	f := newFixture(t)
	q := f.queue(t, srv.Addr)
	f.pending(t, "off@example.org")
	f.confirm(t, "off@example.org")
	if due, _ := f.st.WelcomesDue(ctx); due != 0 {
		t.Fatalf("welcome off: %d due", due)
	}
	f.welcomeOn(t, true) // turned on later: no welcome for earlier confirmations
	f.pending(t, "left@example.org")
	id := f.confirm(t, "left@example.org")
	if err := f.st.Unsubscribe(ctx, id, f.pub.ID, subscribers.ViaLink, ""); err != nil {
		t.Fatal(err)
	}
	f.pending(t, "late@example.org")
	f.confirm(t, "late@example.org")
	f.welcomeOn(t, false)
	if rep, err := q.SendAll(ctx); err != nil || rep.Welcomes != 0 {
		t.Fatalf("%+v %v, want no welcome", rep, err)
	}
	for _, a := range []string{"off@example.org", "left@example.org", "late@example.org"} {
		if n := len(welcomes(t, srv, a)); n != 0 {
			t.Errorf("%s got %d welcome emails", a, n)
		}
	}
	if due, _ := f.st.WelcomesDue(ctx); due != 0 {
		t.Errorf("%d welcomes still due", due)
	}
}
