package workspace

import (
	"context"
	"errors"
	"fmt"
	"time"

	"masthead/newsletter"
	"masthead/store"
)

// ErrInPast is returned for a one-off send time that has already passed.
var ErrInPast = errors.New("the time has already passed")

// ErrState is returned when an issue is not in a state the action applies to
// (releasing an issue that is not held, say).
var ErrState = errors.New("the issue is not in a state this applies to")

// What an editor does to the schedule of one issue: give it its own send
// time, take it back, hold it, release it, skip the date. Everything is kept
// in the issue row (status and send time), so it survives restarts and every
// process sees it; each change is conditional on the status the issue has
// (newsletter.IssueStatus.Editable), so it never undoes a send that began.

// parseAt reads an editor's send time: "06:30" or "06:30:15" on date d in loc
// (the publication's zone), or an RFC 3339 time such as 2009-07-09T06:30:00-04:00.
func parseAt(s string, d newsletter.Date, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"15:04", "15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return time.Date(d.Year, d.Month, d.Day, t.Hour(), t.Minute(), t.Second(), 0, loc), nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q: use HH:MM (in the publication's zone) or RFC 3339 such as 2009-07-09T06:30:00-04:00", s)
}

// Schedule assembles the issue of p for d (picking up late edits) and sets it
// to go out at `at`, instead of at the daily schedule's time. Scheduling again
// moves the time; a held, missed or skipped issue becomes scheduled.
func (s *Service) Schedule(ctx context.Context, p *newsletter.Publication, d newsletter.Date, at time.Time) (*newsletter.Issue, error) {
	return s.ScheduleEdition(ctx, p, d, 0, at)
}

// ScheduleEdition is Schedule of edition e of the date (0 the daily issue,
// N its extra N): an extra scheduled goes out at `at` (an editor's say-so),
// never at the daily schedule's time.
func (s *Service) ScheduleEdition(ctx context.Context, p *newsletter.Publication, d newsletter.Date, e int, at time.Time) (*newsletter.Issue, error) {
	if at.Before(s.now().Add(-time.Second)) {
		return nil, fmt.Errorf("%s: %w", at.In(p.Location()).Format(time.RFC3339), ErrInPast)
	}
	iss, err := s.asm.AssembleEdition(ctx, p, d, e)
	if errors.Is(err, newsletter.ErrEmptyIssue) && e == 0 {
		// A date whose articles are still to come may get its time in
		// advance, as it may be held or skipped: a placeholder until then,
		// assembled again at its time (the empty-day policy applies if the
		// date has no ready articles by then). An extra needs its articles.
		iss, err = s.placeholder(ctx, p, d)
	}
	if err != nil {
		return nil, err
	}
	if err := s.st.SetIssueStatus(ctx, iss.ID, editable(), newsletter.Scheduled, at); err != nil {
		return nil, s.scheduleErr(ctx, iss.ID, err)
	}
	return s.st.Issue(ctx, iss.ID)
}

// Unschedule takes a one-off send time back: the issue is assembled again and
// the daily schedule sends it (if its time for the date is still to come).
func (s *Service) Unschedule(ctx context.Context, p *newsletter.Publication, d newsletter.Date) (*newsletter.Issue, error) {
	return s.UnscheduleEdition(ctx, p, d, 0)
}

// UnscheduleEdition is Unschedule of edition e of the date.
func (s *Service) UnscheduleEdition(ctx context.Context, p *newsletter.Publication, d newsletter.Date, e int) (*newsletter.Issue, error) {
	iss, err := s.st.IssueByEdition(ctx, p.ID, d, e)
	if err != nil {
		return nil, err
	}
	if err := s.st.Unschedule(ctx, iss.ID); err != nil {
		return nil, s.scheduleErr(ctx, iss.ID, err)
	}
	return s.st.Issue(ctx, iss.ID)
}

// Hold keeps the issue of p for d from going out until Release. A date with no
// issue yet gets one (a placeholder when it has no ready articles), so that a
// coming day can be held in advance.
func (s *Service) Hold(ctx context.Context, p *newsletter.Publication, d newsletter.Date) (*newsletter.Issue, error) {
	return s.HoldEdition(ctx, p, d, 0)
}

// HoldEdition is Hold of edition e of the date (an extra must exist).
func (s *Service) HoldEdition(ctx context.Context, p *newsletter.Publication, d newsletter.Date, e int) (*newsletter.Issue, error) {
	return s.mark(ctx, p, d, e, editable(), newsletter.Held)
}

// Skip marks the date as not published: nothing sends it.
func (s *Service) Skip(ctx context.Context, p *newsletter.Publication, d newsletter.Date) (*newsletter.Issue, error) {
	return s.SkipEdition(ctx, p, d, 0)
}

// SkipEdition is Skip of edition e of the date: an extra skipped is never
// sent (the daily issue is not touched).
func (s *Service) SkipEdition(ctx context.Context, p *newsletter.Publication, d newsletter.Date, e int) (*newsletter.Issue, error) {
	return s.mark(ctx, p, d, e, editable(), newsletter.Skipped)
}

