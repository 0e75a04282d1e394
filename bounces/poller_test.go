package bounces

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"masthead/ledger"
	"masthead/newsletter"
	"masthead/store"
	"masthead/store/storetest"
	"masthead/subscribers"
)

// world is a store with one publication, its subscribers, and an issue sent
// to all of them (so each has a delivery with its Message-ID).
type world struct {
	st    *store.Store
	subs  map[string]*subscribers.Subscriber // by address
	msgID map[string]string                  // delivery Message-ID by address
}

func newWorld(t *testing.T, emails ...string) *world {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t, storetest.SQLite)
	p := &newsletter.Publication{Slug: "daily", Name: "The Daily Example", From: "news@daily.example.org",
		VolumeStart: newsletter.Date{Year: 2007, Month: 2, Day: 7}}
	p.Normalize()
	if err := st.SavePublication(ctx, p); err != nil {
		t.Fatal(err)
	}
	w := &world{st: st, subs: map[string]*subscribers.Subscriber{}, msgID: map[string]string{}}
	for _, e := range emails {
		sub, err := st.AddSubscriber(ctx, e, "", p.ID, subscribers.Active, subscribers.ViaEditor)
		if err != nil {
			t.Fatal(err)
		}
		w.subs[sub.Email] = sub
	}
	iss, err := st.AssembleIssue(ctx, p.ID, newsletter.Date{Year: 2009, Month: 7, Day: 9},
		func(*newsletter.Issue, newsletter.Numberer) (*newsletter.Issue, error) {
			return &newsletter.Issue{Volume: 3, Number: 153, Status: newsletter.Assembled, Subject: "The Daily Example"}, nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.StartSend(ctx, iss.ID, newsletter.Statuses(newsletter.IssueStatus.EditorCanStart), ""); err != nil {
		t.Fatal(err)
	}
	ds, err := st.Deliveries(ctx, store.DeliveryFilter{IssueID: iss.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		w.msgID[d.Email] = d.MessageID
	}
	return w
}

// state is what a test checks of one subscriber.
type state struct {
	status     subscribers.Status
	soft       int
	suppressed bool
	events     []string // kind/via, oldest first
}

func (w *world) state(t *testing.T, email string) state {
	t.Helper()
	ctx := context.Background()
	sub, err := w.st.SubscriberByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	sup, err := w.st.IsSuppressed(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := w.st.SubscriberEvents(ctx, sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	s := state{status: sub.Status, soft: sub.SoftBounces, suppressed: sup}
	for _, e := range evs {
		s.events = append(s.events, string(e.Kind)+"/"+string(e.Via))
	}
	return s
}

func (w *world) states(t *testing.T) map[string]state {
	out := map[string]state{}
	for e := range w.subs {
		out[e] = w.state(t, e)
	}
	return out
}

// replace returns a fixture with some strings replaced (old, new pairs).
func replace(b []byte, pairs ...string) []byte {
	for i := 0; i+1 < len(pairs); i += 2 {
		b = bytes.ReplaceAll(b, []byte(pairs[i]), []byte(pairs[i+1]))
	}
	return b
}

func TestPollAppliesReportsOnce(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, "alice@example.org", "bob@example.net", "carol@example.com", "dave@contoso.example",
		"erin@example.org", "frank@example.com", "grace@example.net", "heidi@example.com", "ivan@example.org",
		"judy@example.org")
	srv := startIMAP(t, imap.CapSet{imap.CapIMAP4rev2: {}}, "INBOX")
	c := srv.client(t)
	msgs := map[string][]byte{
		"postfix-hard.eml":     fixture(t, "postfix-hard.eml"),
		"postfix-delayed.eml":  fixture(t, "postfix-delayed.eml"),
		"exim-soft.eml":        fixture(t, "exim-soft.eml"),
		"exim-legacy-hard.eml": fixture(t, "exim-legacy-hard.eml"),
		"gmail-hard.eml":       fixture(t, "gmail-hard.eml"),
		"gmail-quota.eml":      fixture(t, "gmail-quota.eml"),
		"microsoft-hard.eml":   fixture(t, "microsoft-hard.eml"),
		"arf-abuse.eml":        fixture(t, "arf-abuse.eml"),
		// The complainer is redacted: only the Message-ID finds erin.
		"arf-redacted.eml": replace(fixture(t, "arf-redacted.eml"),
			"<1.6.0a1b2c3d4e5f@daily.example.org>", w.msgID["erin@example.org"]),
		// A second soft bounce of bob's (another report): with a limit of 2 he is bounced.
		"exim-soft-2.eml": replace(fixture(t, "exim-soft.eml"),
			"E1qXyZa-000Abc-2B", "E1qYaaa-000Def-3C"),
		// ivan forwards to an address that bounces: the Message-ID leads back to him.
		"postfix-forwarded.eml": replace(fixture(t, "postfix-hard.eml"),
			"alice@example.org", "ivan.old@elsewhere.example", "20090709060211.3F1A21C0A5", "20090709060299.AAAA21C0A5",
			"<1.1.0a1b2c3d4e5f@daily.example.org>", w.msgID["ivan@example.org"]),
		"garbage.eml":       fixture(t, "garbage.eml"),
		"broken-report.eml": fixture(t, "broken-report.eml"),
	}
	for _, raw := range msgs {
		appendMsg(t, c, "INBOX", raw)
	}

	p, err := NewPoller(Config{URL: srv.url("INBOX"), TLS: srv.tls, Bounces: ledger.BouncePolicy{SoftLimit: 2}},
		w.st, slog.New(slog.NewTextHandler(t.Output(), nil)))
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Poll(ctx)
	if err != nil {
		t.Fatalf("poll: %v", err)
	}
	// 11 reports: 9 verdicts applied (bob twice), the delay ignored; 2 left.
	want := Result{Messages: 13, Reports: 11, Unparseable: 2, Applied: 10, Ignored: 1}
	if res != want {
		t.Fatalf("first poll: %+v, want %+v", res, want)
	}

	bounced := []string{"bounced/bounce"}
	complained := []string{"complained/complaint"}
	for email, want := range map[string]struct {
		status subscribers.Status
		soft   int
		event  []string
	}{
		"alice@example.org":    {subscribers.Bounced, 0, bounced},
		"bob@example.net":      {subscribers.Bounced, 2, bounced},
		"carol@example.com":    {subscribers.Bounced, 0, bounced},
		"dave@contoso.example": {subscribers.Bounced, 0, bounced},
		"grace@example.net":    {subscribers.Bounced, 0, bounced},
		"ivan@example.org":     {subscribers.Bounced, 0, bounced},
		"erin@example.org":     {subscribers.Complained, 0, complained},
		"frank@example.com":    {subscribers.Complained, 0, complained},
		"heidi@example.com":    {subscribers.Active, 1, nil},
		"judy@example.org":     {subscribers.Active, 0, nil},
	} {
		got := w.state(t, email)
		evs := got.events[1:] // after subscribed/editor
		if got.status != want.status || got.soft != want.soft || got.suppressed != want.status.Suppressed() ||
			len(evs) != len(want.event) || (len(evs) > 0 && evs[0] != want.event[0]) {
			t.Errorf("%s: %+v; want %s, %d soft, events %v", email, got, want.status, want.soft, want.event)
		}
	}

	// Processed reports are flagged; what could not be read is left as it was.
	flags := flagsByID(t, c, "INBOX")
	for id, fl := range flags {
		left := id == "reply.1@example.org" || id == "broken.1@broken.example.net"
		if hasFlag(fl, FlagProcessed) == left || hasFlag(fl, imap.FlagSeen) == left {
			t.Errorf("%s has flags %v (left in place: %v)", id, fl, left)
		}
	}
	if len(flags) != len(msgs) {
		t.Fatalf("mailbox has %d messages, want %d", len(flags), len(msgs))
	}

	// A second poll changes nothing: it only looks at the two left in place.
	before := w.states(t)
	if res, err := p.Poll(ctx); err != nil || res != (Result{Messages: 2, Unparseable: 2}) {
		t.Fatalf("second poll: %+v, %v", res, err)
	}
	// Even with the markers gone (another client cleared them), the store
	// applies no report twice: heidi's one soft bounce stays one.
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	all := imap.SeqSetNum(seqRange(uint32(len(msgs)))...)
	if err := c.Store(all, &imap.StoreFlags{Op: imap.StoreFlagsDel, Silent: true,
		Flags: []imap.Flag{imap.FlagSeen, FlagProcessed}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	res, err = p.Poll(ctx)
	if err != nil || res != (Result{Messages: 13, Reports: 11, Unparseable: 2, Repeated: 10, Ignored: 1}) {
		t.Fatalf("poll after clearing flags: %+v, %v", res, err)
	}
	after := w.states(t)
	for e, s := range before {
		if a := after[e]; a.status != s.status || a.soft != s.soft || a.suppressed != s.suppressed || len(a.events) != len(s.events) {
			t.Errorf("%s changed on a repeated poll: %+v -> %+v", e, s, a)
		}
	}
}

// With MoveTo, processed reports leave the mailbox, also on a server without
// the MOVE command (COPY, \Deleted, EXPUNGE).
func TestPollMovesProcessedReports(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, "alice@example.org")
	srv := startIMAP(t, imap.CapSet{imap.CapIMAP4rev1: {}}, "INBOX", "Bounces/Done")
	c := srv.client(t)
	appendMsg(t, c, "INBOX", fixture(t, "postfix-hard.eml"))
	appendMsg(t, c, "INBOX", fixture(t, "garbage.eml"))

	p, err := NewPoller(Config{URL: srv.url("INBOX"), TLS: srv.tls, MoveTo: "Bounces/Done"}, w.st, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := p.Poll(ctx); err != nil || res.Applied != 1 || res.Unparseable != 1 {
		t.Fatalf("poll: %+v, %v", res, err)
	}
	if s := w.state(t, "alice@example.org"); s.status != subscribers.Bounced || !s.suppressed {
		t.Fatalf("alice: %+v", s)
	}
	inbox, done := flagsByID(t, c, "INBOX"), flagsByID(t, c, "Bounces/Done")
	if _, ok := inbox["reply.1@example.org"]; !ok || len(inbox) != 1 {
		t.Fatalf("INBOX holds %v, want only the reader's reply", inbox)
	}
	if fl, ok := done["20090709060211.3F1A21C0A5@mail.daily.example.org"]; !ok || len(done) != 1 || !hasFlag(fl, imap.FlagSeen) {
		t.Fatalf("Bounces/Done holds %v, want the report, seen", done)
	}
}

func TestPollerErrors(t *testing.T) {
	for _, u := range []string{
		"pop3://u:p@host/INBOX",
		"imaps://host/INBOX",
		"imap://u:p@host/INBOX?tls=maybe",
		"imaps://u:p@/INBOX",
		"::not a url",
	} {
		if _, err := NewPoller(Config{URL: u}, nil, nil); err == nil {
			t.Errorf("NewPoller(%q) accepted it", u)
		}
	}
	// A wrong password fails the poll and says so; nothing is applied.
	w := newWorld(t, "alice@example.org")
	srv := startIMAP(t, imap.CapSet{imap.CapIMAP4rev2: {}}, "INBOX")
	appendMsg(t, srv.client(t), "INBOX", fixture(t, "postfix-hard.eml"))
	p, err := NewPoller(Config{URL: "imaps://" + imapUser + ":wrong@" + srv.addr + "/INBOX", TLS: srv.tls}, w.st, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Poll(context.Background()); err == nil {
		t.Fatal("poll with a wrong password succeeded")
	}
	if s := w.state(t, "alice@example.org"); s.status != subscribers.Active {
		t.Fatalf("alice: %+v", s)
	}
	// A server whose certificate is not trusted is refused.
	p, _ = NewPoller(Config{URL: srv.url("INBOX")}, w.st, nil)
	if _, err := p.Poll(context.Background()); err == nil {
		t.Fatal("poll trusted an unknown certificate")
	}
}

// Run polls until its context ends, and then returns nil.
func TestRunPollsUntilCancelled(t *testing.T) {
	w := newWorld(t, "alice@example.org")
	srv := startIMAP(t, imap.CapSet{imap.CapIMAP4rev2: {}}, "INBOX")
	c := srv.client(t)
	p, err := NewPoller(Config{URL: srv.url("INBOX"), TLS: srv.tls, Interval: 20 * time.Millisecond}, w.st, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	// The report arrives while Run is already polling.
	appendMsg(t, c, "INBOX", fixture(t, "postfix-hard.eml"))
	giveUp := time.After(30 * time.Second)
	for w.state(t, "alice@example.org").status != subscribers.Bounced {
		select {
		case err := <-done:
			t.Fatalf("Run returned early: %v", err)
		case <-giveUp:
			t.Fatal("Run did not apply the report")
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestKeepsKeywords(t *testing.T) {
	for _, tt := range []struct {
		flags []imap.Flag
		want  bool
	}{
		{[]imap.Flag{imap.FlagSeen, imap.FlagWildcard}, true},
		{[]imap.Flag{imap.FlagSeen, "$mastheadprocessed"}, true},
		{[]imap.Flag{imap.FlagSeen, imap.FlagDeleted}, false}, // Exchange: \Seen becomes the marker
		{nil, false},
	} {
		if got := keepsKeywords(tt.flags); got != tt.want {
			t.Errorf("keepsKeywords(%v) = %v", tt.flags, got)
		}
	}
}
