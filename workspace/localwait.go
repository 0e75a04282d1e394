package workspace

import (
	"context"
	"fmt"
	"time"

	"masthead/newsletter"
)

// LocalNext is the next group of a send's rows that waits for its readers'
// local time (a publication that delivers at each reader's hour).
type LocalNext struct {
	// At is when the group is due, on its zone's clock.
	At time.Time `json:"at"`
	// Zone is the group's IANA zone: its readers' own, or the publication's
	// for readers with none (or one masthead does not know).
	Zone string `json:"zone"`
}

// String is the group's time on its own clock: "06:00 Europe/London, Sun 25 Oct".
func (n LocalNext) String() string {
	return fmt.Sprintf("%s %s, %s", n.At.Format("15:04"), n.Zone, n.At.Format("Mon 2 Jan"))
}

// WaitingLine is the sentence every front end shows while rows of the send
// wait for their readers' local time, "waiting for local time: 412 (next at
// 06:00 Europe/London, Sun 25 Oct)"; "" when none does.
func (p Progress) WaitingLine() string {
	if p.Waiting == 0 {
		return ""
	}
	if p.NextLocal == nil {
		return fmt.Sprintf("waiting for local time: %d", p.Waiting)
	}
	return fmt.Sprintf("waiting for local time: %d (next at %s)", p.Waiting, p.NextLocal)
}

// nextLocal reads when the issue's next waiting group is due and names its
// zone; nil when no row waits.
func (s *Service) nextLocal(ctx context.Context, iss *newsletter.Issue) (*LocalNext, error) {
	w, err := s.st.LocalWait(ctx, iss.ID)
	if err != nil || w.Next.IsZero() {
		return nil, err
	}
	p, err := s.st.Publication(ctx, iss.PublicationID)
	if err != nil {
		return nil, err
	}
	loc := newsletter.ReaderLocation(w.Zone, p.Location())
	return &LocalNext{At: w.Next.In(loc), Zone: loc.String()}, nil
}
