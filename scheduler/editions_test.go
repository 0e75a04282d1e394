package scheduler_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"masthead/assembly"
	"masthead/delivery"
	"masthead/internal/smtptest"
	"masthead/newsletter"
	"masthead/subscribers"
	"masthead/workspace"
)

// An extra edition beside a sent daily issue: the editor creates it, gives
// it its own article and sends it; it goes to each subscriber once, the
// daily is not sent again, and the next day's scheduled issue has the
// number it would have had without the extra, in both numberings. An extra
// assembled before the next day's fire is left alone by the schedule.
func TestExtraEditionBesideTheDaily(t *testing.T) {
	for _, numbering := range []newsletter.Numbering{newsletter.Calendar, newsletter.Sequential} {
		t.Run(string(numbering), func(t *testing.T) {
			ctx := context.Background()
			day1, day2 := date(t, "2024-07-09"), date(t, "2024-07-10")
			fire1, fire2 := utc(t, "2024-07-09T06:00:00Z"), utc(t, "2024-07-10T06:00:00Z")
			e := newEnv(t, fire1.Add(-time.Hour))
			p := e.publication("gazette", "UTC", "0 6 * * *", func(p *newsletter.Publication) { p.Numbering = numbering })
			e.articles(p, day1, 2)
			e.articles(p, day2, 1)
			e.subscribers(p, 3)
			sch := e.scheduler(e.st, nil)

			// Day 1: the schedule sends the daily issue; it is delivered.
			e.clock.Set(fire1)
			e.tick(sch)
			daily := e.issue(p, day1)
			if daily == nil || daily.Status != newsletter.Sending {
				t.Fatalf("daily issue of %s after its fire: %+v", day1, daily)
			}
			if copies := deliver(t, daily.ID, e.st); len(copies) != 3 {
				t.Fatalf("daily delivered to %v; want 3 subscribers", copies)
			}

			// The editor adds an extra to the same date and sends it.
			srv, err := smtptest.Start(smtptest.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			cfg, err := delivery.ParseSMTPURL("smtp://" + srv.Addr + "?tls=none")
			if err != nil {
				t.Fatal(err)
			}
			eng, err := delivery.New(e.st, delivery.NewSMTP(cfg, nil), delivery.Config{Connections: 2, Poll: 50 * time.Millisecond,
				BaseURL: "http://news.example.org", Signer: subscribers.NewSigner([]byte("0123456789abcdef0123456789abcdef"))}, nil)
			if err != nil {
				t.Fatal(err)
			}
			editor, err := workspace.New(workspace.Config{Store: e.st, Sends: eng,
				Assembler: assembly.New(e.st, "http://news.example.org"), Now: e.clock.Now})
			if err != nil {
				t.Fatal(err)
			}
			e.clock.Set(fire1.Add(3 * time.Hour))
			extra, err := editor.CreateExtra(ctx, p, day1, "Breaking news", "")
			if err != nil {
				t.Fatal(err)
			}
			if extra.Edition != 1 || extra.Volume != daily.Volume || extra.Number != daily.Number || extra.NumberLabel() != fmt.Sprintf("%d-B", daily.Number) {
				t.Fatalf("extra %+v; want edition 1 with the daily's number %d", extra, daily.Number)
			}
			if _, _, err := editor.SendEdition(ctx, p, day1, 1); err == nil {
				t.Fatal("an extra with no articles was sent")
			}
			lead := &newsletter.Article{Date: day1, Edition: 1, Title: "The dam has burst", Body: "Move to high ground.", Status: newsletter.Ready}
			if err := editor.SaveArticle(ctx, p, lead); err != nil {
				t.Fatal(err)
			}
			sent, res, err := editor.SendEdition(ctx, p, day1, 1)
			if err != nil {
				t.Fatal(err)
			}
			if sent.ID != extra.ID || res.Queued != 3 || len(sent.Articles) != 1 || sent.Articles[0].Title != lead.Title {
				t.Fatalf("extra sent: %+v, %+v; want the extra with its one article, to 3", sent, res)
			}
			if _, err := eng.Run(ctx, extra.ID); err != nil {
				t.Fatal(err)
			}
			copies := map[string]int{}
			for _, m := range srv.Messages() {
				for _, to := range m.To {
					copies[to]++
				}
				if !bytes.Contains(m.Data, []byte("Breaking news")) || !bytes.Contains(m.Data, []byte("The dam has burst")) {
					t.Errorf("a message to %v is not the extra:\n%s", m.To, m.Data)
				}
				if bytes.Contains(m.Data, []byte("Story 1 of")) {
					t.Errorf("the extra to %v carries the daily's articles", m.To)
				}
			}
			if len(copies) != 3 {
				t.Errorf("extra delivered to %v; want 3 subscribers", copies)
			}
			for to, n := range copies {
				if n != 1 {
					t.Errorf("%s got %d copies of the extra", to, n)
				}
			}
			for sub, n := range e.ledger(daily) {
				if n != 1 {
					t.Errorf("subscriber %d has %d rows of the daily", sub, n)
				}
			}
			if got := e.issue(p, day1); got.ID != daily.ID {
				t.Errorf("the date's daily issue is now %d, not %d", got.ID, daily.ID)
			}

			// Day 2: an extra is ready before the fire; the fire sends the
			// daily only, numbered as without extras.
			extra2, err := editor.CreateExtra(ctx, p, day2, "", "")
			if err != nil {
				t.Fatal(err)
			}
			if err := editor.SaveArticle(ctx, p, &newsletter.Article{Date: day2, Edition: 1, Title: "Early news", Status: newsletter.Ready}); err != nil {
				t.Fatal(err)
			}
			if _, err := editor.AssembleEdition(ctx, p, day2, 1); err != nil {
				t.Fatal(err)
			}
			e.clock.Set(fire2)
			e.tick(sch)
			next := e.issue(p, day2)
			if next == nil || next.Status != newsletter.Sending || next.Edition != 0 || next.ID == extra2.ID {
				t.Fatalf("the next day's issue after its fire: %+v", next)
			}
			if next.Number != daily.Number+1 || next.Volume != daily.Volume {
				t.Errorf("the next day's issue is Volume %d, Number %d; want %d, %d", next.Volume, next.Number, daily.Volume, daily.Number+1)
			}
			if len(next.Articles) != 1 || next.Articles[0].Title != "Story 1 of 2024-07-10" {
				t.Errorf("the next day's issue carries %+v; want its own article only", next.Articles)
			}
			left, err := editor.Edition(ctx, p, day2, 1)
			if err != nil || left.Status != newsletter.Assembled || len(e.ledger(left)) != 0 {
				t.Errorf("the day's extra after the fire: %+v, %v; want it assembled and unsent", left, err)
			}
			if left.Number != next.Number {
				t.Errorf("the day's extra is Number %d, the daily %d; want the same", left.Number, next.Number)
			}
		})
	}
}
