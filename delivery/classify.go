package delivery

import (
	"errors"
	"math/rand/v2"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/wneessen/go-mail"

	"masthead/store"
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

// classify reads go-mail's outcome. go-mail reports network errors and
// timeouts with code 0 and IsTemp() false: they are transient here.
func classify(err error, msg *mail.Msg) result {
	if msg != nil && msg.IsDelivered() {
		// DATA was accepted; a later RSET failure does not undo that.
		r := result{verdict: accepted, code: 250, reply: strings.TrimSpace(msg.ServerResponse())}
		if c := leadingCode(r.reply); c != 0 {
			r.code = c
		}
		return r
	}
	if err == nil {
		return result{verdict: accepted, code: 250}
	}
	r := result{reply: oneLine(err.Error()), code: replyCode(err)}
	var se *mail.SendError
	var de *DialError
	switch {
	case errors.As(err, &se):
		r.code = se.ErrorCode()
		r.verdict = sendVerdict(se, r.code)
		r.reply = sendReply(se)
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

func sendVerdict(se *mail.SendError, code int) verdict {
	switch se.Reason {
	case mail.ErrGetSender, mail.ErrGetRcpts, mail.ErrNoUnencoded:
		return refused
	case mail.ErrConnCheck:
		return serverDown
	}
	switch {
	case code == 0 || code == 421:
		return serverDown
	case code < 500:
		return transient
	case se.Reason == mail.ErrSMTPMailFrom:
		// The server refuses our sender, not this recipient: every message
		// would fail the same way, so pause the send rather than fail the list.
		return serverDown
	case se.Reason == mail.ErrSMTPRcptTo:
		return rejected
	}
	// 5xx after DATA: an address problem (5.1.x, 5.2.x) bounces; a content
	// or policy refusal (5.6.x, 5.7.x) fails this message only.
	esc := se.EnhancedStatusCode()
	if strings.HasPrefix(esc, "5.6.") || strings.HasPrefix(esc, "5.7.") {
		return refused
	}
	return rejected
}

// sendReply is the server's reply in a go-mail SendError, without go-mail's
// wording around it: `550 5.1.1 no such user (sending SMTP RCPT TO command)`.
func sendReply(se *mail.SendError) string {
	s := se.Error()
	reason := se.Reason.String()
	s = strings.TrimPrefix(strings.TrimPrefix(s, reason), ": ")
	if i := strings.Index(s, ", affected "); i >= 0 {
		s = s[:i]
	}
	if s == "" {
		return reason
	}
	// go-mail's SMTP client quotes the text: 550 "5.1.1 no such user".
	if code, text, ok := strings.Cut(s, " "); ok && len(code) == 3 {
		if t, err := strconv.Unquote(text); err == nil {
			s = code + " " + t
		}
	}
	return oneLine(s) + " (" + reason + ")"
}

// replyCode finds an SMTP code in a non-SendError (a dial or greeting error).
func replyCode(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return leadingCode(err.Error())
}

func leadingCode(s string) int {
	if len(s) < 3 {
		return 0
	}
	n, err := strconv.Atoi(s[:3])
	if err != nil || n < 200 || n > 599 {
		return 0
	}
	return n
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
func (e *Engine) outcome(d *store.Delivery, r result, at time.Time) store.Outcome {
	o := store.Outcome{DeliveryID: d.ID, Owner: e.owner, At: at, Code: r.code, Reply: r.reply}
	switch r.verdict {
	case accepted:
		o.Kind = store.OutcomeSent
	case rejected:
		o.Kind, o.Bounce = store.OutcomeFailed, store.HardBounce
	case refused:
		o.Kind = store.OutcomeFailed
	default:
		first := d.FirstAttemptAt
		if first.IsZero() {
			first = at
		}
		if at.Sub(first) >= e.cfg.GiveUpAfter {
			o.Kind, o.Bounce = store.OutcomeFailed, store.SoftBounce
			o.Reply = "gave up after " + e.cfg.GiveUpAfter.String() + ": " + o.Reply
			return o
		}
		o.Kind = store.OutcomeRetry
		o.NextAttemptAt = at.Add(e.cfg.Retry.Delay(d.Attempts + 1))
	}
	return o
}
