package workspace

import (
	"context"
	"errors"
	"time"

	"masthead/newsletter"
	"masthead/store"
)

// Fire is one coming time of a publication's daily schedule and what it
// will find there.
type Fire struct {
	At   time.Time       // in the publication's zone
	Date newsletter.Date // the date whose issue it sends
	// Idle says why the fire will do nothing: the date's issue went out
	// already, or waits for an editor, or has a time of its own; "" when
	// the fire assembles and sends the date's issue.
	Idle string
}

// UpcomingFires lists the next n fires of form's daily schedule (form may
// be settings not saved yet: its ID names the publication) with what each
// will find; none without a schedule.
func (s *Service) UpcomingFires(ctx context.Context, form *newsletter.Publication, n int) ([]Fire, error) {
	times, err := NextFires(form, s.now(), n)
	if err != nil {
		return nil, err
	}
	out := make([]Fire, 0, len(times))
	for _, t := range times {
		f := Fire{At: t, Date: newsletter.DateOf(t)}
		if form.ID != 0 {
			iss, err := s.st.IssueByDate(ctx, form.ID, f.Date)
			switch {
			case errors.Is(err, store.ErrNotFound):
			case err != nil:
				return nil, err
			default:
				f.Idle = idleReason(iss, form.Location())
			}
		}
		out = append(out, f)
	}
	return out, nil
}

// idleReason is why a daily fire leaves iss alone ("" when it sends it).
func idleReason(iss *newsletter.Issue, loc *time.Location) string {
	switch iss.Status {
	case newsletter.Held:
		return "the issue is held until an editor releases it"
	case newsletter.Skipped:
		return "an editor skipped this date"
	case newsletter.Scheduled:
		return "the issue has its own send time, " + iss.SendAt.In(loc).Format("15:04 MST")
	case newsletter.Missed:
		return "the issue was marked missed; it waits for an editor"
	case newsletter.Sending, newsletter.Paused:
		return "the issue is already sending"
	case newsletter.Sent:
		return "the issue was sent already"
	case newsletter.Cancelled:
		return "the issue's send was cancelled"
	}
	return ""
}
