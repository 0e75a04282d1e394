package engagement

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// LinkStore is what the redirect needs from the database: the link table of
// an issue, as Rewrite made it and the store keeps it. An unknown issue is
// ErrNotFound.
type LinkStore interface {
	IssueLinks(ctx context.Context, issueID int64) (*IssueLinks, error)
}

// Queue takes events without blocking; false means the event was dropped.
// *Recorder is one.
type Queue interface {
	Record(Event) bool
}

// Redirector decides where a click goes and hands the click to a Queue. It
// knows nothing of HTTP (see Handler).
type Redirector struct {
	signer *Signer
	links  LinkStore
	queue  Queue
	now    func() time.Time
}

// NewRedirector returns a Redirector; queue may be nil (nothing recorded).
func NewRedirector(s *Signer, links LinkStore, queue Queue) *Redirector {
	return &Redirector{signer: s, links: links, queue: queue, now: time.Now}
}

// Click verifies a redirect token, looks its link up and returns the URL to
// send the reader to: always one of the issue's own table, never one taken
// from the request, so the redirect cannot be made to point elsewhere. The
// click is queued for recording; a full queue drops it and the redirect
// goes on. Errors: ErrBadToken (400), ErrNotFound (404), or the store's.
func (r *Redirector) Click(ctx context.Context, token string, req Request) (string, error) {
	ref, err := r.signer.Verify(token)
	if err != nil {
		return "", err
	}
	if ref.Link == OpenLink {
		return "", ErrBadToken // an image token is not a link
	}
	t, err := r.issue(ctx, ref.IssueID)
	if err != nil {
		return "", err
	}
	l, ok := t.link(ref.Link)
	if !ok {
		return "", fmt.Errorf("issue %d link %d: %w", ref.IssueID, ref.Link, ErrNotFound)
	}
	if !trackable(l.URL) {
		// The store returned something Rewrite would never have made.
		return "", fmt.Errorf("issue %d link %d: stored URL is not an http(s) URL: %w", ref.IssueID, ref.Link, ErrNotFound)
	}
	r.record(Click, ref, t, req)
	return l.URL, nil
}

// Open verifies a tracking image's token and queues the open. The image is
// served whatever the outcome of recording.
func (r *Redirector) Open(ctx context.Context, token string, req Request) error {
	ref, err := r.signer.Verify(token)
	if err != nil {
		return err
	}
	if ref.Link != OpenLink {
		return ErrBadToken
	}
	t, err := r.issue(ctx, ref.IssueID)
	if err != nil {
		return err
	}
	r.record(Open, ref, t, req)
	return nil
}

func (r *Redirector) issue(ctx context.Context, id int64) (*IssueLinks, error) {
	t, err := r.links.IssueLinks(ctx, id)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("issue %d: %w", id, err)
		}
		return nil, fmt.Errorf("engagement: links of issue %d: %w", id, err)
	}
	if t == nil || t.IssueID != id {
		return nil, fmt.Errorf("issue %d: %w", id, ErrNotFound)
	}
	return t, nil
}

func (r *Redirector) record(k Kind, ref Ref, t *IssueLinks, req Request) {
	if r.queue == nil || ref.Preview {
		return
	}
	if req.At.IsZero() {
		req.At = r.now()
	}
	e := Event{Kind: k, PublicationID: t.PublicationID, IssueID: t.IssueID, Link: ref.Link,
		IssueLinks: len(t.Links), SentAt: ref.SentAt, Request: req}
	if t.PerRecipient {
		e.Recipient = ref.Recipient
	}
	r.queue.Record(e)
}
