package store

import (
	"context"
	"testing"

	"masthead/subscribers"
)

func TestSubscriberTimeZoneOnEveryBackend(t *testing.T) { eachBackend(t, testSubscriberTimeZone) }

// A subscriber's zone is set by an editor's add and change; a form's zone
// is written on the subscriber it creates, and of one that exists only once
// the reader confirms: a stranger who posts the form with someone's address
// changes nothing of theirs.
func testSubscriberTimeZone(t *testing.T, dsn string) {
	ctx := context.Background()
	f := newSendFixtureAt(t, dsn, 0)
	s := f.s
	zoneOf := func(email string) string {
		t.Helper()
		sub, err := s.SubscriberByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		return sub.TimeZone
	}
	add := func(a Arrival) *subscribers.Subscriber {
		t.Helper()
		sub, err := s.AddArrival(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return sub
	}

	// An editor's add sets the zone, of a new subscriber and of one that exists.
	ed := add(Arrival{Email: "ed@example.org", TimeZone: "Europe/London", PublicationID: f.pubID, Status: subscribers.Active, Via: subscribers.ViaEditor})
	if ed.TimeZone != "Europe/London" {
		t.Errorf("added with zone %q", ed.TimeZone)
	}
	add(Arrival{Email: "ed@example.org", TimeZone: "Asia/Tokyo", PublicationID: f.pubID, Status: subscribers.Active, Via: subscribers.ViaAPI})
	add(Arrival{Email: "ed@example.org", PublicationID: f.pubID, Status: subscribers.Active, Via: subscribers.ViaAPI}) // no zone: kept
	if z := zoneOf("ed@example.org"); z != "Asia/Tokyo" {
		t.Errorf("zone after a second add %q, want Asia/Tokyo", z)
	}
	// An editor's change, and its history.
	sub, err := s.SetSubscriberTimeZone(ctx, ed.ID, "", subscribers.ViaEditor)
	if err != nil || sub.TimeZone != "" {
		t.Fatalf("cleared: %+v, %v", sub, err)
	}
	if _, err := s.SetSubscriberTimeZone(ctx, ed.ID, "", subscribers.ViaEditor); err != nil { // again: no event
		t.Fatal(err)
	}
	events, err := s.SubscriberEvents(ctx, ed.ID)
	if err != nil {
		t.Fatal(err)
	}
	var details []string
	for _, e := range events {
		if e.Kind == subscribers.EventTimeZone {
			details = append(details, string(e.Via)+":"+e.Detail)
		}
	}
	if got, want := details, []string{"api:Asia/Tokyo", "editor:the publication's"}; len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("time zone events %q, want %q", got, want)
	}
	if _, err := s.SetSubscriberTimeZone(ctx, 9999, "Europe/Paris", subscribers.ViaEditor); err == nil {
		t.Error("no error for an unknown subscriber")
	}

	form := func(email, zone string) {
		t.Helper()
		add(Arrival{Email: email, TimeZone: zone, PublicationID: f.pubID, Status: subscribers.Pending, Via: subscribers.ViaForm, ZoneOnConfirm: true})
	}
	// The form creates a subscriber with its zone.
	form("new@example.org", "Asia/Jerusalem")
	if z := zoneOf("new@example.org"); z != "Asia/Jerusalem" {
		t.Errorf("new subscriber from the form: zone %q", z)
	}
	// An active subscriber's zone stays whatever the form says, and
	// confirming an old link again applies nothing.
	form("ed@example.org", "Pacific/Kiritimati")
	if z := zoneOf("ed@example.org"); z != "" {
		t.Errorf("the form changed an active subscriber's zone to %q", z)
	}
	if err := s.Confirm(ctx, ed.ID, f.pubID, subscribers.ViaLink); err != nil {
		t.Fatal(err)
	}
	if z := zoneOf("ed@example.org"); z != "" {
		t.Errorf("confirming an active subscription applied the form's zone %q", z)
	}
	// Someone who left and subscribes again: the zone waits for the link.
	if err := s.Unsubscribe(ctx, ed.ID, f.pubID, subscribers.ViaLink, ""); err != nil {
		t.Fatal(err)
	}
	form("ed@example.org", "America/Chicago")
	if z := zoneOf("ed@example.org"); z != "" {
		t.Errorf("the form changed an existing subscriber's zone before confirmation: %q", z)
	}
	if err := s.Confirm(ctx, ed.ID, f.pubID, subscribers.ViaLink); err != nil {
		t.Fatal(err)
	}
	if z := zoneOf("ed@example.org"); z != "America/Chicago" {
		t.Errorf("zone after confirming %q, want America/Chicago", z)
	}
	// Applied once: the subscription's status change cleared it.
	if _, err := s.SetSubscriberTimeZone(ctx, ed.ID, "Europe/Berlin", subscribers.ViaEditor); err != nil {
		t.Fatal(err)
	}
	if err := s.Confirm(ctx, ed.ID, f.pubID, subscribers.ViaLink); err != nil {
		t.Fatal(err)
	}
	if z := zoneOf("ed@example.org"); z != "Europe/Berlin" {
		t.Errorf("a second confirmation applied an old zone: %q", z)
	}
}
