package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"masthead/delivery"
	"masthead/internal/smtptest"
	"masthead/internal/testenv"
)

// The subscribe form only queues the confirmation: nothing is sent while the
// request is served. The queue's sender then sends it once; an address the
// server refuses for good is not tried again; an unreachable server leaves
// the rest queued.
func TestSubscribeOnlyQueues(t *testing.T) {
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
	smtpAt := func(addr string) Mailer {
		cfg, err := delivery.ParseSMTPURL("smtp://" + addr + "?tls=none")
		if err != nil {
			t.Fatal(err)
		}
		return SenderMailer(delivery.NewSMTP(cfg, nil))
	}
	e := newEnv(t, func(d *Deps) { d.Mailer = smtpAt(srv.Addr) })
	post := func(email string) {
		t.Helper()
		w := httptest.NewRecorder() // not e.postForm: it sends the queue afterwards
		e.srv.ServeHTTP(w, httptestForm("/subscribe", "email="+email))
		if w.Code != http.StatusSeeOther {
			t.Fatalf("subscribe %s: %d", email, w.Code)
		}
	}
	post("jane@example.org")
	post("gone@example.org")
	if due, _ := e.st.ConfirmationsDue(ctx); srv.Count() != 0 || due != 2 {
		t.Fatalf("after the form: %d sent, %d queued; want 0 and 2", srv.Count(), due)
	}
	rep, err := e.srv.SendConfirmations(ctx)
	if err != nil || rep.Sent != 1 || rep.Refused != 1 || srv.Count() != 1 {
		t.Fatalf("send: %+v, %v; server got %d", rep, err, srv.Count())
	}
	if rep, err := e.srv.SendConfirmations(ctx); err != nil || rep != (ConfirmReport{}) {
		t.Fatalf("second send: %+v, %v; want nothing", rep, err)
	}

	// The server is down: the confirmation stays queued for a later pass.
	down, err := New(Deps{Store: e.st, Signer: e.signer, BaseURL: "https://planet.example", Now: e.clock.now,
		Mailer: smtpAt(testenv.Addr(testenv.FreePort(t)))})
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	down.ServeHTTP(w, httptestForm("/subscribe", "email=later%40example.org"))
	if _, err := down.SendConfirmations(ctx); err == nil {
		t.Fatal("sending to a dead server gave no error")
	}
	if due, _ := e.st.ConfirmationsDue(ctx); due != 1 {
		t.Fatalf("after a failed pass %d queued, want 1", due)
	}
	if rep, err := e.srv.SendConfirmations(ctx); err != nil || rep.Sent != 1 || srv.Count() != 2 {
		t.Fatalf("send after the outage: %+v, %v; server got %d", rep, err, srv.Count())
	}
}