// Release lets a held issue go: an issue held while it had a one-off send
// time still to come is scheduled for it again; any other is assembled
// again, and the daily schedule sends it if its time for the date is still to
// come (otherwise send it with 'masthead issue send' or schedule it).
//
// A held placeholder (a date held in advance, or by the "hold" empty-day
// policy) whose date still has no ready articles follows the empty-day
// policy instead of becoming an assembled "no issue today": under "notice"
// it is the notice, to be sent like any issue; under "skip" and "hold" it is
// removed (removed true, and the issue returned is the one that was), so
// the date has no issue and uses no number, and its daily fire decides at
// its time as for any date.
func (s *Service) Release(ctx context.Context, p *newsletter.Publication, d newsletter.Date) (iss *newsletter.Issue, removed bool, err error) {
	return s.ReleaseEdition(ctx, p, d, 0)
}

// ReleaseEdition is Release of edition e of the date: a released extra
// waits for an editor's send (the daily schedule sends only daily issues);
// only the daily issue has placeholders.
func (s *Service) ReleaseEdition(ctx context.Context, p *newsletter.Publication, d newsletter.Date, e int) (iss *newsletter.Issue, removed bool, err error) {
	iss, err = s.st.IssueByEdition(ctx, p.ID, d, e)
	if err != nil {
		return nil, false, err
	}
	if e == 0 && iss.Status == newsletter.Held && iss.Stories() == 0 {
		fresh, err := s.asm.Assemble(ctx, p, d)
		switch {
		case errors.Is(err, newsletter.ErrEmptyIssue) && p.EmptyPolicy != newsletter.EmptyNotice:
			if err := s.st.RemovePlaceholder(ctx, iss.ID); err != nil {
				return nil, false, s.scheduleErr(ctx, iss.ID, err)
			}
			s.log.Info("released an empty date: its placeholder removed", "publication", p.Slug, "date", d.String(),
				"empty_policy", string(p.EmptyPolicy))
			return iss, true, nil
		case errors.Is(err, newsletter.ErrEmptyIssue):
		case err != nil:
			return nil, false, err
		default:
			iss = fresh
		}
	}
	to, at := newsletter.Assembled, time.Time{}
	if !iss.SendAt.IsZero() && iss.SendAt.After(s.now()) {
		to, at = newsletter.Scheduled, iss.SendAt
	}
	if err := s.st.SetIssueStatus(ctx, iss.ID, []newsletter.IssueStatus{newsletter.Held}, to, at); err != nil {
		return nil, false, s.scheduleErr(ctx, iss.ID, err)
	}
	iss, err = s.st.Issue(ctx, iss.ID)
	return iss, false, err
}

// RemovedNote says what a Release that removed the placeholder left, for
// people.
func RemovedNote(p *newsletter.Publication) string {
	return fmt.Sprintf("the date has no ready articles, so it has no issue now and uses no number; "+
		"at its daily time it is sent if articles are ready by then, otherwise the empty-day policy (%s) applies", p.EmptyPolicy)
}

// placeholder is the issue of a date with no ready articles: the one it
// has, or a new "no issue today" notice, assembled.
func (s *Service) placeholder(ctx context.Context, p *newsletter.Publication, d newsletter.Date) (*newsletter.Issue, error) {
	iss, err := s.st.IssueByDate(ctx, p.ID, d)
	if errors.Is(err, store.ErrNotFound) {
		return s.asm.Notice(ctx, p, d, newsletter.Assembled)
	}
	return iss, err
}

// mark moves edition e of p's date d to status `to`, creating the daily
// issue first when the date has none (an extra is made by CreateExtra).
func (s *Service) mark(ctx context.Context, p *newsletter.Publication, d newsletter.Date, e int,
	from []newsletter.IssueStatus, to newsletter.IssueStatus) (*newsletter.Issue, error) {
	iss, err := s.st.IssueByEdition(ctx, p.ID, d, e)
	if errors.Is(err, store.ErrNotFound) && e == 0 {
		iss, err = s.asm.Assemble(ctx, p, d)
		if errors.Is(err, newsletter.ErrEmptyIssue) {
			// Notice stores the placeholder directly in its final status.
			return s.asm.Notice(ctx, p, d, to)
		}
	}
	if err != nil {
		return nil, err
	}
	if err := s.st.SetIssueStatus(ctx, iss.ID, from, to, time.Time{}); err != nil {
		return nil, s.scheduleErr(ctx, iss.ID, err)
	}
	return s.st.Issue(ctx, iss.ID)
}

// scheduleErr turns the store's conflict into ErrState naming the issue's
// status (newsletter.ErrFrozen for one whose send began).
func (s *Service) scheduleErr(ctx context.Context, id int64, err error) error {
	if !errors.Is(err, store.ErrConflict) {
		return err
	}
	st, serr := s.st.IssueStatus(ctx, id)
	if serr != nil {
		return err
	}
	if st.Frozen() {
		return fmt.Errorf("issue %d is %s: %w", id, st, newsletter.ErrFrozen)
	}
	return fmt.Errorf("issue %d is %s: %w", id, st, ErrState)
}

// editable are the statuses an editor's schedule actions apply to.
func editable() []newsletter.IssueStatus { return newsletter.Statuses(newsletter.IssueStatus.Editable) }
