package delivery

import (
	"errors"
	"math/rand/v2"
	"strings"
	"time"

	"masthead/ledger"
)

// verdict is what one attempt's result means.
type verdict uint8

const (
	accepted   verdict = iota + 1 // 2xx: sent
	transient                     // 4xx for this message: retry it later
	serverDown                    // network error, timeout, 421, refused connection: retry, and pause the whole send
	rejected                      // 5xx for this recipient: failed, hard bounce
	refused                       // 5xx for this message (content or policy): failed, no bounce
	fatal                         // a configuration problem no retry fixes (authentication refused)
)

// result is a classified attempt.
type result struct {
	verdict verdict
	code    int
	reply   string
}

// classify reads a Conn's outcome: nil is accepted (m.Reply holds the
// server's reply), a *ReplyError a refusal or a broken conversation at one
// stage, a *DialError a failure to connect.
func classify(err error, m *Message) result {
	if err == nil {
		r := result{verdict: accepted, code: 250}
		if m != nil && m.Reply != "" {
			r.reply = m.Reply
			if c := leadingCode(m.Reply); c != 0 {
				r.code = c
			}
		}
		return r
	}
	r := result{reply: oneLine(err.Error()), code: ReplyCode(err)}
	var re *ReplyError
	var de *DialError
	switch {
	case errors.As(err, &re):
		r.verdict = replyVerdict(re)
	case errors.As(err, &de):
		r.verdict = serverDown
		if r.code >= 500 && r.code != 554 { // 535 authentication failed, 530 TLS required ...
			r.verdict = fatal
		}
	default:
		r.verdict = serverDown // the outbox's database, or anything else local
	}
	return r
}

func replyVerdict(re *ReplyError) verdict {
	switch re.Stage {
	case StageMessage:
		return refused
	case StageConnect:
		return serverDown
	}
	code := re.Code
	switch {
	case code == 0 || code == 421:
		return serverDown
	case code < 500:
		return transient
	case re.Stage == StageMail:
		// The server refuses our sender, not this recipient: every message
		// would fail the same way, so pause the send rather than fail the list.
		return serverDown
	case re.Stage == StageRcpt:
		return rejected
	}
	// 5xx after DATA: an address problem (5.1.x, 5.2.x) bounces; a content
	// or policy refusal (5.6.x, 5.7.x) fails this message only.
	if strings.HasPrefix(re.Enhanced, "5.6.") || strings.HasPrefix(re.Enhanced, "5.7.") {
		return refused
	}
	return rejected
}

// Backoff is the retry schedule: Base doubled per attempt up to Max, each
// delay drawn from [d/2, 3d/2) so that retries of one outage spread out.
type Backoff struct {
	Base, Max time.Duration
}

// Delay is the wait before attempt number attempts+1.
func (b Backoff) Delay(attempts int) time.Duration {
	d := b.Base
	for i := 1; i < attempts && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d)
}

// outcome turns a classified attempt on row d into what the ledger records.
func (e *Engine) outcome(d *ledger.Delivery, r result, at time.Time) ledger.Outcome {
	o := ledger.Outcome{DeliveryID: d.ID, Owner: e.owner, At: at, Code: r.code, Reply: r.reply}
	switch r.verdict {
	case accepted:
		o.Kind = ledger.OutcomeSent
	case rejected:
		o.Kind, o.Bounce = ledger.OutcomeFailed, ledger.HardBounce
	case refused:
		o.Kind = ledger.OutcomeFailed
	default:
		first := d.FirstAttemptAt
		if first.IsZero() {
			first = at
		}
		if at.Sub(first) >= e.cfg.GiveUpAfter {
			o.Kind, o.Bounce = ledger.OutcomeFailed, ledger.SoftBounce
			o.Reply = "gave up after " + e.cfg.GiveUpAfter.String() + ": " + o.Reply
			return o
		}
		o.Kind = ledger.OutcomeRetry
		o.NextAttemptAt = at.Add(e.cfg.Retry.Delay(d.Attempts + 1))
	}
	return o
}
