package delivery

import (
	"errors"
	"fmt"
	"time"

	"masthead/ledger"
)

// worker sends the rows it is handed over one connection of its own.
func (r *run) worker() {
	conn, err := r.e.sender.Open(r.work)
	if err != nil {
		r.stop(fmt.Errorf("open connection: %w", err))
		for d := range r.jobs {
			r.releases <- d
		}
		return
	}
	defer conn.Close()
	var buf Buffers
	for d := range r.jobs {
		// Wait out a paused server and the rate limits; a stop meanwhile
		// gives the row back untouched.
		if r.breaker.wait(r.halt) != nil || r.limits.wait(r.halt, d.Email) != nil {
			r.releases <- d
			continue
		}
		r.send(conn, d, &buf)
	}
}

// send makes one attempt and hands its outcome to the recorder. Until the
// recorder has written it, an accepted message is one of those a crash could
// send twice.
func (r *run) send(conn Conn, d *ledger.Delivery, buf *Buffers) {
	msg, err := r.comp.Compose(Recipient{SubscriberID: d.SubscriberID, Email: d.Email, Name: d.Name, MessageID: d.MessageID}, buf)
	if err != nil {
		r.outcomes <- ledger.Outcome{DeliveryID: d.ID, Owner: r.e.owner, Kind: ledger.OutcomeFailed,
			At: r.e.cfg.Now(), Reply: "not sent: " + oneLine(err.Error())}
		return
	}
	started := r.e.cfg.Now()
	m := &Message{Mail: msg, IssueID: r.issueID, DeliveryID: d.ID, To: d.Email,
		Subject: r.comp.subject, MessageID: d.MessageID}
	err = conn.Send(r.work, m)
	res := classify(err, m)
	switch res.verdict {
	case accepted:
		if down := r.breaker.success(); down > 0 {
			r.serverUp(down)
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
	case fatal:
		r.e.log.Error("send stopped", "issue", r.issueID, "err", err)
		r.stop(err)
		r.releases <- d
		return
	}
	r.outcomes <- r.e.outcome(d, res, r.e.cfg.Now())
}
