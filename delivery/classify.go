package delivery

import (
	"errors"
	"math/rand/v2"
	"time"

	"masthead/ledger"
)

// verdict is what one attempt's result means.
type verdict uint8

const (
	accepted   verdict = iota + 1 // 2xx: sent
	transient                     // 4xx for this message, or a full mailbox: retry it later
	connLost                      // the connection broke or timed out mid-conversation: retry the row over a new connection
	serverDown                    // 421, refused connection: retry, and pause every worker of the send (the breaker)
	rejected                      // 5xx about the recipient's mailbox: failed, hard bounce
	refused                       // 5xx about this message (content, policy): failed, no bounce
	aboutUs                       // a refusal of our sending (relay, sender, authentication): pause the issue, bounce no one
)

// result is a classified attempt.
type result struct {
	verdict verdict
	code    int
	reply   string
	about   About
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
		r.about = re.Meaning()
		r.verdict = replyVerdict(re, r.about)
	case errors.As(err, &de):
		r.verdict = serverDown
		if r.code >= 500 && r.code != 554 { // 535 authentication failed, 530 TLS required ...
			r.verdict, r.about = aboutUs, AboutSender
		}
	default:
		r.verdict = serverDown // the outbox's database, or anything else local
	}
	return r
}

// replyVerdict decides what a refusal at one stage means. The reply's
// meaning (its enhanced code wherever it appears, and its words) comes
// first; only a reply that says nothing falls back on its stage.
func replyVerdict(re *ReplyError, about About) verdict {
	switch re.Stage {
	case StageMessage:
		return refused
	case StageConnect:
		return serverDown
	}
	code := re.Code
	switch {
	case code == 0:
		return connLost
	case code == 421:
		return serverDown
	case code < 500:
		if about == AboutSender {
			// "454 4.7.1 Relay access denied", "450 4.1.8 Sender address
			// rejected": retrying every row for days would end in soft
			// bounces of the whole list.
			return aboutUs
		}
		return transient
	case re.Stage == StageMail:
		// The server refuses our sender, not this recipient: every message
		// would fail the same way, so pause the send rather than fail the list.
		return aboutUs
	}
	if about == AboutUnknown && code == 552 {
		about = AboutFull // RFC 5321 4.2.2: 552 exceeded storage allocation
	}
	switch about {
	case AboutSender:
		return aboutUs
	case AboutFull:
		return transient // RFC 3463 3.3: X.2.2 mailbox full is usually transient
	case AboutMailbox:
		return rejected
	case AboutMessage:
		return refused
	}
	if re.Stage == StageRcpt {
		return rejected // RFC 5321 4.2.2: 550 at RCPT is "mailbox unavailable"
	}
	return refused // an unexplained refusal after DATA is taken to be about the message
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
