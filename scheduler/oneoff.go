package scheduler

import (
	"context"
	"errors"
	"fmt"
	"time"

	"masthead/newsletter"
	"masthead/store"
)

// oneOffs starts the issues editors scheduled whose time has come, and marks
// missed those whose time passed beyond the catch-up window while masthead was
// down (a send hours late is not sent by surprise).
func (s *Scheduler) oneOffs(ctx context.Context, now time.Time) error {
	due, err := s.st.DueIssues(ctx, now)
	if err != nil {
		return fmt.Errorf("scheduled issues: %w", err)
	}
	for _, iss := range due {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if t, ok := s.retryIssue[iss.ID]; ok && now.Before(t) {
			continue
		}
		if err := s.oneOff(ctx, iss, now); err != nil {
			s.retryIssue[iss.ID] = now.Add(retryDelay)
			s.log.Error("scheduled issue failed; will try again", "issue", iss.ID, "date", iss.Date.String(), "err", err,
				"retry_at", s.retryIssue[iss.ID].Format(time.RFC3339))
			continue
		}
		delete(s.retryIssue, iss.ID)
	}
	return nil
}

func (s *Scheduler) oneOff(ctx context.Context, iss *newsletter.Issue, now time.Time) error {
	p, err := s.publication(ctx, iss.PublicationID)
	if err != nil {
		return err
	}
	log := s.log.With("publication", p.Slug, "date", iss.Date.String(), "issue", iss.ID,
		"send_at", iss.SendAt.In(p.Location()).Format(time.RFC3339))
	if late := now.Sub(iss.SendAt); late > s.cfg.CatchUp {
		err := s.st.SetIssueStatus(ctx, iss.ID, []newsletter.IssueStatus{newsletter.Scheduled}, newsletter.Missed, time.Time{})
		if errors.Is(err, store.ErrConflict) {
			return nil // moved on meanwhile (sent by another process, held by an editor)
		}
		if err != nil {
			return err
		}
		log.Warn("scheduled issue missed: its time passed while masthead was down, beyond the catch-up window; not sent",
			"late", late.Round(time.Second).String(), "catch_up", s.cfg.CatchUp.String())
		return nil
	}
	// Pick up edits made since it was scheduled.
	fresh, err := s.asm.Assemble(ctx, p, iss.Date)
	switch {
	case err == nil:
		iss = fresh
	case errors.Is(err, newsletter.ErrEmptyIssue) && iss.Stories() == 0 && p.EmptyPolicy != newsletter.EmptyNotice:
		// Scheduled in advance, and its articles never came: the
		// empty-day policy, as at a daily fire.
		to := newsletter.Skipped
		if p.EmptyPolicy == newsletter.EmptyHold {
			to = newsletter.Held
		}
		err := s.st.SetIssueStatus(ctx, iss.ID, []newsletter.IssueStatus{newsletter.Scheduled}, to, time.Time{})
		if errors.Is(err, store.ErrConflict) {
			return nil
		}
		if err == nil {
			log.Info("scheduled issue: the date has no ready articles; "+string(to)+" by the empty-day policy", "policy", string(p.EmptyPolicy))
		}
		return err
	case errors.Is(err, newsletter.ErrEmptyIssue):
		log.Warn("the date has no ready articles now; sending the issue as it was assembled")
	case errors.Is(err, newsletter.ErrFrozen):
		return nil
	default:
		return err
	}
	if iss.Status != newsletter.Scheduled {
		return nil // an editor acted meanwhile
	}
	detail, err := s.start(ctx, iss)
	if errors.Is(err, store.ErrConflict) {
		return nil
	}
	if err != nil {
		return err
	}
	log.Info("scheduled issue: "+DecisionSent, "detail", detail)
	return nil
}

// publication returns a loaded publication, or reads it (one created since the
// last load).
func (s *Scheduler) publication(ctx context.Context, id int64) (*newsletter.Publication, error) {
	for _, p := range s.pubs {
		if p.ID == id {
			return p.Publication, nil
		}
	}
	return s.st.Publication(ctx, id)
}
