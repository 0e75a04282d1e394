package web

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wneessen/go-mail"

	"masthead/delivery"
	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
)

// The confirmation queue's sender. Every pending subscription whose
// confirmation email has not gone out is in the store's queue, whoever made
// it (the subscribe form, an editor, a CSV import, the API); serve runs
// RunConfirmations, and `masthead subscriber send-confirmations` runs
// SendConfirmations once. The subscribe form only queues, so its answer takes
// the same time whatever the address's state.

const (
	confirmBatch = 50              // subscribers claimed per transaction
	confirmLease = 5 * time.Minute // a claim's hold; a crashed sender's claims come back after it
	confirmLater = 10 * time.Minute
)

// ConfirmReport is what SendConfirmations did.
type ConfirmReport struct {
	Sent     int // confirmation emails accepted by the server (or the outbox)
	Refused  int // refused for good (5xx): not tried again
	Deferred int // left for later (the message could not be built)
}

// SendConfirmations sends every due confirmation email, a batch at a time, one
// email per subscriber with a link per pending publication, each marked sent
// in the database as soon as the server accepted it. It stops at the first
// failure that is not the recipient's (the server cannot be reached, ...) and
// returns it; the rest stay queued. Without a Mailer it sends nothing.
func (s *Server) SendConfirmations(ctx context.Context) (ConfirmReport, error) {
	var rep ConfirmReport
	if s.mailer == nil {
		return rep, errors.New("web: no Mailer: confirmation emails cannot be sent")
	}
	for ctx.Err() == nil {
		n, err := s.sendConfirmationBatch(ctx, &rep)
		if err != nil || n == 0 {
			return rep, err
		}
	}
	return rep, ctx.Err()
}

// RunConfirmations sends due confirmation emails until ctx is done: at once
// when the subscribe form queues one, and every ConfirmPoll for those queued
// elsewhere (editors, imports, the API, other processes). After a failure it
// waits, twice as long each time up to 5 minutes, before trying again.
func (s *Server) RunConfirmations(ctx context.Context) {
	if s.mailer == nil {
		return
	}
	t := time.NewTimer(0)
	defer t.Stop()
	backoff := time.Duration(0)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.confirmWake:
			if backoff > 0 {
				continue // the timer ends the pause
			}
		}
		rep, err := s.SendConfirmations(ctx)
		if ctx.Err() != nil {
			return
		}
		next := s.confirmPoll
		if err != nil {
			backoff = min(max(2*backoff, s.confirmPoll), 5*time.Minute)
			next = backoff
			s.log.Warn("confirmation emails: sending failed; the rest stay queued", "err", err,
				"sent", rep.Sent, "retry_in", next.String())
		} else {
			backoff = 0
		}
		t.Reset(next)
	}
}

// wakeConfirmations makes RunConfirmations look at the queue now.
func (s *Server) wakeConfirmations() {
	select {
	case s.confirmWake <- struct{}{}:
	default:
	}
}

// sendConfirmationBatch claims and sends one batch; it returns how many it claimed.
func (s *Server) sendConfirmationBatch(ctx context.Context, rep *ConfirmReport) (int, error) {
	claimed, err := s.store.ClaimConfirmations(ctx, confirmBatch, confirmLease)
	if err != nil || len(claimed) == 0 {
		return 0, err
	}
	// Marks are written even if ctx ends meanwhile: an email that went out
	// and is not marked is sent again.
	work := context.WithoutCancel(ctx)
	giveBack := func(rest []*store.DueConfirmation, at time.Time) {
		for _, c := range rest {
			if err := s.store.RetryConfirmation(work, c, at); err != nil {
				s.log.Warn("confirmation emails: give back failed; it comes back when its claim runs out",
					"subscriber", c.SubscriberID, "err", err)
			}
		}
	}
	send, closeConn, err := s.mailSession(ctx)
	if err != nil {
		giveBack(claimed, s.now())
		return 0, err
	}
	defer closeConn()
	pubs := map[int64]*newsletter.Publication{}
	start := time.Now()
	for i, c := range claimed {
		if ctx.Err() != nil || time.Since(start) > confirmLease/2 {
			giveBack(claimed[i:], s.now()) // before the claims run out
			return len(claimed), ctx.Err()
		}
		if s.confirmLimit != nil {
			if err := s.confirmLimit.Wait(ctx); err != nil {
				giveBack(claimed[i:], s.now())
				return len(claimed), err
			}
		}
		msg, err := s.confirmationFor(ctx, c, pubs)
		if err != nil {
			s.log.Error("confirmation email not built; tried again later", "subscriber", c.SubscriberID, "err", err)
			giveBack(claimed[i:i+1], s.now().Add(confirmLater))
			rep.Deferred++
			continue
		}
		err = send(ctx, msg)
		code := 0
		if err != nil {
			code = delivery.ReplyCode(err)
		}
		switch {
		case err == nil:
			rep.Sent++
			s.log.Info("confirmation sent", "subscriber", c.SubscriberID, "publications", len(c.PublicationIDs))
		case code >= 500:
			rep.Refused++
			s.log.Warn("confirmation email refused; not tried again", "subscriber", c.SubscriberID,
				"code", code, "err", err)
		default:
			giveBack(claimed[i:], s.now())
			return len(claimed), fmt.Errorf("send confirmation to subscriber %d: %w", c.SubscriberID, err)
		}
		if err := s.store.ConfirmationSent(work, c); err != nil {
			// Its claim runs out and it is sent once more: the one duplicate.
			return len(claimed), err
		}
	}
	return len(claimed), nil
}

// confirmationFor builds c's email; pubs caches publications across a batch.
func (s *Server) confirmationFor(ctx context.Context, c *store.DueConfirmation, pubs map[int64]*newsletter.Publication) (*mail.Msg, error) {
	var list []*newsletter.Publication
	for _, id := range c.PublicationIDs {
		p := pubs[id]
		if p == nil {
			var err error
			if p, err = s.store.Publication(ctx, id); err != nil {
				return nil, err
			}
			pubs[id] = p
		}
		list = append(list, p)
	}
	return s.confirmMessage(&subscribers.Subscriber{ID: c.SubscriberID, Email: c.Email, Name: c.Name}, list)
}
