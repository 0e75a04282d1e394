package scheduler_test

import (
	"context"
	"strings"
	"testing"

	"masthead/newsletter"
)

// A coming date whose articles are not written yet may be scheduled in
// advance, as it may be held or skipped; at its time it goes with the
// articles ready by then, or follows the empty-day policy. Releasing a held
// empty date follows the policy too: under skip and hold the placeholder
// goes (no issue, no number), under notice it is the notice to send.
func TestEmptyDatesScheduledAndReleased(t *testing.T) {
	for _, policy := range []newsletter.EmptyPolicy{newsletter.EmptySkip, newsletter.EmptyNotice, newsletter.EmptyHold} {
		t.Run(string(policy), func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, utc(t, "2024-07-08T12:00:00Z"))
			p := e.publication("gazette", "UTC", "0 6 * * *", func(p *newsletter.Publication) {
				p.Numbering, p.EmptyPolicy = newsletter.Sequential, policy
			})
			e.subscribers(p, 2)
			ed := e.editor()
			sch := e.scheduler(e.st, nil)
			d1, d2, d3 := date(t, "2024-07-09"), date(t, "2024-07-10"), date(t, "2024-07-11")

			// d1: scheduled in advance, its article written afterwards.
			if iss, err := ed.Schedule(ctx, p, d1, utc(t, "2024-07-09T09:00:00Z")); err != nil || iss.Status != newsletter.Scheduled {
				t.Fatalf("scheduling an empty coming date: %+v %v", iss, err)
			}
			e.articles(p, d1, 1)
			// d2: scheduled in advance, and no article ever comes.
			if _, err := ed.Schedule(ctx, p, d2, utc(t, "2024-07-10T09:00:00Z")); err != nil {
				t.Fatal(err)
			}
			// d3: held in advance, released before any article.
			if _, err := ed.Hold(ctx, p, d3); err != nil {
				t.Fatal(err)
			}
			rel, removed, err := ed.Release(ctx, p, d3)
			if err != nil {
				t.Fatal(err)
			}
			after := e.issue(p, d3)
			switch policy {
			case newsletter.EmptyNotice:
				if removed || after == nil || after.Status != newsletter.Assembled || !strings.Contains(after.Subject, "no issue today") {
					t.Errorf("released empty date under notice: removed %v, issue %+v", removed, after)
				}
			default:
				if !removed || rel == nil || after != nil {
					t.Errorf("released empty date under %s: removed %v, issue %+v", policy, removed, after)
				}
			}

			e.clock.Set(utc(t, "2024-07-09T09:00:00Z"))
			e.tick(sch)
			if iss := e.issue(p, d1); iss.Status != newsletter.Sending || iss.Stories() != 1 || len(e.ledger(iss)) != 2 {
				t.Errorf("d1 at its time: %s with %d stories", iss.Status, iss.Stories())
			}
			e.clock.Set(utc(t, "2024-07-10T09:00:00Z"))
			e.tick(sch)
			iss := e.issue(p, d2)
			want := map[newsletter.EmptyPolicy]newsletter.IssueStatus{newsletter.EmptySkip: newsletter.Skipped,
				newsletter.EmptyHold: newsletter.Held, newsletter.EmptyNotice: newsletter.Sending}[policy]
			if iss.Status != want {
				t.Errorf("d2 at its time with no articles: %s, want %s", iss.Status, want)
			}
			if policy != newsletter.EmptyNotice && len(e.ledger(iss)) != 0 {
				t.Errorf("d2 sent %d messages", len(e.ledger(iss)))
			}

			// d3, released while empty: its article arrives before the daily
			// time and it goes out then (under notice too: assembled again).
			e.articles(p, d3, 1)
			e.clock.Set(utc(t, "2024-07-11T06:00:00Z"))
			e.tick(sch)
			if iss := e.issue(p, d3); iss == nil || iss.Status != newsletter.Sending || iss.Stories() != 1 {
				t.Errorf("d3 at the daily time: %+v", iss)
			}
		})
	}
}
