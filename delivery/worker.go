package delivery

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"masthead/ledger"
)

// attempt is a worker's outcome on its way to the ledger loop.
type attempt struct {
	o        ledger.Outcome
	started  time.Time
	accepted bool
	// refusal is set for a 5xx that fails the row: the loop holds it back
	// (see repeats) before it is recorded.
	refusal *heldRefusal
}

// worker sends the rows it is handed over one connection of its own; conn
// numbers it among the run's connections.
func (r *run) worker(conn int) {
	c, err := r.e.sender.Open(r.work)
	if err != nil {
		r.stop(fmt.Errorf("open connection: %w", err))
		for d := range r.jobs {
			r.releases <- d
		}
		return
	}
	defer c.Close()
	var buf Buffers
	for d := range r.jobs {
		// Wait out a paused server and the rate limits; a stop meanwhile
		// gives the row back untouched.
		if r.breaker.wait(r.halt) != nil || r.limits.wait(r.halt, d.Email) != nil {
			r.releases <- d
			continue
		}
		r.send(c, conn, d, &buf)
	}
}

// send makes one attempt and hands its outcome to the ledger loop. Until the
// loop has recorded it, an accepted message is one of those a crash could
// send twice.
func (r *run) send(conn Conn, connID int, d *ledger.Delivery, buf *Buffers) {
	msg, err := r.comp.Compose(Recipient{SubscriberID: d.SubscriberID, Email: d.Email, Name: d.Name, MessageID: d.MessageID}, buf)
	if err != nil {
		r.outcomes <- attempt{o: ledger.Outcome{DeliveryID: d.ID, Owner: r.e.owner, Kind: ledger.OutcomeFailed,
			At: r.e.cfg.Now(), Reply: "not sent: " + oneLine(err.Error())}}
		return
	}
	started := r.e.cfg.Now()
	m := &Message{Mail: msg, IssueID: r.issueID, DeliveryID: d.ID, To: d.Email,
		Subject: r.comp.subject, MessageID: d.MessageID}
	err = conn.Send(r.work, m)
	res := classify(err, m)
	a := attempt{started: started}
	switch res.verdict {
	case accepted:
		a.accepted = true
		if down := r.breaker.success(); down > 0 {
			r.serverUp(down)
		}
	case connLost:
		// This connection broke; the worker's next Send dials a new one.
		// Only drops that persist across connections pause the others.
		if pause, began := r.breaker.lost(connID, started); began {
			r.serverDown(err, res, pause)
		}
	case serverDown:
		pause, began := r.breaker.trip(started)
		if began {
			r.serverDown(err, res, pause)
		}
		r.e.log.Debug("server unavailable: pausing the send", "issue", r.issueID, "rcpt", d.Email,
			"code", res.code, "err", err, "pause", pause.Round(time.Millisecond))
		var de *DialError
		if errors.As(err, &de) {
			r.releases <- d // nothing was sent: not an attempt
			return
		}
	case aboutUs:
		r.pauseFor(PauseRefused, refusedReason(res))
		r.releases <- d // it stays queued for the resume
		return
	}
	a.o = r.e.outcome(d, res, r.e.cfg.Now())
	if res.verdict == rejected || res.verdict == refused && res.code >= 500 {
		key := refusalKey(res.code, res.reply)
		// The same refusal this row had before (it was held back when a
		// repeat paused the send, and an editor resumed): the recipient's.
		if d.LastCode != res.code || refusalKey(d.LastCode, d.LastReply) != key {
			a.refusal = &heldRefusal{key: key, domain: strings.ToLower(d.Email[strings.LastIndexByte(d.Email, '@')+1:]), at: a.o.At}
		}
	}
	r.outcomes <- a
}

// refusedReason says in one line why a refusal pauses the send.
func refusedReason(res result) string {
	return "the mail server refuses our mail (this is about the relay or sender settings, not a reader's address): " +
		res.reply + "; nobody was marked bounced and the rows stay queued: fix the settings, then resume"
}
