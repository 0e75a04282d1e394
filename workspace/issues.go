package workspace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"masthead/ledger"
	"masthead/newsletter"
	"masthead/store"
	"masthead/templates"
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

// AssembleEdition assembles edition e of p's date d (0 the daily issue, N
// its extra N) from that edition's ready articles.
func (s *Service) AssembleEdition(ctx context.Context, p *newsletter.Publication, d newsletter.Date, e int) (*newsletter.Issue, error) {
	return s.asm.AssembleEdition(ctx, p, d, e)
}

// PreviewRecipient is who previews of p are filled for: a placeholder, so
// an editor sees the bytes a subscriber gets with nobody's data in them.
func (s *Service) PreviewRecipient(p *newsletter.Publication) *templates.Personal {
	return &templates.Personal{Name: "Reader", Email: "reader@example.org", UnsubscribeURL: p.LinkBase(s.baseURL) + "/unsubscribe/preview"}
}

// Preview is the stored issue's body (html or text) filled for the
// placeholder recipient: exactly what a subscriber's message carries.
func (s *Service) Preview(p *newsletter.Publication, iss *newsletter.Issue, format string) ([]byte, error) {
	switch format {
	case "html":
		return templates.Compile(iss.HTML, templates.HTML).Fill(nil, s.PreviewRecipient(p)), nil
	case "text":
		return templates.Compile(iss.Text, templates.Text).Fill(nil, s.PreviewRecipient(p)), nil
	}
	return nil, fmt.Errorf("preview format %q: want html or text", format)
}

// ParseAt reads a send time: HH:MM on d in p's zone, or RFC 3339.
func ParseAt(p *newsletter.Publication, d newsletter.Date, at string) (time.Time, error) {
	t, err := parseAt(at, d, p.Location())
	if err != nil {
		return time.Time{}, &newsletter.FieldError{Field: "at", Msg: err.Error()}
	}
	return t, nil
}

// CurrentIssue is p's issue of d as it stands: assembled again (picking up
// late edits) unless its send began, in which case the stored one, as it
// went out. A date with no ready articles gives newsletter.ErrEmptyIssue.
func (s *Service) CurrentIssue(ctx context.Context, p *newsletter.Publication, d newsletter.Date) (*newsletter.Issue, error) {
	return s.CurrentEdition(ctx, p, d, 0)
}

// CurrentEdition is CurrentIssue of edition e of the date.
func (s *Service) CurrentEdition(ctx context.Context, p *newsletter.Publication, d newsletter.Date, e int) (*newsletter.Issue, error) {
	iss, err := s.asm.AssembleEdition(ctx, p, d, e)
	if errors.Is(err, newsletter.ErrFrozen) {
		return s.st.IssueByEdition(ctx, p.ID, d, e)
	}
	return iss, err
}

// SendNow is an editor's "send now": it assembles p's issue of d (picking up
// late edits) unless it is already sending or skipped, and starts its send
// (Start).
func (s *Service) SendNow(ctx context.Context, p *newsletter.Publication, d newsletter.Date) (*newsletter.Issue, ledger.StartResult, error) {
	return s.SendEdition(ctx, p, d, 0)
}

// SendEdition is SendNow of edition e of the date: how an extra goes out,
// to the same list, with its own ledger rows (the ledger is keyed by the
// issue). An extra that does not exist gives store.ErrNotFound.
func (s *Service) SendEdition(ctx context.Context, p *newsletter.Publication, d newsletter.Date, e int) (*newsletter.Issue, ledger.StartResult, error) {
	iss, err := s.st.IssueByEdition(ctx, p.ID, d, e)
	switch {
	case (errors.Is(err, store.ErrNotFound) && e == 0) || (err == nil && !iss.Status.Frozen() && iss.Status != newsletter.Skipped):
		if iss, err = s.asm.AssembleEdition(ctx, p, d, e); err != nil {
			return nil, ledger.StartResult{}, err
		}
	case err != nil:
		return nil, ledger.StartResult{}, err
	}
	res, err := s.Start(ctx, p, iss)
	return iss, res, err
}

// Start starts the send of an assembled issue (snapshotting its audience),
// resumes a paused one (through the engine's transport, so a paused send can
// move to another server) and leaves a sending one as it is; the process's
// delivery workers are woken. An issue in another state gives ErrState; one
// sending through another transport a *ledger.TransportError.
func (s *Service) Start(ctx context.Context, p *newsletter.Publication, iss *newsletter.Issue) (ledger.StartResult, error) {
	if s.sends == nil {
		return ledger.StartResult{}, fmt.Errorf("sending: %w", ErrUnavailable)
	}
	if iss.IsExtra() && iss.Stories() == 0 {
		return ledger.StartResult{}, fmt.Errorf("%s of %s has no articles: %w", iss.EditionTitle, iss.Date, newsletter.ErrEmptyIssue)
	}
	res, err := s.sends.Start(ctx, iss.ID)
	if errors.Is(err, store.ErrConflict) {
		err = fmt.Errorf("issue of %s is %s: %w", iss.Ref(), iss.Status, ErrState)
	}
	if err == nil {
		s.log.Info("send started by an editor", "publication", p.Slug, "date", iss.Date.String(), "edition", iss.Edition, "queued", res.Queued)
	}
	return res, err
}

