package store

import (
	"context"
	"testing"
	"time"

	"masthead/subscribers"
)

func TestWelcomeQueueOnEveryBackend(t *testing.T) { eachBackend(t, testWelcomeQueue) }

// A confirmation queues one welcome where the publication sends them, in
// the confirming transaction; a claim holds it until its lease runs out (a
// crashed sender's comes back); marked sent, it is never claimed again, and
// confirming again queues nothing.
func testWelcomeQueue(t *testing.T, dsn string) {
	ctx := context.Background()
	f := newSendFixtureAt(t, dsn, 0)
	now := time.Date(2009, 7, 9, 12, 0, 0, 0, time.UTC)
	f.s.SetClock(func() time.Time { return now })
	p, err := f.s.Publication(ctx, f.pubID)
	if err != nil {
		t.Fatal(err)
	}
	p.WelcomeEmail = true
	if err := f.s.SavePublication(ctx, p); err != nil {
		t.Fatal(err)
	}
	quiet := f.publication(t, "weekly") // no welcome email
	sub, err := f.s.AddSubscriber(ctx, "ann@example.org", "Ann", f.pubID, subscribers.Pending, subscribers.ViaForm)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.Subscribe(ctx, sub.ID, quiet, subscribers.Pending, subscribers.ViaForm); err != nil {
		t.Fatal(err)
	}
	for _, pub := range []int64{f.pubID, quiet} {
		if err := f.s.Confirm(ctx, sub.ID, pub, subscribers.ViaLink); err != nil {
			t.Fatal(err)
		}
	}
	claim := func() []*subscribers.DueWelcome {
		t.Helper()
		list, err := f.s.ClaimWelcomes(ctx, 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
	got := claim()
	if len(got) != 1 || got[0].SubscriberID != sub.ID || got[0].PublicationID != f.pubID || got[0].Email != "ann@example.org" || got[0].Name != "Ann" {
		t.Fatalf("claimed %+v, want ann's welcome to daily", got)
	}
	if again := claim(); len(again) != 0 {
		t.Fatalf("claimed twice: %+v", again)
	}
	now = now.Add(2 * time.Minute) // the claimer crashed; its lease ran out
	if got = claim(); len(got) != 1 {
		t.Fatalf("after the lease: %+v", got)
	}
	if err := f.s.WelcomeSent(ctx, got[0]); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	if err := f.s.Confirm(ctx, sub.ID, f.pubID, subscribers.ViaLink); err != nil {
		t.Fatal(err)
	}
	if again := claim(); len(again) != 0 {
		t.Fatalf("claimed after being sent and confirmed again: %+v", again)
	}
	if n, err := f.s.WelcomesDue(ctx); err != nil || n != 0 {
		t.Fatalf("due %d %v", n, err)
	}
}
