package store

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"masthead/subscribers"
)

func TestConfirmationQueueOnEveryBackend(t *testing.T) { eachBackend(t, testConfirmationQueue) }

// Every pending subscription, however made, waits in the confirmation queue
// until marked sent; one subscriber's publications come in one claim; a
// claim holds them until its lease runs out (a crashed sender's come back);
// a bounced subscriber is never claimed; asking again puts a sent one back.
func testConfirmationQueue(t *testing.T, dsn string) {
	ctx := context.Background()
	f := newSendFixtureAt(t, dsn, 0)
	now := time.Date(2009, 7, 9, 12, 0, 0, 0, time.UTC)
	f.s.SetClock(func() time.Time { return now })
	other := f.publication(t, "weekly")
	add := func(email string, pub int64, st subscribers.Status, via subscribers.Via) int64 {
		t.Helper()
		sub, err := f.s.AddSubscriber(ctx, email, "", pub, st, via)
		if err != nil {
			t.Fatal(err)
		}
		return sub.ID
	}
	both := add("both@example.org", f.pubID, subscribers.Pending, subscribers.ViaEditor)
	add("both@example.org", other, subscribers.Pending, subscribers.ViaEditor)
	api := add("api@example.org", f.pubID, subscribers.Pending, subscribers.ViaAPI)
	add("active@example.org", f.pubID, subscribers.Active, subscribers.ViaEditor)
	add("bounced@example.org", f.pubID, subscribers.Pending, subscribers.ViaForm)
	if err := f.s.Suppress(ctx, "bounced@example.org", subscribers.Bounced, subscribers.ViaBounce, "550"); err != nil {
		t.Fatal(err)
	}
	claim := func() map[int64][]int64 {
		t.Helper()
		list, err := f.s.ClaimConfirmations(ctx, 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64][]int64{}
		for _, c := range list {
			if c.Email == "" {
				t.Errorf("claim of subscriber %d has no address", c.SubscriberID)
			}
			out[c.SubscriberID] = c.PublicationIDs
		}
		return out
	}
	if n, err := f.s.ConfirmationsDue(ctx); err != nil || n != 2 {
		t.Fatalf("due: %d, %v; want 2", n, err)
	}
	got := claim()
	if len(got) != 2 || !slices.Equal(got[both], []int64{f.pubID, other}) || !slices.Equal(got[api], []int64{f.pubID}) {
		t.Fatalf("first claim %v; want both publications of %d and one of %d", got, both, api)
	}
	if got := claim(); len(got) != 0 {
		t.Fatalf("a second claim under the lease got %v", got)
	}
	if err := f.s.ConfirmationSent(ctx, &subscribers.DueConfirmation{SubscriberID: both, PublicationIDs: []int64{f.pubID, other}}); err != nil {
		t.Fatal(err)
	}
	// api's sender crashed before marking it: it comes back after the lease.
	now = now.Add(2 * time.Minute)
	if got := claim(); len(got) != 1 || got[api] == nil {
		t.Fatalf("claim after the lease ran out: %v; want only %d", got, api)
	}
	if err := f.s.RetryConfirmation(ctx, &subscribers.DueConfirmation{SubscriberID: api, PublicationIDs: []int64{f.pubID}}, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Minute)
	if got := claim(); len(got) != 0 {
		t.Fatalf("a confirmation given back for an hour was claimed: %v", got)
	}
	// Asking again queues a sent confirmation again, for that publication only.
	add("both@example.org", other, subscribers.Pending, subscribers.ViaForm)
	if got := claim(); len(got) != 1 || !slices.Equal(got[both], []int64{other}) {
		t.Fatalf("after asking again: %v; want %d's second publication", got, both)
	}
	if n, _ := f.s.ConfirmationsDue(ctx); n != 2 {
		t.Errorf("due at the end: %d, want 2", n)
	}
}

func TestConfirmationQueueMigration(t *testing.T) {
	ctx := context.Background()
	f := newSendFixture(t, 0)
	for email, via := range map[string]subscribers.Via{"form@example.org": subscribers.ViaForm, "editor@example.org": subscribers.ViaEditor} {
		if _, err := f.s.AddSubscriber(ctx, email, "", f.pubID, subscribers.Pending, via); err != nil {
			t.Fatal(err)
		}
	}
	// As before the queue: nothing marked. The migration takes the form's
	// confirmation for sent (the form sent it at once) and queues the other.
	f.exec(t, `UPDATE subscriptions SET confirm_sent_at = 0`)
	var stmt string
	for _, m := range migrations {
		for _, q := range m {
			if strings.HasPrefix(q, "UPDATE subscriptions SET confirm_sent_at") {
				stmt = q
			}
		}
	}
	if stmt == "" {
		t.Fatal("no migration marks the form's old confirmations sent")
	}
	f.exec(t, stmt)
	list, err := f.s.ClaimConfirmations(ctx, 10, time.Minute)
	if err != nil || len(list) != 1 || list[0].Email != "editor@example.org" {
		t.Fatalf("queued after the migration: %v, %v; want only the editor's", list, err)
	}
}
