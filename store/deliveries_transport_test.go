package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"masthead/ledger"
)

func TestSendTransportOnEveryBackend(t *testing.T) { eachBackend(t, testSendTransport) }

// A send records the transport it was started with; only claims of that
// transport (or of none) get its rows; a start with another transport is
// refused while it is sending and moves it once it is paused; a send started
// before transports were recorded is claimed by anyone and adopted by the
// first start that names one.
func testSendTransport(t *testing.T, dsn string) {
	ctx := context.Background()
	f := newSendFixtureAt(t, dsn, 3)
	const smtpA, outbox = "smtp://a.example:25", "outbox"
	transport := func() string {
		t.Helper()
		v, err := f.s.SendTransport(ctx, f.issueID)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if res, err := f.s.StartSend(ctx, f.issueID, editorStart, smtpA); err != nil || res.Queued != 3 {
		t.Fatalf("start via %s: %+v, %v", smtpA, res, err)
	}
	if got := transport(); got != smtpA {
		t.Fatalf("transport %q, want %q", got, smtpA)
	}
	var te *ledger.TransportError
	if rows, err := f.s.Claim(ctx, f.issueID, "o", outbox, 10, time.Minute); !errors.As(err, &te) || len(rows) != 0 ||
		te.Have != smtpA || te.Want != outbox || !errors.Is(err, ledger.ErrOtherTransport) {
		t.Fatalf("claim via the outbox: %d rows, %v; want a ledger.TransportError naming both", len(rows), err)
	}
	if _, err := f.s.StartSend(ctx, f.issueID, editorStart, outbox); !errors.Is(err, ledger.ErrOtherTransport) {
		t.Fatalf("start via the outbox of an issue sending via %s: %v", smtpA, err)
	}
	if got := transport(); got != smtpA {
		t.Fatalf("a refused start changed the transport to %q", got)
	}
	if rows, err := f.s.Claim(ctx, f.issueID, "a", smtpA, 1, time.Minute); err != nil || len(rows) != 1 {
		t.Fatalf("claim via %s: %d rows, %v", smtpA, len(rows), err)
	}
	if rows, err := f.s.Claim(ctx, f.issueID, "any", "", 1, time.Minute); err != nil || len(rows) != 1 {
		t.Fatalf("claim without a transport: %d rows, %v", len(rows), err)
	}

	// Paused, nobody sends it: a start may move it to another transport.
	if err := f.s.PauseSend(ctx, f.issueID); err != nil {
		t.Fatal(err)
	}
	if res, err := f.s.StartSend(ctx, f.issueID, editorStart, outbox); err != nil || !res.Resumed {
		t.Fatalf("start via the outbox of a paused issue: %+v, %v", res, err)
	}
	if got := transport(); got != outbox {
		t.Fatalf("transport after the resume %q, want %q", got, outbox)
	}

	// A send from before the upgrade: anyone claims it; a start adopts it.
	f.exec(t, `UPDATE issues SET transport = '' WHERE id = ?`, f.issueID)
	if rows, err := f.s.Claim(ctx, f.issueID, "b", smtpA, 1, time.Minute); err != nil || len(rows) != 1 {
		t.Fatalf("claim of a send with no transport: %d rows, %v", len(rows), err)
	}
	if _, err := f.s.StartSend(ctx, f.issueID, editorStart, smtpA); err != nil {
		t.Fatal(err)
	}
	if got := transport(); got != smtpA {
		t.Fatalf("an unrecorded transport was not adopted: %q", got)
	}
	if _, err := f.s.StartSend(ctx, f.issueID, editorStart, ""); err != nil || transport() != smtpA {
		t.Fatalf("a start without a transport: %v, transport %q", err, transport())
	}
}
