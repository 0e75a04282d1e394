package workspace

import (
	"context"
	"errors"
	"fmt"
	"time"

	"masthead/newsletter"
	"masthead/scheduler"
	"masthead/store"
	"masthead/templates"
)

// Errors of the issue operations, besides the store's and newsletter's.
var (
	// ErrState: the issue is not in a state the action applies to.
	ErrState = scheduler.ErrState
	// ErrInPast: a send time that has already passed.
	ErrInPast = scheduler.ErrInPast
)

// Issue returns one of p's issues.
func (s *Service) Issue(ctx context.Context, id int64) (*newsletter.Issue, *newsletter.Publication, error) {
	iss, err := s.st.Issue(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.st.Publication(ctx, iss.PublicationID)
	if err != nil {
		return nil, nil, err
	}
	return iss, p, nil
}

// Assemble assembles (or re-assembles) p's issue of d from its ready articles.
func (s *Service) Assemble(ctx context.Context, p *newsletter.Publication, d newsletter.Date) (*newsletter.Issue, error) {
	return s.asm.Assemble(ctx, p, d)
}

// PreviewRecipient is who previews are filled for: a placeholder, so an
// editor sees the bytes a subscriber gets with nobody's data in them.
func (s *Service) PreviewRecipient() *templates.Personal {
	return &templates.Personal{Name: "Reader", Email: "reader@example.org", UnsubscribeURL: s.baseURL + "/unsubscribe/preview"}
}

// Preview is the stored issue's body (html or text) filled for the
// placeholder recipient: exactly what a subscriber's message carries.
func (s *Service) Preview(iss *newsletter.Issue, format string) ([]byte, error) {
	switch format {
	case "html":
		return templates.Compile(iss.HTML, templates.HTML).Fill(nil, s.PreviewRecipient()), nil
	case "text":
		return templates.Compile(iss.Text, templates.Text).Fill(nil, s.PreviewRecipient()), nil
	}
	return nil, fmt.Errorf("preview format %q: want html or text", format)
}

// Schedule gives p's issue of d its own send time (assembling it first).
func (s *Service) Schedule(ctx context.Context, p *newsletter.Publication, d newsletter.Date, at time.Time) (*newsletter.Issue, error) {
	return s.sched.Schedule(ctx, p, d, at)
}

// ParseAt reads a send time: HH:MM on d in p's zone, or RFC 3339.
func ParseAt(p *newsletter.Publication, d newsletter.Date, at string) (time.Time, error) {
	t, err := scheduler.ParseAt(at, d, p.Location())
	if err != nil {
		return time.Time{}, &newsletter.FieldError{Field: "at", Msg: err.Error()}
	}
	return t, nil
}

// Unschedule takes a one-off send time back.
func (s *Service) Unschedule(ctx context.Context, p *newsletter.Publication, d newsletter.Date) (*newsletter.Issue, error) {
	return s.sched.Unschedule(ctx, p, d)
}

// Hold keeps p's issue of d from going out until Release.
func (s *Service) Hold(ctx context.Context, p *newsletter.Publication, d newsletter.Date) (*newsletter.Issue, error) {
	return s.sched.Hold(ctx, p, d)
}

// Release lets a held issue go again.
func (s *Service) Release(ctx context.Context, p *newsletter.Publication, d newsletter.Date) (*newsletter.Issue, error) {
	return s.sched.Release(ctx, p, d)
}

// Skip marks the date as not published.
func (s *Service) Skip(ctx context.Context, p *newsletter.Publication, d newsletter.Date) (*newsletter.Issue, error) {
	return s.sched.Skip(ctx, p, d)
}

// SendNow assembles p's issue of d (picking up late edits) unless it is
// already sending, and starts its send; a paused issue resumes.
func (s *Service) SendNow(ctx context.Context, p *newsletter.Publication, d newsletter.Date) (*newsletter.Issue, store.StartResult, error) {
	iss, err := s.st.IssueByDate(ctx, p.ID, d)
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && !iss.Status.Frozen() && iss.Status != newsletter.Skipped):
		if iss, err = s.asm.Assemble(ctx, p, d); err != nil {
			return nil, store.StartResult{}, err
		}
	case err != nil:
		return nil, store.StartResult{}, err
	}
	if iss.Status == newsletter.Paused {
		return iss, store.StartResult{Resumed: true}, s.sends.Resume(ctx, iss.ID)
	}
	res, err := s.sends.Start(ctx, iss.ID)
	if errors.Is(err, store.ErrConflict) {
		err = fmt.Errorf("issue of %s is %s: %w", d, iss.Status, ErrState)
	}
	if err == nil {
		s.log.Info("send started by an editor", "publication", p.Slug, "date", d.String(), "queued", res.Queued)
	}
	return iss, res, err
}

