package delivery

import (
	"errors"

	"masthead/ledger"
)

// PauseCause is why the engine paused a send by itself.
type PauseCause string

const (
	// PauseRefused: the server refused our mail in words or codes that are
	// about the sender, not the reader: relaying denied, sender not verified,
	// authentication required, a 5xx to MAIL FROM.
	PauseRefused PauseCause = "refused"
	// PauseRepeated: the same refusal came for many recipients at once (see
	// repeats): more likely the relay than every reader's mailbox.
	PauseRepeated PauseCause = "repeated"
)

// Pause is a send the engine paused (Config.OnPause): the issue is paused in
// the database with Reason (newsletter.Issue.PauseReason), nobody is marked
// bounced, and the rows not sent stay queued for a resume.
type Pause struct {
	IssueID int64
	Cause   PauseCause
	Reason  string
}

// pauseFor pauses the issue for a refusal about us, once per run, and stops
// the run: messages in flight finish, and the rows claimed go back.
func (r *run) pauseFor(cause PauseCause, reason string) {
	r.pauseOnce.Do(func() {
		r.errMu.Lock()
		r.paused = reason
		r.errMu.Unlock()
		err := r.e.ledger.PauseSendFor(r.work, r.issueID, reason)
		switch {
		case errors.Is(err, ledger.ErrConflict):
			// Paused or cancelled by someone else meanwhile: theirs stands.
		case err != nil:
			r.e.log.Error("pausing the send failed; stopping this run", "issue", r.issueID, "err", err)
		default:
			r.e.log.Error("send paused: the mail server refuses our mail; nobody was marked bounced and the rows stay queued",
				"issue", r.issueID, "cause", string(cause), "reason", reason)
			if f := r.e.cfg.OnPause; f != nil {
				f(Pause{IssueID: r.issueID, Cause: cause, Reason: reason})
			}
		}
		r.stop(nil)
	})
}

// pausedFor reports whether this run has paused the send (pauseFor).
func (r *run) pausedFor() bool {
	r.errMu.Lock()
	defer r.errMu.Unlock()
	return r.paused != ""
}
