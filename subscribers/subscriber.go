package subscribers

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Status is where a subscriber (or one of their subscriptions) stands.
//
// A subscriber's own Status is about the person: Active once they (or an editor)
// confirmed at least one subscription, Unsubscribed when they have left every
// publication, Bounced or Complained when their address is suppressed. A
// subscription's Status is per publication and is only ever Pending, Active or
// Unsubscribed. An issue of publication P goes to a subscriber when both the
// subscriber and their subscription to P are Active.
type Status string

const (
	Pending      Status = "pending"      // waiting for the double opt-in confirmation
	Active       Status = "active"       // confirmed: receives issues
	Unsubscribed Status = "unsubscribed" // left; may come back through a new confirmation
	Bounced      Status = "bounced"      // address rejected by its mail server; suppressed
	Complained   Status = "complained"   // reported an issue as spam; suppressed
)

// Statuses lists every status in display order.
var Statuses = []Status{Pending, Active, Unsubscribed, Bounced, Complained}

// ParseStatus accepts a status name in any case.
func ParseStatus(s string) (Status, error) {
	for _, st := range Statuses {
		if strings.EqualFold(strings.TrimSpace(s), string(st)) {
			return st, nil
		}
	}
	return "", fmt.Errorf("unknown status %q (want pending, active, unsubscribed, bounced or complained)", s)
}

// Suppressed reports whether the status keeps every message from the address.
func (s Status) Suppressed() bool { return s == Bounced || s == Complained }

// Via says how a change came about; every subscriber_events row records one.
type Via string

const (
	ViaForm      Via = "form"      // the public subscribe form
	ViaLink      Via = "link"      // a confirm or unsubscribe link, with its page
	ViaOneClick  Via = "one-click" // RFC 8058 List-Unsubscribe-Post
	ViaImport    Via = "import"    // a CSV import
	ViaBounce    Via = "bounce"    // a delivery failure or a bounce report
	ViaComplaint Via = "complaint" // a feedback-loop (RFC 5965) or provider complaint
	ViaEditor    Via = "editor"    // an editor, from the CLI or the admin pages
	ViaAPI       Via = "api"       // the JSON API
	ViaWebhook   Via = "webhook"   // a provider's webhook (SES via SNS, ...)
	ViaMailto    Via = "mailto"    // mail to the List-Unsubscribe mailto address, read by the mailbox poller
)

// EventKind names what happened to a subscriber.
type EventKind string

const (
	EventCreated      EventKind = "created"      // the subscriber row was made
	EventSubscribed   EventKind = "subscribed"   // a subscription became pending or active
	EventConfirmed    EventKind = "confirmed"    // a pending subscription became active
	EventUnsubscribed EventKind = "unsubscribed" // a subscription ended
	EventRenamed      EventKind = "renamed"      // the name changed
	EventTimeZone     EventKind = "timezone"     // the time zone changed (detail: the new one)
	EventBounced      EventKind = "bounced"      // suppressed after a hard bounce
	EventComplained   EventKind = "complained"   // suppressed after a complaint
	EventLifted       EventKind = "lifted"       // an editor lifted the suppression
)

// Subscriber is one person, known by one normalised address.
type Subscriber struct {
	ID     int64
	Email  string // normalised (see Normalize); unique
	Name   string
	Status Status
	// SoftBounces counts temporary failures in a row; delivery turns many into a bounce.
	SoftBounces int
	// TimeZone is the reader's IANA zone ("Europe/London"), used when a
	// publication delivers at each reader's local time; "": the
	// publication's zone.
	TimeZone  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Subscription is one subscriber's relation to one publication.
type Subscription struct {
	SubscriberID    int64
	PublicationID   int64
	PublicationSlug string // filled where the store joins it in
	Status          Status // Pending, Active or Unsubscribed
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Event is one line of a subscriber's history.
type Event struct {
	ID            int64
	SubscriberID  int64
	PublicationID int64 // 0 when the change is not about one publication
	Kind          EventKind
	Via           Via
	Detail        string
	At            time.Time
}

// Suppression keeps every message from an address until an editor lifts it.
type Suppression struct {
	Email     string
	Reason    Status // Bounced or Complained
	Detail    string
	CreatedAt time.Time
}

// ErrSuppressed is returned when a change would send to a suppressed address
// again; only an editor's lift undoes a suppression.
var ErrSuppressed = errors.New("address is suppressed (bounced or complained); an editor must lift it first")

// ErrErased is ErrSuppressed for an address erased at the person's request:
// errors.Is(ErrErased, ErrSuppressed) holds.
var ErrErased error = erasedError{}

type erasedError struct{}

func (erasedError) Error() string {
	return "address was erased at the person's request (only a keyed hash is kept); an editor can lift it if they come back"
}

func (erasedError) Is(target error) bool { return target == ErrSuppressed }

// ErrNotPending is returned when confirming a subscription that is not waiting
// for confirmation (it was unsubscribed since the link was sent).
var ErrNotPending = errors.New("subscription is not waiting for confirmation")

// DueWelcome is one welcome email waiting to be sent: a subscription
// confirmed while its publication's welcome email was on.
type DueWelcome struct {
	SubscriberID, PublicationID int64
	Email, Name                 string
}

// DueConfirmation is one subscriber's confirmation email waiting to be sent:
// their claimed pending subscriptions, by publication.
type DueConfirmation struct {
	SubscriberID   int64
	Email, Name    string
	PublicationIDs []int64
}
