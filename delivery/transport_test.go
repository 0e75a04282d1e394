package delivery_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"masthead/delivery"
	"masthead/internal/smtptest"
	"masthead/ledger"
	"masthead/newsletter"
	"masthead/store"
)

// An issue goes out only through the transport its send was started with: an
// engine on the outbox leaves a send started over SMTP (Run says why and sends
// nothing; Start refuses), and the SMTP engine delivers every row.
func TestSendKeepsItsTransport(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 0)
	f.addSubscribers(t, 0, 5, func(int) string { return "example.net" })
	srv := startServer(t, smtptest.Options{})
	viaSMTP := f.engine(t, smtpTo(t, srv, 5*time.Second), f.fastConfig(2))
	viaOutbox := f.engine(t, delivery.NewOutbox(f.st), f.fastConfig(2))
	if viaOutbox.Transport() != delivery.OutboxTransport || viaSMTP.Transport() != "smtp://"+srv.Addr {
		t.Fatalf("transports %q and %q", viaOutbox.Transport(), viaSMTP.Transport())
	}
	if _, err := viaSMTP.Start(ctx, f.issue.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := viaOutbox.Start(ctx, f.issue.ID); !errors.Is(err, ledger.ErrOtherTransport) {
		t.Fatalf("outbox start of a send over SMTP: %v, want ErrOtherTransport", err)
	}
	sum, err := viaOutbox.Run(ctx, f.issue.ID)
	var te *ledger.TransportError
	if !errors.As(err, &te) || te.Have != viaSMTP.Transport() || te.Want != delivery.OutboxTransport || sum.Sent != 0 {
		t.Fatalf("outbox run of a send over SMTP: %+v, %v", sum, err)
	}
	if msgs, _ := f.st.Outbox(ctx, store.OutboxFilter{}); len(msgs) != 0 {
		t.Fatalf("the outbox got %d messages", len(msgs))
	}
	sum, err = viaSMTP.Run(ctx, f.issue.ID)
	if err != nil || sum.Status != newsletter.Sent || srv.Count() != 5 {
		t.Fatalf("SMTP run: %+v, %v; server got %d", sum, err, srv.Count())
	}
	assertFilled(t, f, srv.Messages())
}
