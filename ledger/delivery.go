package ledger

import "time"

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

// DeliveryStatuses lists every delivery status.
func DeliveryStatuses() []DeliveryStatus {
	return []DeliveryStatus{DeliveryQueued, DeliverySending, DeliverySent, DeliveryFailed, DeliverySkipped, DeliveryCancelled}
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

// DeliveryCounts are an issue's rows by status.
type DeliveryCounts struct {
	Queued, Sending, Sent, Failed, Skipped, Cancelled int
	Retrying                                          int // queued rows that have failed before (included in Queued)
	// Waiting are queued rows whose first attempt is not yet due: their
	// readers' local time has not come (included in Queued).
	Waiting int
	Total   int
}

// LocalWait is the next group of a send's rows that waits for its readers'
// local time: when it is due and one of its readers' zones ("" for the
// publication's own). Zero when no row waits.
type LocalWait struct {
	Next time.Time
	Zone string
}

// Pending is the number of rows not yet settled (queued or being sent).
func (c DeliveryCounts) Pending() int { return c.Queued + c.Sending }

// StartResult says what starting a send did.
type StartResult struct {
	Queued  int  // rows snapshotted now (0 when resuming or already sending)
	Resumed bool // the issue was paused and is sending again
}

// OutcomeKind is what became of one attempt.
type OutcomeKind uint8

const (
	// OutcomeSent: accepted by the server. Recorded whatever the row's state
	// (a message accepted after a cancel was still delivered).
	OutcomeSent OutcomeKind = iota + 1
	// OutcomeRetry: a transient failure; the row is queued again for NextAttemptAt.
	OutcomeRetry
	// OutcomeFailed: a definitive failure; Bounce says what it means for the subscriber.
	OutcomeFailed
)

// Bounce is what a failed delivery says about the subscriber's address.
type Bounce uint8

const (
	NoBounce   Bounce = iota // nothing (for example the message itself was refused)
	SoftBounce               // transient failures until the give-up time: counts toward the soft-bounce limit
	HardBounce               // 5xx for the recipient: the address is bounced and suppressed
)

// Outcome is the result of one attempt, as recorded.
type Outcome struct {
	DeliveryID    int64
	Owner         string // the lease owner that made the attempt
	Kind          OutcomeKind
	At            time.Time // when the attempt ended
	Code          int       // SMTP reply code; 0 for a network error
	Reply         string
	NextAttemptAt time.Time // OutcomeRetry
	Bounce        Bounce    // OutcomeFailed
}
