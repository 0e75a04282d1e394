package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"masthead/internal/plural"
	"masthead/newsletter"
	"masthead/store"
)

// Decisions recorded for a daily fire (store.ScheduleRun.Decision).
const (
	DecisionSent      = "sent"      // assembled and the send started
	DecisionNotice    = "notice"    // no ready articles; a "no issue today" notice went out
	DecisionEmpty     = "empty"     // no ready articles; nothing sent, no number used
	DecisionHeld      = "held"      // held for an editor (by an editor, or an empty day under the hold policy)
	DecisionSkipped   = "skipped"   // an editor skipped the date
	DecisionScheduled = "scheduled" // an editor gave the issue its own send time
	DecisionMissed    = "missed"    // too late to send (beyond the catch-up window); left for an editor
	DecisionAlready   = "already"   // the issue was already sending or sent
)

// claimTTL is how long a scheduler may take over one fire before another may
// take it over (it died mid-way).
const claimTTL = 2 * time.Minute

// retryDelay is how long a fire that failed waits before it is tried again.
const retryDelay = time.Minute

// lookbacks are the windows prevFire searches, shortest first, so that a
// schedule firing every second costs a few steps and a yearly one still works.
var lookbacks = []time.Duration{time.Minute, time.Hour, 25 * time.Hour, 8 * 24 * time.Hour, 32 * 24 * time.Hour, 367 * 24 * time.Hour}

// prevFire is the schedule's last fire time at or before now.
func prevFire(sched interface{ Next(time.Time) time.Time }, now time.Time) (time.Time, bool) {
	for _, back := range lookbacks {
		t := sched.Next(now.Add(-back))
		if t.IsZero() || t.After(now) {
			continue
		}
		for {
			n := sched.Next(t)
			if n.IsZero() || n.After(now) {
				return t, true
			}
			t = n
		}
	}
	return time.Time{}, false
}

// daily acts on p's last fire if nobody has yet.
func (s *Scheduler) daily(ctx context.Context, p *publication, now time.Time) {
	if p.sched == nil || (now.Before(p.quietUntil) && !now.Before(p.quietFrom)) {
		return
	}
	wall, fire, ok := p.sched.prev(now)
	// A fire from before the schedule was in force is nobody's miss.
	if !ok || fire.Before(p.since.Truncate(time.Second)) || s.handled[p.ID].Equal(wall) {
		// Nothing to do until the next fire: skip the search till then.
		p.quietFrom, p.quietUntil = now, p.sched.next(now)
		return
	}
	if t, ok := s.retryAt[p.ID]; ok && now.Before(t) {
		return
	}
	date := newsletter.DateOf(wall)
	log := s.log.With("publication", p.Slug, "date", date.String(), "fire", fire.In(p.sched.loc).Format(time.RFC3339))
	claimed, err := s.st.ClaimRun(ctx, p.ID, date, fire, s.cfg.Owner, claimTTL)
	if err != nil {
		log.Error("could not claim the daily fire; will try again", "err", err)
		s.retryAt[p.ID] = now.Add(retryDelay)
		return
	}
	if !claimed {
		r, err := s.st.ScheduleRun(ctx, p.ID, date)
		switch {
		case err != nil:
			s.retryAt[p.ID] = now.Add(retryDelay)
		case r.Decision == store.RunPending:
			// Another scheduler is at it, or died at it: look again when
			// its claim runs out, and take it over then if need be.
			log.Debug("daily fire being handled elsewhere", "owner", r.Owner, "until", r.Until.Format(time.RFC3339))
			s.retryAt[p.ID] = r.Until.Add(time.Second)
		default:
			log.Debug("daily fire handled elsewhere", "owner", r.Owner, "decision", r.Decision)
			s.handled[p.ID] = wall
		}
		return
	}
	decision, detail, err := s.decide(ctx, p, date, fire, now)
	if err != nil {
		// Let go of the claim so that this or another process tries again (a
		// shutdown mid-way lets the next start try).
		if derr := s.st.DropRun(context.WithoutCancel(ctx), p.ID, date, s.cfg.Owner); derr != nil {
			log.Error("could not drop the claim of the daily fire", "err", derr)
		}
		s.retryAt[p.ID] = now.Add(retryDelay)
		log.Error("daily issue failed; will try again", "err", err, "retry_at", s.retryAt[p.ID].Format(time.RFC3339))
		return
	}
	if err := s.st.FinishRun(context.WithoutCancel(ctx), p.ID, date, s.cfg.Owner, decision, detail); err != nil {
		log.Error("could not record the daily fire", "decision", decision, "err", err)
	}
	s.handled[p.ID] = wall
	delete(s.retryAt, p.ID)
	level := slog.LevelInfo
	if decision == DecisionMissed {
		level = slog.LevelWarn
	}
	log.Log(ctx, level, "daily fire: "+decision, "detail", detail)
}

// decide does what the fire of p for date calls for and says what it did.
func (s *Scheduler) decide(ctx context.Context, p *publication, date newsletter.Date, fire, now time.Time) (string, string, error) {
	iss, err := s.st.IssueByDate(ctx, p.ID, date)
	switch {
	case errors.Is(err, store.ErrNotFound):
		iss = nil
	case err != nil:
		return "", "", err
	}
	if iss != nil && iss.Status != newsletter.Assembled {
		d, detail := leftAlone(p, iss)
		return d, detail, nil
	}
	if late := now.Sub(fire); late > s.cfg.CatchUp {
		return s.markMissed(ctx, p, date, fire, late)
	}
	iss, err = s.asm.Assemble(ctx, p.Publication, date)
	switch {
	case errors.Is(err, newsletter.ErrEmptyIssue):
		return s.empty(ctx, p, date)
	case errors.Is(err, newsletter.ErrFrozen):
		return DecisionAlready, "the issue started sending meanwhile", nil
	case err != nil:
		return "", "", err
	}
	if iss.Status != newsletter.Assembled { // an editor acted meanwhile
		d, detail := leftAlone(p, iss)
		return d, detail, nil
	}
	detail, err := s.start(ctx, iss)
	if errors.Is(err, store.ErrConflict) {
		return s.actedMeanwhile(ctx, p, iss.ID, err)
	}
	return DecisionSent, detail, err
}