// Pause, Resume and Cancel control a send.
func (s *Service) Pause(ctx context.Context, iss *newsletter.Issue) error {
	if s.sends == nil {
		return fmt.Errorf("pausing: %w", ErrUnavailable)
	}
	return s.stateErr(s.sends.Pause(ctx, iss.ID), iss)
}

func (s *Service) Resume(ctx context.Context, iss *newsletter.Issue) error {
	if s.sends == nil {
		return fmt.Errorf("resuming: %w", ErrUnavailable)
	}
	return s.stateErr(s.sends.Resume(ctx, iss.ID), iss)
}

func (s *Service) Cancel(ctx context.Context, iss *newsletter.Issue) error {
	if s.sends == nil {
		return fmt.Errorf("cancelling: %w", ErrUnavailable)
	}
	return s.stateErr(s.sends.Cancel(ctx, iss.ID), iss)
}

// DeliverNow sends the copies of a sending or paused send that wait for
// their readers' local time now rather than at each reader's hour: every
// one becomes due at once and the delivery workers are woken (a paused send
// delivers them when resumed). It returns how many copies it moved;
// ErrState when the issue is not sending or paused.
func (s *Service) DeliverNow(ctx context.Context, iss *newsletter.Issue) (int, error) {
	if s.sends == nil {
		return 0, fmt.Errorf("delivering now: %w", ErrUnavailable)
	}
	n, err := s.sends.DueNow(ctx, iss.ID)
	if err != nil {
		return 0, s.stateErr(err, iss)
	}
	s.log.Info("waiting copies made due now by an editor", "issue", iss.ID, "date", iss.Date.String(), "edition", iss.Edition, "due_now", n)
	return n, nil
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
	if s.sends == nil {
		return fmt.Errorf("test sends: %w", ErrUnavailable)
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
	ETA      float64                `json:"eta"`      // seconds until the rows due now are done at that rate; 0 when unknown, done or only waiting
	Started  time.Time              `json:"started"`  // zero before the send (null in JSON)
	Finished time.Time              `json:"finished"` // zero until done (null in JSON)
	// PauseReason is why masthead paused the send by itself (the mail
	// server refuses our mail); "" otherwise.
	PauseReason string `json:"pause_reason"`
	// Waiting are the pending rows not yet due: their readers' local time
	// has not come (a publication that delivers at each reader's hour).
	// NextLocal is the next of them to fall due; nil (null) when none waits.
	Waiting   int        `json:"waiting"`
	NextLocal *LocalNext `json:"next_local"`
}

// MarshalJSON writes Started and Finished as null while they are zero (as
// the API's issues do), not as the year 1.
func (p Progress) MarshalJSON() ([]byte, error) {
	type plain Progress
	opt := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		return &t
	}
	return json.Marshal(struct {
		plain
		Started  *time.Time `json:"started"`
		Finished *time.Time `json:"finished"`
	}{plain(p), opt(p.Started), opt(p.Finished)})
}

// Progress reads the ledger's counts for an issue: while a very large send
// is under way, counts a few seconds old (see countsCache); once it stopped,
// the final ones.
func (s *Service) Progress(ctx context.Context, iss *newsletter.Issue) (Progress, error) {
	st, err := s.st.IssueStatus(ctx, iss.ID)
	if err != nil {
		return Progress{}, err
	}
	var c ledger.DeliveryCounts
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
		Pending: c.Pending(), Waiting: c.Waiting, Skipped: c.Skipped + c.Cancelled, Started: fresh.StartedAt, Finished: fresh.FinishedAt,
		PauseReason: fresh.PauseReason}
	if p.Waiting > 0 {
		if p.NextLocal, err = s.nextLocal(ctx, iss); err != nil {
			return Progress{}, err
		}
	}
	if !p.Started.IsZero() {
		end := s.now().Add(-age) // the rate of what the counts saw, when they saw it
		if !p.Finished.IsZero() {
			end = p.Finished
		}
		if secs := end.Sub(p.Started).Seconds(); secs > 0 {
			p.Rate = float64(p.Sent+p.Failed) / secs
		}
		// Rows waiting for their readers' hour are not late: the estimate
		// is of the rows due now.
		if due := p.Pending - p.Waiting; p.Rate > 0 && due > 0 && st == newsletter.Sending {
			p.ETA = float64(due) / p.Rate
		}
	}
	return p, nil
}
