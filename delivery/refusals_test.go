package delivery_test

import (
	"context"
	"fmt"
	"masthead/store"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"masthead/delivery"
	"masthead/internal/smtptest"
	"masthead/ledger"
	"masthead/newsletter"
)

// bouncedCount is how many subscribers are bounced or suppressed.
func bouncedCount(t testing.TB, f *fixture) int {
	t.Helper()
	var n int
	if err := openRaw(t, f).QueryRow(`SELECT (SELECT COUNT(*) FROM subscribers WHERE status <> 'active')
		+ (SELECT COUNT(*) FROM suppressions)`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// pauses records the engine's pauses.
type pauses struct {
	mu   sync.Mutex
	list []delivery.Pause
}

func (p *pauses) add(x delivery.Pause) { p.mu.Lock(); p.list = append(p.list, x); p.mu.Unlock() }
func (p *pauses) all() []delivery.Pause {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]delivery.Pause(nil), p.list...)
}

// A relay that refuses our mail pauses the whole send with its reason and
// bounces nobody: every row stays queued, and once the relay is fixed a
// resume delivers the issue to everyone, once.
func TestRefusalAboutUsPausesTheSend(t *testing.T) {
	cases := []struct {
		name   string
		stage  smtptest.Stage
		fault  smtptest.Fault
		plain  bool // the server lacks ENHANCEDSTATUSCODES
		reason string
		cause  delivery.PauseCause
	}{
		// (a) Postfix without relay permission.
		{"relay access denied at RCPT", smtptest.StageRcpt, smtptest.Fault{Code: 550, Text: "5.7.1 <{rcpt}>: Relay access denied"},
			false, "Relay access denied", delivery.PauseRefused},
		// (b) Amazon SES with an unverified From (no enhanced code at all).
		{"SES unverified sender after DATA", smtptest.StageData, smtptest.Fault{Code: 554,
			Text: "Message rejected: Email address is not verified. The following identities failed the check in region US-EAST-1: news@planet.example"},
			true, "Email address is not verified", delivery.PauseRefused},
		{"a 5xx to MAIL FROM", smtptest.StageMail, smtptest.Fault{Code: 553, Text: "5.1.8 <news@planet.example>: Sender address rejected: Domain not found"},
			false, "Sender address rejected", delivery.PauseRefused},
		{"authentication required, code in the text", smtptest.StageRcpt, smtptest.Fault{Code: 530, Text: "5.7.0 Authentication required"},
			true, "Authentication required", delivery.PauseRefused},
		// Words masthead does not know, and a code that says "mailbox": only
		// the repeat across recipient domains tells that it is the relay.
		{"the same user unknown for every domain", smtptest.StageRcpt, smtptest.Fault{Code: 550,
			Text: "5.1.1 <{rcpt}>: Recipient address rejected: User unknown in local recipient table"},
			false, "at 5 domains", delivery.PauseRepeated},
		{"the same spam verdict for every message", smtptest.StageData, smtptest.Fault{Code: 554, Text: "5.7.1 message rejected as spam"},
			true, "message rejected as spam", delivery.PauseRepeated},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, 0)
			f.addSubscribers(t, 0, 200, func(i int) string { return fmt.Sprintf("d%d.example", i%40) })
			var refused atomic.Int64
			srv := startServer(t, smtptest.Options{NoEnhancedStatusCodes: tc.plain,
				Inject: func(stage smtptest.Stage, _, rcpt string) *smtptest.Fault {
					if stage != tc.stage {
						return nil
					}
					refused.Add(1)
					x := tc.fault
					x.Text = strings.ReplaceAll(x.Text, "{rcpt}", rcpt)
					return &x
				}})
			var seen pauses
			cfg := f.fastConfig(4)
			cfg.OnPause = seen.add
			e := f.engine(t, smtpTo(t, srv, 5e9), cfg)
			if _, err := e.Start(ctx, f.issue.ID); err != nil {
				t.Fatal(err)
			}
			sum, err := e.Run(ctx, f.issue.ID)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Status != newsletter.Paused || !strings.Contains(sum.Paused, tc.reason) {
				t.Fatalf("run ended %s, paused for %q; want paused naming %q", sum.Status, sum.Paused, tc.reason)
			}
			if n := bouncedCount(t, f); n != 0 {
				t.Errorf("%d subscribers bounced or suppressed, want none", n)
			}
			if c := sum.Counts; c.Queued != 200 || c.Failed != 0 || c.Sent != 0 {
				t.Errorf("counts %+v; want every row queued", c)
			}
			iss, err := f.st.Issue(ctx, f.issue.ID)
			if err != nil {
				t.Fatal(err)
			}
			if iss.PauseReason != sum.Paused {
				t.Errorf("stored reason %q, run said %q", iss.PauseReason, sum.Paused)
			}
			if p := seen.all(); len(p) != 1 || p[0].Cause != tc.cause || p[0].Reason != sum.Paused {
				t.Errorf("pauses reported: %+v; want one, %s", p, tc.cause)
			}
			t.Logf("%d refusals before the pause: %s", refused.Load(), sum.Paused)

			// Fixed: a resume sends everyone the issue once.
			srv.SetInjector(nil)
			if err := e.Resume(ctx, f.issue.ID); err != nil {
				t.Fatal(err)
			}
			if iss, _ := f.st.Issue(ctx, f.issue.ID); iss.PauseReason != "" {
				t.Errorf("reason %q kept after the resume", iss.PauseReason)
			}
			sum, err = e.Run(ctx, f.issue.ID)
			if err != nil || sum.Status != newsletter.Sent || sum.Counts.Sent != 200 {
				t.Fatalf("after the resume: %v, %s %+v", err, sum.Status, sum.Counts)
			}
			if perRcpt, dup := copies(srv.Messages()); len(perRcpt) != 200 || dup != 0 {
				t.Errorf("%d recipients, %d duplicates", len(perRcpt), dup)
			}
		})
	}
}

