package delivery_test

import (
	"context"
	"masthead/store"
	"strings"
	"testing"

	"masthead/internal/smtptest"
	"masthead/ledger"
	"masthead/newsletter"
	"masthead/subscribers"
)

// An internationalised domain goes out in punycode, in RCPT TO and the To
// header, to a server without SMTPUTF8; a non-ASCII local part is sent only
// to a server that offers SMTPUTF8 (with the parameter on MAIL FROM), and
// elsewhere fails without bouncing the reader.
func TestIDNRecipients(t *testing.T) {
	for _, utf8 := range []bool{false, true} {
		ctx := context.Background()
		f := newFixture(t, 0)
		for _, a := range []string{"user@Bücher.example", "jörg@example.org"} {
			if _, err := f.st.AddSubscriber(ctx, a, "", f.pub.ID, subscribers.Active, subscribers.ViaEditor); err != nil {
				t.Fatal(err)
			}
		}
		srv := startServer(t, smtptest.Options{SMTPUTF8: utf8})
		e := f.engine(t, smtpTo(t, srv, 5e9), f.fastConfig(1))
		e.Start(ctx, f.issue.ID)
		sum, err := e.Run(ctx, f.issue.ID)
		if err != nil || sum.Status != newsletter.Sent {
			t.Fatalf("SMTPUTF8 %v: %v, %+v", utf8, err, sum)
		}
		got := map[string]smtptest.Message{}
		for _, m := range srv.Messages() {
			got[m.To[0]] = m
		}
		idn, ok := got["user@xn--bcher-kva.example"]
		if !ok || !strings.Contains(string(idn.Data), "To: <user@xn--bcher-kva.example>") {
			t.Errorf("SMTPUTF8 %v: RCPT TO was not the punycode address: %v", utf8, srv.Messages())
		}
		jorg, sent := got["jörg@example.org"]
		if sent != utf8 || (sent && !jorg.UTF8) {
			t.Errorf("SMTPUTF8 %v: the UTF-8 local part sent %v (with SMTPUTF8: %v)", utf8, sent, jorg.UTF8)
		}
		if !utf8 {
			failed, _ := f.st.Deliveries(ctx, store.DeliveryFilter{IssueID: f.issue.ID, Status: ledger.DeliveryFailed})
			if len(failed) != 1 || !strings.Contains(failed[0].LastReply, "SMTPUTF8") ||
				subscriberStatus(t, f, failed[0].SubscriberID) != "active" {
				t.Errorf("the UTF-8 local part's row: %+v; want failed, naming SMTPUTF8, the reader active", failed)
			}
		}
	}
}
