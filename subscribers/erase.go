package subscribers

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Erasure (GDPR art. 17): an erased person's address, name and history are
// removed from every table; what stays is one suppression whose address is
// ErasedForm's keyed hash, so that the suppression still holds (an import, a
// sign-up or a report of the address is refused or ignored) without anyone
// being able to read the address back.

// Erased is the reason of the suppression an erasure keeps. It is never a
// subscriber's status: an erased subscriber is gone.
const Erased Status = "erased"

// erasedPrefix starts every ErasedForm: it has no "@", so no address
// normalises to it.
const erasedPrefix = "erased:"

// ErasedForm is what is kept of an erased address: "erased:" and the hex of
// HMAC-SHA256 of the normalised address, keyed with the installation's
// secret (the one that signs the links), so that the hash of a guessed
// address cannot be computed from the database alone.
func ErasedForm(key []byte, normalized string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(normalized))
	return erasedPrefix + hex.EncodeToString(m.Sum(nil))
}

// IsErasedForm reports whether a stored address is an ErasedForm.
func IsErasedForm(s string) bool { return strings.HasPrefix(s, erasedPrefix) }

// Erasure is what erasing an address removed.
type Erasure struct {
	Email         string // the normalised address erased (the caller's; stored nowhere)
	SubscriberID  int64  // the subscriber removed, 0 when the address was no subscriber
	Subscriptions int    // subscriptions removed (with their confirmation queue entries)
	Events        int    // history rows removed
	Deliveries    int    // ledger rows anonymised: their counts stay, address and name are gone
	Skipped       int    // of those, queued rows skipped first so nothing more is sent
	Outbox        int    // stored copies of messages to the address removed
	BounceReports int    // bounce and complaint reports about the address removed
	Clicks        int    // per-subscriber click and open records removed
	Suppression   bool   // an earlier bounce or complaint suppression replaced by the hashed one
}

// Summary says in a sentence or two what the erasure did, for the command
// line, the admin and the API.
func (e Erasure) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Erased %s: ", e.Email)
	if e.SubscriberID != 0 {
		fmt.Fprintf(&b, "subscriber %d removed with %s and %s; ", e.SubscriberID,
			plural(e.Subscriptions, "subscription", "subscriptions"), plural(e.Events, "history event", "history events"))
	} else {
		b.WriteString("no subscriber had the address; ")
	}
	fmt.Fprintf(&b, "%s anonymised (the issues' counts are kept", plural(e.Deliveries, "delivery record", "delivery records"))
	if e.Skipped > 0 {
		fmt.Fprintf(&b, "; %d queued, now skipped", e.Skipped)
	}
	fmt.Fprintf(&b, "); %s, %s and %s removed", plural(e.Outbox, "outbox copy", "outbox copies"),
		plural(e.BounceReports, "bounce report", "bounce reports"), plural(e.Clicks, "click record", "click records"))
	if e.Suppression {
		b.WriteString("; its bounce or complaint suppression replaced")
	}
	b.WriteString(". Only a keyed hash of the address (HMAC-SHA256 with the installation's secret) is kept, " +
		"on the suppression list, so that the address cannot be added again: a re-import or a sign-up of it is skipped as suppressed.")
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