// (c) "554 5.7.1 message rejected as spam" after DATA for one recipient is a
// refusal of the message, not a bounce, whether the enhanced code comes with
// ENHANCEDSTATUSCODES or only in the reply's text: both servers end alike.
func TestSpamRefusalEndsAlikeWithAndWithoutEnhancedCodes(t *testing.T) {
	type end struct {
		status, subscriber string
		code               int
	}
	var ends []end
	for _, plain := range []bool{false, true} {
		ctx := context.Background()
		f := newFixture(t, 0)
		f.addSubscribers(t, 0, 20, nil)
		srv := startServer(t, smtptest.Options{NoEnhancedStatusCodes: plain,
			Inject: func(stage smtptest.Stage, _, rcpt string) *smtptest.Fault {
				if stage == smtptest.StageData && strings.HasPrefix(rcpt, "r00007@") {
					return &smtptest.Fault{Code: 554, Text: "5.7.1 message rejected as spam"}
				}
				return nil
			}})
		e := f.engine(t, smtpTo(t, srv, 5e9), f.fastConfig(2))
		e.Start(ctx, f.issue.ID)
		sum, err := e.Run(ctx, f.issue.ID)
		if err != nil || sum.Status != newsletter.Sent || sum.Counts.Sent != 19 || sum.Counts.Failed != 1 {
			t.Fatalf("without extension %v: %v, %s %+v", plain, err, sum.Status, sum.Counts)
		}
		failed, _ := f.st.Deliveries(ctx, store.DeliveryFilter{IssueID: f.issue.ID, Status: ledger.DeliveryFailed})
		d := failed[0]
		if !strings.Contains(d.LastReply, "5.7.1 message rejected as spam") {
			t.Errorf("reply %q", d.LastReply)
		}
		ends = append(ends, end{string(d.Status), subscriberStatus(t, f, d.SubscriberID), d.LastCode})
	}
	if ends[0] != ends[1] || ends[0].subscriber != "active" {
		t.Fatalf("with ENHANCEDSTATUSCODES %+v, without %+v; want both failed with the subscriber active", ends[0], ends[1])
	}
}

// (d) "552 5.2.2 mailbox full" at RCPT is retried, not bounced: the row goes
// out once the mailbox has room.
func TestMailboxFullIsRetried(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 0)
	f.addSubscribers(t, 0, 10, nil)
	var full atomic.Int64
	srv := startServer(t, smtptest.Options{Inject: func(stage smtptest.Stage, _, rcpt string) *smtptest.Fault {
		if stage == smtptest.StageRcpt && strings.HasPrefix(rcpt, "r00003@") && full.Add(1) <= 2 {
			return &smtptest.Fault{Code: 552, Text: "5.2.2 <" + rcpt + ">: mailbox full"}
		}
		return nil
	}})
	e := f.engine(t, smtpTo(t, srv, 5e9), f.fastConfig(2))
	e.Start(ctx, f.issue.ID)
	sum, err := e.Run(ctx, f.issue.ID)
	if err != nil || sum.Status != newsletter.Sent || sum.Counts.Sent != 10 {
		t.Fatalf("run: %v, %s %+v", err, sum.Status, sum.Counts)
	}
	rows, _ := f.st.Deliveries(ctx, store.DeliveryFilter{IssueID: f.issue.ID, Search: "r00003@"})
	if len(rows) != 1 || rows[0].Attempts != 3 || rows[0].Status != ledger.DeliverySent {
		t.Fatalf("the full mailbox's row: %+v; want sent on the third attempt", rows)
	}
	if st := subscriberStatus(t, f, rows[0].SubscriberID); st != "active" {
		t.Errorf("subscriber %s, want active", st)
	}
}

// Real bounces among accepted mail stay bounces: "550 5.1.1" for a few
// readers of many domains, with everyone else accepted, suppresses exactly
// those readers and pauses nothing.
func TestScatteredBouncesStayHard(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 0)
	f.addSubscribers(t, 0, 300, func(i int) string { return fmt.Sprintf("d%d.example", i%50) })
	gone := func(rcpt string) bool { n := 0; fmt.Sscanf(rcpt, "r%05d@", &n); return n%37 == 5 }
	srv := startServer(t, smtptest.Options{Inject: func(stage smtptest.Stage, _, rcpt string) *smtptest.Fault {
		if stage == smtptest.StageRcpt && gone(rcpt) {
			return &smtptest.Fault{Code: 550, Text: "5.1.1 <" + rcpt + ">: Recipient address rejected: User unknown in local recipient table"}
		}
		return nil
	}})
	var seen pauses
	cfg := f.fastConfig(4)
	cfg.OnPause = seen.add
	e := f.engine(t, smtpTo(t, srv, 5e9), cfg)
	e.Start(ctx, f.issue.ID)
	sum, err := e.Run(ctx, f.issue.ID)
	if err != nil || sum.Status != newsletter.Sent {
		t.Fatalf("run: %v, %s %+v (paused: %q)", err, sum.Status, sum.Counts, sum.Paused)
	}
	want := 0
	for i := 0; i < 300; i++ {
		if i%37 == 5 {
			want++
		}
	}
	if sum.Counts.Failed != want || bouncedCount(t, f) != 2*want || len(seen.all()) != 0 {
		t.Fatalf("%d failed, %d bounced+suppressed, pauses %v; want %d bounced and no pause", sum.Counts.Failed, bouncedCount(t, f), seen.all(), want)
	}
}
