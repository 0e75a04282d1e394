package delivery_test

import (
	"context"
	"masthead/store"
	"testing"
	"time"

	"masthead/delivery"
	"masthead/internal/testenv"
	"masthead/newsletter"
)

// TestEndToEndMailpit delivers a DKIM-signed issue to a real mail server
// (mailpit) and checks what it stored: every header, the signature and its
// coverage of both List-Unsubscribe headers.
func TestEndToEndMailpit(t *testing.T) {
	mp := testenv.StartMailpit(t)
	ctx := context.Background()
	f := newFixture(t, 4)
	f.addSubscribers(t, 0, 3, nil)
	keyFile, txt := dkimKey(t, "rsa")
	signer, err := delivery.LoadDKIM(delivery.DKIMConfig{Domain: "planet.example", Selector: "mh", KeyFile: keyFile})
	if err != nil {
		t.Fatal(err)
	}
	smtp, err := delivery.ParseSMTPURL("smtp://" + mp.SMTPAddr + "?tls=none")
	if err != nil {
		t.Fatal(err)
	}
	cfg := f.fastConfig(2)
	cfg.DKIM = signer
	e := f.engine(t, delivery.NewSMTP(smtp, nil), cfg)
	e.Start(ctx, f.issue.ID)
	sum, err := e.Run(ctx, f.issue.ID)
	if err != nil || sum.Status != newsletter.Sent || sum.Counts.Sent != 3 {
		t.Fatalf("run: %v, %+v", err, sum)
	}
	rows, _ := f.st.Deliveries(ctx, store.DeliveryFilter{IssueID: f.issue.ID})
	var stored []testenv.MailpitMessage
	for deadline := time.Now().Add(10 * time.Second); len(stored) < 3 && time.Now().Before(deadline); {
		stored = mp.Messages(t, 10)
		time.Sleep(50 * time.Millisecond)
	}
	if len(stored) != 3 {
		t.Fatalf("mailpit has %d messages", len(stored))
	}
	for _, d := range rows {
		found := mp.Search(t, "to:"+d.Email)
		if len(found) != 1 || "<"+found[0].MessageID+">" != d.MessageID {
			t.Fatalf("mailpit search to:%s = %+v, want Message-ID %s", d.Email, found, d.MessageID)
		}
		raw := mp.Raw(t, found[0].ID)
		t.Run(d.Email, func(t *testing.T) { checkHeaders(t, f, raw, d) })
		verifyDKIM(t, raw, txt)
	}
}
