package store

import (
	"cmp"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
)

// DeliveryStatus is where one (issue, subscriber) delivery is.
type DeliveryStatus string

const (
	// DeliveryQueued: waiting for its first attempt, or for a retry at NextAttemptAt.
	DeliveryQueued DeliveryStatus = "queued"
	// DeliverySending: claimed by a worker (LeaseOwner) until LeaseUntil.
	DeliverySending DeliveryStatus = "sending"
	// DeliverySent: the receiving server accepted the message (AcceptedAt).
	DeliverySent DeliveryStatus = "sent"
	// DeliveryFailed: rejected for good (5xx) or retried past the give-up time.
	DeliveryFailed DeliveryStatus = "failed"
	// DeliverySkipped: the subscriber left, bounced or was suppressed before it went out.
	DeliverySkipped DeliveryStatus = "skipped"
	// DeliveryCancelled: the send was cancelled before this row went out.
	DeliveryCancelled DeliveryStatus = "cancelled"
)

// ErrNotSending is returned by Claim when the issue is not in status sending
// (paused, cancelled, sent): workers stop claiming.
var ErrNotSending = errors.New("issue is not sending")

// ErrOtherTransport is returned (as a *TransportError) when a process asks to
// start or claim an issue whose send was started with another transport: the
// issue's messages go out only through the transport it was started with.
var ErrOtherTransport = errors.New("issue is sending through another transport")

// TransportError says which transport an issue is sending through (Have) and
// which one the caller has (Want). It matches ErrOtherTransport.
type TransportError struct {
	IssueID    int64
	Have, Want string
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("issue %d is sending via %s, not %s", e.IssueID, e.Have, e.Want)
}

// Is makes errors.Is(err, ErrOtherTransport) true.
func (e *TransportError) Is(target error) bool { return target == ErrOtherTransport }

// otherTransport is the error for a caller with transport want on an issue
// sending through have, or nil when they match. An empty transport on either
// side (a send started before transports were recorded, an engine that does
// not know its own) matches any.
func otherTransport(issueID int64, have, want string) error {
	if have == "" || want == "" || have == want {
		return nil
	}
	return &TransportError{IssueID: issueID, Have: have, Want: want}
}

// Delivery is one row of the ledger: one issue to one subscriber.
type Delivery struct {
	ID             int64
	IssueID        int64
	SubscriberID   int64
	Email          string // snapshotted when the send started
	Name           string
	Status         DeliveryStatus
	Attempts       int // attempts made so far (recorded outcomes)
	NextAttemptAt  time.Time
	FirstAttemptAt time.Time // when the first attempt ended; zero if none (the give-up time counts from it)
	LeaseOwner     string
	LeaseUntil     time.Time
	LastCode       int    // last SMTP reply code; 0 for a network error
	LastReply      string // last SMTP reply or error text
	AcceptedAt     time.Time
	MessageID      string // stable per (issue, subscriber): "<...@domain>"
}

const deliveryColumns = `id, issue_id, subscriber_id, email, name, status, attempts, next_attempt_at, first_attempt_at,
	lease_owner, lease_until, last_code, last_reply, accepted_at, message_id`

func scanDelivery(row interface{ Scan(...any) error }) (*Delivery, error) {
	var d Delivery
	var next, first, lease, accepted int64
	if err := row.Scan(&d.ID, &d.IssueID, &d.SubscriberID, &d.Email, &d.Name, &d.Status, &d.Attempts, &next, &first,
		&d.LeaseOwner, &lease, &d.LastCode, &d.LastReply, &accepted, &d.MessageID); err != nil {
		return nil, err
	}
	d.NextAttemptAt, d.FirstAttemptAt, d.LeaseUntil, d.AcceptedAt = fromMS(next), fromMS(first), fromMS(lease), fromMS(accepted)
	return &d, nil
}

func collectDeliveries(rows *sql.Rows) ([]*Delivery, error) {
	defer rows.Close()
	var out []*Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// RETURNING gives no order; keep claims in ledger order.
	slices.SortFunc(out, func(a, b *Delivery) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}
