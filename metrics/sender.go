package metrics

import (
	"context"
	"strconv"
	"strings"
	"sync"

	"masthead/delivery"
	"masthead/newsletter"
)

// IssuePublication names the publication (its slug) an issue belongs to.
type IssuePublication func(ctx context.Context, issueID int64) (string, error)

// Issues is where IssuePublicationOf looks issues and publications up
// (*store.Store is one).
type Issues interface {
	Issue(ctx context.Context, id int64) (*newsletter.Issue, error)
	Publication(ctx context.Context, id int64) (*newsletter.Publication, error)
}

// IssuePublicationOf names an issue's publication from db.
func IssuePublicationOf(db Issues) IssuePublication {
	return func(ctx context.Context, issueID int64) (string, error) {
		iss, err := db.Issue(ctx, issueID)
		if err != nil {
			return "", err
		}
		p, err := db.Publication(ctx, iss.PublicationID)
		if err != nil {
			return "", err
		}
		return p.Slug, nil
	}
}

// WrapSender returns a delivery.Sender that sends through next and records
// each attempt of an issue's delivery (test sends are not counted): accepted
// is sent, a 5xx reply is failed, a 4xx reply or a network error is retried.
// pubOf is asked once per issue.
func (m *Metrics) WrapSender(next delivery.Sender, pubOf IssuePublication) delivery.Sender {
	if m == nil {
		return next
	}
	return &sender{next: next, m: m, pubOf: pubOf, pubs: map[int64]string{}}
}

type sender struct {
	next  delivery.Sender
	m     *Metrics
	pubOf IssuePublication

	mu   sync.Mutex
	pubs map[int64]string
}

func (s *sender) Open(ctx context.Context) (delivery.Conn, error) {
	c, err := s.next.Open(ctx)
	if err != nil {
		return nil, err
	}
	return &conn{Conn: c, s: s}, nil
}

func (s *sender) publication(ctx context.Context, issueID int64) string {
	s.mu.Lock()
	p, ok := s.pubs[issueID]
	s.mu.Unlock()
	if ok {
		return p
	}
	p, err := s.pubOf(ctx, issueID)
	if err != nil {
		s.m.log.Warn("metrics: publication of issue", "issue", issueID, "err", err)
		return "unknown" // not cached: asked again next time
	}
	s.mu.Lock()
	s.pubs[issueID] = p
	s.mu.Unlock()
	return p
}

type conn struct {
	delivery.Conn
	s *sender
}

func (c *conn) Send(ctx context.Context, msg *delivery.Message) error {
	err := c.Conn.Send(ctx, msg)
	if msg.IssueID != 0 {
		o, code := attemptOutcome(msg, err)
		c.s.m.Attempt(c.s.publication(ctx, msg.IssueID), o, code)
	}
	return err
}

// attemptOutcome reads an attempt's result the way the engine does in outline.
func attemptOutcome(msg *delivery.Message, err error) (Outcome, int) {
	if err == nil {
		code := 250
		if c := leadingCode(msg.Reply); c != 0 {
			code = c
		}
		return Sent, code
	}
	code := delivery.ReplyCode(err)
	if code >= 500 && code != 521 {
		return Failed, code
	}
	return Retried, code
}

func leadingCode(s string) int {
	s = strings.TrimSpace(s)
	if len(s) < 3 {
		return 0
	}
	n, err := strconv.Atoi(s[:3])
	if err != nil || n < 200 || n > 599 {
		return 0
	}
	return n
}
