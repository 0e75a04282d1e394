// Package ledger is the record of what masthead sent and what came back: the
// delivery rows of every send (one per issue and subscriber), the outcome of
// each attempt, an issue's counts, bounce and complaint verdicts with the one
// soft-bounce policy, the built-in outbox's kept messages (decoded for
// reading by OutboxMessage.Read), and the errors of the store's lookups and conditional
// changes (ErrNotFound, ErrConflict).
//
// The store keeps these records; the delivery engine, the bounce handlers,
// the scheduler and the operations layer (workspace) name them in the
// interfaces they declare, which *store.Store implements. Declaring them
// here, in a package that depends on nothing, lets those packages reach the
// database without importing the store, and keeps the store free of theirs.
package ledger

import (
	"errors"
	"fmt"
)

// ErrNotFound is returned when the row asked for does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a write would break a uniqueness rule or a state
// rule (for example editing an issue that has already been sent).
var ErrConflict = errors.New("conflict")

// ErrNotSending is returned by a claim when the issue is not in status
// sending (paused, cancelled, sent): workers stop claiming.
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
