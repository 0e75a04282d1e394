package delivery_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"masthead/delivery"
	"masthead/internal/smtptest"
)

// TestIdleConnectionClosedByServer: a server that closes a connection left
// idle says "421 4.4.2 Idle timeout" first. The next message on that
// connection, in every conversation, goes out over a new one without an
// error: the 421 came before MAIL FROM was accepted, so nothing was taken.
func TestIdleConnectionClosedByServer(t *testing.T) {
	const idle = 100 * time.Millisecond
	for _, conv := range conversations {
		t.Run(conv.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, 0)
			srv := startServer(t, smtptest.Options{Hide: conv.hide, IdleTimeout: idle})
			sender := smtpTo(t, srv, 2*time.Second)
			comp, err := f.engine(t, sender, f.fastConfig(1)).Composer(ctx, f.issue.ID)
			if err != nil {
				t.Fatal(err)
			}
			conn, err := sender.Open(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			for i := range 2 {
				rc := delivery.Recipient{SubscriberID: int64(i + 1), Email: fmt.Sprintf("r%05d@example.net", i), Name: "Reader",
					MessageID: fmt.Sprintf("<%d@planet.example>", i)}
				msg, err := comp.Compose(rc, &delivery.Buffers{})
				if err != nil {
					t.Fatal(err)
				}
				if err := conn.Send(ctx, &delivery.Message{Mail: msg, To: rc.Email, MessageID: rc.MessageID}); err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
				if i == 0 {
					time.Sleep(3 * idle) // the server says 421 and closes meanwhile
				}
			}
			if srv.Count() != 2 || srv.Connections() != 2 {
				t.Errorf("%d messages over %d connections, want 2 over 2", srv.Count(), srv.Connections())
			}
		})
	}
}
