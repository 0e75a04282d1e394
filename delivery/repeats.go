package delivery

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"masthead/ledger"
)

// repeats is the run's check that a refusal is about the recipient and not
// about us: a relay whose words say nothing masthead knows ("550 5.1.1 user
// unknown" to every address, because it delivers locally) would otherwise
// bounce the whole list in a second. Each 5xx that would fail a row is held
// back, unrecorded, until a message that began after it gets through (the
// server takes mail: the refusal is that recipient's), or until Window has
// passed. If meanwhile the same refusal (refusalKey) is held for Domains
// different recipient domains, or for Recipients recipients, the send pauses
// and every held row goes back to the queue with that reply: nobody is
// bounced.
//
// The ledger loop owns it (one goroutine): no locks.
type repeats struct {
	window     time.Duration
	domains    int
	recipients int
	held       []heldRefusal
}

// heldRefusal is one refused row waiting for the verdict.
type heldRefusal struct {
	o      ledger.Outcome
	key    string    // refusalKey of the reply
	domain string    // the recipient's domain
	at     time.Time // when the refusal came
}

// hold keeps a refusal back. It returns a reason to pause the send when this
// refusal now repeats for enough recipients.
func (p *repeats) hold(h heldRefusal) (string, bool) {
	p.held = append(p.held, h)
	n, doms := 0, map[string]bool{}
	for _, x := range p.held {
		if x.key == h.key {
			n++
			doms[x.domain] = true
		}
	}
	if len(doms) < p.domains && n < p.recipients {
		return "", false
	}
	return fmt.Sprintf("the mail server gave the same refusal for %d recipients at %d domains in a row, accepting none "+
		"in between: %s; that is the relay, not every reader's mailbox: nobody was marked bounced and the rows stay "+
		"queued: check the relay, then resume", n, len(doms), h.o.Reply), true
}

// accepted is told that an attempt that began at started got through: the
// refusals held from before it are their recipients' own, to be recorded.
func (p *repeats) accepted(started time.Time) []ledger.Outcome {
	return p.take(func(h heldRefusal) bool { return h.at.Before(started) })
}

// due returns the refusals held for Window or longer, to be recorded.
func (p *repeats) due(now time.Time) []ledger.Outcome {
	return p.take(func(h heldRefusal) bool { return now.Sub(h.at) >= p.window })
}

// drain returns every refusal still held.
func (p *repeats) drain() []ledger.Outcome {
	return p.take(func(heldRefusal) bool { return true })
}

func (p *repeats) take(ready func(heldRefusal) bool) []ledger.Outcome {
	var out []ledger.Outcome
	keep := p.held[:0]
	for _, h := range p.held {
		if ready(h) {
			out = append(out, h.o)
		} else {
			keep = append(keep, h)
		}
	}
	clear(p.held[len(keep):])
	p.held = keep
	return out
}

// requeued turns held refusals into retries due at once, for a send the
// refusals paused: the rows go back to the queue, with the reply they got
// (which tells the next run, should the same row get the same refusal after
// an editor's resume, that it is the recipient's own).
func requeued(os []ledger.Outcome, at time.Time) []ledger.Outcome {
	for i := range os {
		os[i].Kind, os[i].Bounce, os[i].NextAttemptAt = ledger.OutcomeRetry, ledger.NoBounce, at
	}
	return os
}

// refusalKey is what makes two refusals "the same": the reply code and its
// words without the addresses, numbers and queue ids that differ from one
// recipient to the next ("550 5.1.1 <r1@a.example>: Recipient address
// rejected: User unknown" and the same for r2@b.example share one key).
func refusalKey(code int, reply string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d", code)
	for _, w := range strings.Fields(strings.ToLower(reply)) {
		if strings.ContainsAny(w, "@0123456789") || strings.HasPrefix(w, "<") {
			continue
		}
		w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) })
		if w == "" {
			continue
		}
		b.WriteByte(' ')
		b.WriteString(w)
		if b.Len() > 200 {
			break
		}
	}
	return b.String()
}
