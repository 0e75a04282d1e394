package engagement

import (
	"context"
	"errors"
	"testing"
	"time"
)

// issueFixture is a rewritten issue whose link table is in a SQLite store.
type issueFixture struct {
	store *sqlStore
	rw    *Rewriter
	out   *Rewritten
	rd    *Redirector
}

func newIssueFixture(t testing.TB, perRecipientLinks, perRecipientSetting bool, q Queue) *issueFixture {
	t.Helper()
	f := &issueFixture{store: newSQLStore(t), rw: newRewriter(t, RewriteOptions{PerRecipient: perRecipientLinks})}
	html, text := renderIssue(t)
	out, err := f.rw.Rewrite(42, html, text)
	if err != nil {
		t.Fatal(err)
	}
	f.out = out
	f.store.saveIssue(t, 42, 1, perRecipientSetting, out.Links)
	f.rd = NewRedirector(f.rw.signer, NewCache(f.store, 16, time.Minute), q)
	return f
}

// queueFunc is a Queue that hands events to a function.
type queueFunc func(Event) bool

func (f queueFunc) Record(e Event) bool { return f(e) }

func TestRedirectClick(t *testing.T) {
	var got []Event
	f := newIssueFixture(t, false, false, queueFunc(func(e Event) bool { got = append(got, e); return true }))
	ctx := context.Background()
	s := f.rw.signer
	req := Request{Method: "GET", UserAgent: uaFirefox, At: at(time.Hour)}
	for _, l := range f.out.Links {
		u, err := f.rd.Click(ctx, s.LinkToken(42, l.Index), req)
		if err != nil || u != l.URL {
			t.Errorf("link %d: %q, %v; want %q", l.Index, u, err, l.URL)
		}
	}
	if len(got) != len(f.out.Links) || got[0].IssueID != 42 || got[0].PublicationID != 1 || got[0].Link != 1 ||
		got[0].IssueLinks != len(f.out.Links) || got[0].UserAgent != uaFirefox {
		t.Errorf("queued %+v", got)
	}

	for name, c := range map[string]struct {
		token string
		want  error
	}{
		"altered":          {s.LinkToken(42, 1)[:35] + "x", ErrBadToken},
		"the image token":  {s.LinkToken(42, OpenLink), ErrBadToken},
		"beyond the table": {s.LinkToken(42, len(f.out.Links)+1), ErrNotFound},
		"another issue":    {s.LinkToken(43, 1), ErrNotFound},
	} {
		n := len(got)
		if u, err := f.rd.Click(ctx, c.token, req); !errors.Is(err, c.want) || u != "" {
			t.Errorf("%s: %q, %v; want %v", name, u, err, c.want)
		}
		if len(got) != n {
			t.Errorf("%s: recorded", name)
		}
	}
}

// A table the store altered to point at a script is not followed: the
// redirect only ever sends readers to http(s) URLs.
func TestRedirectRefusesStoredScript(t *testing.T) {
	f := newIssueFixture(t, false, false, nil)
	if _, err := f.store.db.Exec(`UPDATE issue_links SET url = 'javascript:alert(1)' WHERE issue_id = 42 AND idx = 1`); err != nil {
		t.Fatal(err)
	}
	rd := NewRedirector(f.rw.signer, f.store, nil)
	if u, err := rd.Click(context.Background(), f.rw.signer.LinkToken(42, 1), Request{}); !errors.Is(err, ErrNotFound) || u != "" {
		t.Errorf("%q, %v", u, err)
	}
}

// With per-subscriber figures off, a per-message part's recipient is
// dropped before the click is queued; on, it is kept. A preview's part is
// followed and not queued.
func TestRedirectRecipient(t *testing.T) {
	for _, on := range []bool{false, true} {
		var got []Event
		f := newIssueFixture(t, true, on, queueFunc(func(e Event) bool { got = append(got, e); return true }))
		s := f.rw.signer
		tok := s.LinkToken(42, 2) + "." + s.RecipientPart(42, 1001, at(0))
		if u, err := f.rd.Click(context.Background(), tok, Request{Method: "GET", At: at(time.Minute)}); err != nil || u != f.out.Links[1].URL {
			t.Fatalf("%q, %v", u, err)
		}
		want := int64(0)
		if on {
			want = 1001
		}
		if len(got) != 1 || got[0].Recipient != want || !got[0].SentAt.Equal(at(0)) {
			t.Errorf("per-subscriber %v: queued %+v", on, got)
		}
		preview := s.LinkToken(42, 2) + "." + s.RecipientPart(42, 0, time.Time{})
		if u, err := f.rd.Click(context.Background(), preview, Request{Method: "GET"}); err != nil || u == "" || len(got) != 1 {
			t.Errorf("preview: %q, %v, %d queued", u, err, len(got))
		}
	}
}

func TestRedirectOpen(t *testing.T) {
	var got []Event
	f := newIssueFixture(t, false, false, queueFunc(func(e Event) bool { got = append(got, e); return true }))
	s := f.rw.signer
	if err := f.rd.Open(context.Background(), s.LinkToken(42, OpenLink), Request{Method: "GET"}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Kind != Open || got[0].Link != OpenLink || got[0].At.IsZero() {
		t.Errorf("queued %+v", got)
	}
	if err := f.rd.Open(context.Background(), s.LinkToken(42, 1), Request{}); !errors.Is(err, ErrBadToken) {
		t.Errorf("a link token as an image: %v", err)
	}
}

// The cache answers from memory within its time and asks again after.
func TestCache(t *testing.T) {
	f := newIssueFixture(t, false, false, nil)
	c := NewCache(f.store, 1, time.Minute)
	now := at(0)
	c.now = func() time.Time { return now }
	ctx := context.Background()
	if _, err := c.IssueLinks(ctx, 42); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.db.Exec(`UPDATE issues SET per_recipient = 1 WHERE id = 42`); err != nil {
		t.Fatal(err)
	}
	if l, _ := c.IssueLinks(ctx, 42); l.PerRecipient {
		t.Error("not from memory")
	}
	now = now.Add(time.Minute)
	if l, _ := c.IssueLinks(ctx, 42); !l.PerRecipient {
		t.Error("kept beyond its time")
	}
	if _, err := c.IssueLinks(ctx, 7); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown issue: %v", err)
	}
	f.store.saveIssue(t, 43, 1, false, nil)
	if _, err := c.IssueLinks(ctx, 43); err != nil {
		t.Fatal(err)
	}
	if len(c.byID) != 1 || c.order.Len() != 1 {
		t.Errorf("cache of one holds %d", len(c.byID))
	}
}
