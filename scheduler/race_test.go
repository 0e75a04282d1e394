package scheduler_test

import (
	"context"
	"testing"
	"time"

	"masthead/ledger"
	"masthead/newsletter"
	"masthead/scheduler"
)

// An editor's hold that lands after the scheduler assembled the issue but
// before it started the send wins: nothing is sent, the issue stays held and
// the fire is recorded as held. The hold is made by the Starter itself, at
// the exact moment between assembly and start.
func TestHoldBetweenAssemblyAndStart(t *testing.T) {
	d := newsletter.Date{Year: 2024, Month: 7, Day: 9}
	fire := time.Date(2024, 7, 9, 6, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		spec string
		// prepare readies the issue; it returns when the scheduler should act.
		prepare func(t *testing.T, e *env, p *newsletter.Publication) time.Time
	}{
		{"daily fire", "0 6 * * *", func(t *testing.T, e *env, p *newsletter.Publication) time.Time { return fire }},
		{"one-off send time", "", func(t *testing.T, e *env, p *newsletter.Publication) time.Time {
			at := fire.Add(90 * time.Minute)
			if _, err := e.editor().Schedule(context.Background(), p, d, at); err != nil {
				t.Fatal(err)
			}
			return at
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, fire.Add(-time.Hour))
			p := e.publication("gazette", "UTC", c.spec, nil)
			e.articles(p, d, 2)
			e.subscribers(p, 3)
			at := c.prepare(t, e, p)
			held := 0
			sch := e.scheduler(e.st, func(cfg *scheduler.Config) {
				cfg.Starter = scheduler.StarterFunc(func(ctx context.Context, id int64, from []newsletter.IssueStatus) (ledger.StartResult, error) {
					if st, err := e.st.IssueStatus(ctx, id); err != nil || (st != newsletter.Assembled && st != newsletter.Scheduled) {
						t.Errorf("start asked for an issue that is %s (%v); want it assembled or scheduled", st, err)
					}
					if _, err := e.editor().Hold(ctx, p, d); err != nil {
						t.Fatal(err)
					}
					held++
					return e.st.StartSend(ctx, id, from, "")
				})
			})
			e.clock.Set(at)
			e.tick(sch)
			if held != 1 {
				t.Fatalf("the scheduler started %d sends; want 1 (the hold is made inside it)", held)
			}
			iss := e.issue(p, d)
			if iss == nil || iss.Status != newsletter.Held {
				t.Fatalf("issue of %s is %v; want held", d, status(iss))
			}
			if l := e.ledger(iss); len(l) != 0 {
				t.Errorf("a held issue has %d delivery rows; want none", len(l))
			}
			if c.spec != "" {
				if r := e.run(p, d); r == nil || r.Decision != scheduler.DecisionHeld {
					t.Errorf("schedule run %+v; want decision %s", r, scheduler.DecisionHeld)
				}
			}
			// An editor's explicit send now still sends the held issue.
			res, err := e.st.StartSend(ctx, iss.ID, newsletter.Statuses(newsletter.IssueStatus.EditorCanStart), "")
			if err != nil || res.Queued != 3 {
				t.Fatalf("send now of the held issue: %+v, %v", res, err)
			}
		})
	}
}

func status(iss *newsletter.Issue) string {
	if iss == nil {
		return "missing"
	}
	return string(iss.Status)
}