// Pause, Resume and Cancel control a send.
func (s *Service) Pause(ctx context.Context, iss *newsletter.Issue) error {
	return s.stateErr(s.sends.Pause(ctx, iss.ID), iss)
}

func (s *Service) Resume(ctx context.Context, iss *newsletter.Issue) error {
	return s.stateErr(s.sends.Resume(ctx, iss.ID), iss)
}

func (s *Service) Cancel(ctx context.Context, iss *newsletter.Issue) error {
	return s.stateErr(s.sends.Cancel(ctx, iss.ID), iss)
}

func (s *Service) stateErr(err error, iss *newsletter.Issue) error {
	if errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("issue %d is %s: %w", iss.ID, iss.Status, ErrState)
	}
	return err
}

// TestSend sends the issue to one address as a subscriber gets it; the
// ledger is not touched.
func (s *Service) TestSend(ctx context.Context, iss *newsletter.Issue, addr string) error {
	a, err := newsletter.ParseAddress(addr)
	if err != nil {
		return &newsletter.FieldError{Field: "email", Msg: fmt.Sprintf("%q is not an email address: %v", addr, err)}
	}
	if err := s.sends.TestSend(ctx, iss.ID, a.Address); err != nil {
		return fmt.Errorf("%w: %w", ErrTestSend, err)
	}
	s.log.Info("test send", "issue", iss.ID, "to", a.Address)
	return nil
}

// ErrTestSend wraps a test send's failure (the mail server's refusal).
var ErrTestSend = errors.New("the test message was not accepted")

// Progress is where a send stands.
type Progress struct {
	Status   newsletter.IssueStatus `json:"status"`
	Total    int                    `json:"total"`
	Sent     int                    `json:"sent"`
	Failed   int                    `json:"failed"`
	Retrying int                    `json:"retrying"`
	Pending  int                    `json:"pending"`  // queued or in flight
	Skipped  int                    `json:"skipped"`  // unsubscribed or suppressed before sending
	Rate     float64                `json:"rate"`     // messages per second since the send started
	ETA      float64                `json:"eta"`      // seconds until done at that rate; 0 when unknown or done
	Started  time.Time              `json:"started"`  // zero before the send
	Finished time.Time              `json:"finished"` // zero until done
	// PauseReason is why masthead paused the send by itself (the mail
	// server refuses our mail); "" otherwise.
	PauseReason string `json:"pause_reason"`
}

// Progress reads the ledger's counts for an issue: while a very large send
// is under way, counts a few seconds old (see countsCache); once it stopped,
// the final ones.
func (s *Service) Progress(ctx context.Context, iss *newsletter.Issue) (Progress, error) {
	st, err := s.st.IssueStatus(ctx, iss.ID)
	if err != nil {
		return Progress{}, err
	}
	var c store.DeliveryCounts
	var age time.Duration // of the counts, when they come from the cache
	if st == newsletter.Sending || st == newsletter.Paused {
		var at time.Time
		c, at, err = s.counts.get(ctx, iss.ID)
		age = time.Since(at)
	} else {
		c, err = s.st.Counts(ctx, iss.ID)
	}
	if err != nil {
		return Progress{}, err
	}
	fresh, err := s.st.Issue(ctx, iss.ID)
	if err != nil {
		return Progress{}, err
	}
	p := Progress{Status: st, Total: c.Total, Sent: c.Sent, Failed: c.Failed, Retrying: c.Retrying,
		Pending: c.Pending(), Skipped: c.Skipped + c.Cancelled, Started: fresh.StartedAt, Finished: fresh.FinishedAt,
		PauseReason: fresh.PauseReason}
	if !p.Started.IsZero() {
		end := s.now().Add(-age) // the rate of what the counts saw, when they saw it
		if !p.Finished.IsZero() {
			end = p.Finished
		}
		if secs := end.Sub(p.Started).Seconds(); secs > 0 {
			p.Rate = float64(p.Sent+p.Failed) / secs
		}
		if p.Rate > 0 && p.Pending > 0 && st == newsletter.Sending {
			p.ETA = float64(p.Pending) / p.Rate
		}
	}
	return p, nil
}