// actedMeanwhile is the decision for an issue whose start was refused because
// its status changed after it was assembled (an editor held, skipped or sent
// it in between).
func (s *Scheduler) actedMeanwhile(ctx context.Context, p *publication, issueID int64, conflict error) (string, string, error) {
	iss, err := s.st.Issue(ctx, issueID)
	if err != nil {
		return DecisionAlready, conflict.Error(), nil
	}
	d, detail := leftAlone(p, iss)
	return d, detail, nil
}

// leftAlone is the decision for an issue an editor (or an earlier send) has
// already decided about.
func leftAlone(p *publication, iss *newsletter.Issue) (string, string) {
	switch iss.Status {
	case newsletter.Held:
		return DecisionHeld, fmt.Sprintf("held by an editor; not sent (release it with 'masthead issue release --date %s')", iss.Date)
	case newsletter.Skipped:
		return DecisionSkipped, "an editor skipped this date; not sent"
	case newsletter.Scheduled:
		return DecisionScheduled, "an editor scheduled it for " + iss.SendAt.In(p.loc).Format(time.RFC3339) + "; it goes then"
	case newsletter.Missed:
		return DecisionMissed, "already marked missed; left for an editor"
	}
	return DecisionAlready, "the issue is already " + string(iss.Status)
}

// fireStart are the states a fire (daily or one-off) starts a send from: an
// issue still waiting for it. Held, missed or skipped issues wait for an
// editor, and their status is read again as the send starts, so an editor's
// action that lands after the assembly still wins.
var fireStart = newsletter.Statuses(newsletter.IssueStatus.FireStarts)

// start starts the send of iss if it is still assembled or scheduled, and
// describes it; store.ErrConflict if it is not.
func (s *Scheduler) start(ctx context.Context, iss *newsletter.Issue) (string, error) {
	res, err := s.cfg.Starter.StartFrom(ctx, iss.ID, fireStart)
	if err != nil {
		return "", fmt.Errorf("start sending issue %d: %w", iss.ID, err)
	}
	return fmt.Sprintf("%s (issue %d) is sending to %s", iss.Label(), iss.ID, plural.Count(res.Queued, "subscriber", "subscribers")), nil
}

// markMissed leaves a fire that came too late for an editor: the issue (if the
// date has ready articles) is assembled and marked missed, and nothing is sent.
func (s *Scheduler) markMissed(ctx context.Context, p *publication, date newsletter.Date, fire time.Time, late time.Duration) (string, string, error) {
	why := fmt.Sprintf("due at %s, %s ago, beyond the catch-up window of %s; not sent",
		fire.In(p.loc).Format(time.RFC3339), late.Round(time.Second), s.cfg.CatchUp)
	iss, err := s.asm.Assemble(ctx, p.Publication, date)
	switch {
	case errors.Is(err, newsletter.ErrEmptyIssue):
		return DecisionMissed, why + " (the date has no ready articles either)", nil
	case errors.Is(err, newsletter.ErrFrozen):
		return DecisionAlready, "the issue started sending meanwhile", nil
	case err != nil:
		return "", "", err
	}
	err = s.st.SetIssueStatus(ctx, iss.ID, []newsletter.IssueStatus{newsletter.Assembled}, newsletter.Missed, time.Time{})
	if errors.Is(err, store.ErrConflict) {
		return DecisionAlready, "an editor acted on the issue meanwhile", nil
	}
	if err != nil {
		return "", "", err
	}
	return DecisionMissed, fmt.Sprintf("%s: %s; an editor may still send it with 'masthead issue send --date %s'", iss.Label(), why, date), nil
}

// empty applies p's empty-day policy to a date with no ready articles.
func (s *Scheduler) empty(ctx context.Context, p *publication, date newsletter.Date) (string, string, error) {
	switch p.EmptyPolicy {
	case newsletter.EmptyNotice:
		iss, err := s.asm.Notice(ctx, p.Publication, date, newsletter.Assembled)
		if errors.Is(err, newsletter.ErrFrozen) {
			return DecisionAlready, "the issue started sending meanwhile", nil
		}
		if err != nil {
			return "", "", err
		}
		detail, err := s.start(ctx, iss)
		if errors.Is(err, store.ErrConflict) {
			return s.actedMeanwhile(ctx, p, iss.ID, err)
		}
		return DecisionNotice, "no ready articles; a 'no issue today' notice " + detail, err
	case newsletter.EmptyHold:
		if _, err := s.asm.Notice(ctx, p.Publication, date, newsletter.Held); err != nil {
			if errors.Is(err, newsletter.ErrFrozen) {
				return DecisionAlready, "the issue started sending meanwhile", nil
			}
			return "", "", err
		}
		return DecisionHeld, fmt.Sprintf("no ready articles; held for an editor (add articles, then 'masthead issue release --date %s')", date), nil
	}
	return DecisionEmpty, "no ready articles; nothing sent and no number used", nil
}
