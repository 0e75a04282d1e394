package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"masthead/ledger"
	"masthead/newsletter"
	"masthead/store"
	"masthead/store/storetest"
	"masthead/subscribers"
)

func TestApplyBounceReport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		p := subsTestPublication(t, st, "daily")
		add := func(email string) *subscribers.Subscriber {
			sub, err := st.AddSubscriber(ctx, email, "", p.ID, subscribers.Active, subscribers.ViaEditor)
			if err != nil {
				t.Fatal(err)
			}
			return sub
		}
		hard, soft, angry := add("hard@example.org"), add("soft@example.org"), add("angry@example.org")
		apply := func(id, email string, kind ledger.ReportKind, limit int) bool {
			t.Helper()
			ok, err := st.ApplyBounceReport(ctx, ledger.BounceReport{ReportID: id, Email: email, Kind: kind, Detail: "5.1.1 user unknown"}, ledger.BouncePolicy{SoftLimit: limit})
			if err != nil {
				t.Fatalf("apply %s %s: %v", id, email, err)
			}
			return ok
		}
		status := func(id int64) (subscribers.Status, int) {
			t.Helper()
			sub, err := st.Subscriber(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return sub.Status, sub.SoftBounces
		}

		// Hard: bounced, suppressed, one event; the same report again changes nothing.
		if !apply("r1@mta", "Hard@Example.org", ledger.ReportHard, 0) || apply("r1@mta", "hard@example.org", ledger.ReportHard, 0) {
			t.Fatal("a report must apply once")
		}
		if s, _ := status(hard.ID); s != subscribers.Bounced {
			t.Fatalf("hard: status %s", s)
		}
		if sup, err := st.Suppression(ctx, "hard@example.org"); err != nil || sup.Reason != subscribers.Bounced {
			t.Fatalf("hard: suppression %+v, %v", sup, err)
		}
		if got := eventKinds(t, st, hard.ID); !slices.Contains(got, "bounced/bounce") {
			t.Fatalf("hard: events %v", got)
		}

		// Complaint.
		apply("fbl-1", "angry@example.org", ledger.ReportComplaint, 0)
		if s, _ := status(angry.ID); s != subscribers.Complained {
			t.Fatalf("complaint: status %s", s)
		}
		if got := eventKinds(t, st, angry.ID); !slices.Contains(got, "complained/complaint") {
			t.Fatalf("complaint: events %v", got)
		}

		// Soft: counts; the same report twice counts once; the limit-th bounces.
		apply("s1", "soft@example.org", ledger.ReportSoft, 3)
		apply("s1", "soft@example.org", ledger.ReportSoft, 3)
		apply("s2", "soft@example.org", ledger.ReportSoft, 3)
		if s, n := status(soft.ID); s != subscribers.Active || n != 2 {
			t.Fatalf("after 2 soft bounces: %s, %d", s, n)
		}
		apply("s3", "soft@example.org", ledger.ReportSoft, 3)
		if s, n := status(soft.ID); s != subscribers.Bounced || n != 3 {
			t.Fatalf("after 3 soft bounces: %s, %d", s, n)
		}
		if sup, err := st.Suppression(ctx, "soft@example.org"); err != nil || sup.Reason != subscribers.Bounced {
			t.Fatalf("soft: suppression %+v, %v", sup, err)
		}

		// A soft bounce for a stranger is recorded and does nothing else; a
		// hard one suppresses the address so no import can add it later.
		if !apply("s4", "stranger@example.org", ledger.ReportSoft, 3) {
			t.Fatal("stranger's soft bounce not recorded")
		}
		if sup, _ := st.IsSuppressed(ctx, "stranger@example.org"); sup {
			t.Fatal("a soft bounce must not suppress a stranger")
		}
		if _, err := st.ApplyBounceReport(ctx, ledger.BounceReport{ReportID: "x", Email: "not an address", Kind: ledger.ReportHard}, ledger.BouncePolicy{}); err == nil {
			t.Fatal("a bad address was accepted")
		}
	})
}

func TestDeliveryByMessageID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		p := subsTestPublication(t, st, "daily")
		sub, err := st.AddSubscriber(ctx, "reader@example.org", "", p.ID, subscribers.Active, subscribers.ViaEditor)
		if err != nil {
			t.Fatal(err)
		}
		iss, err := st.AssembleIssue(ctx, p.ID, newsletter.Date{Year: 2009, Month: 7, Day: 9},
			func(_ *newsletter.Issue, _ newsletter.Numberer) (*newsletter.Issue, error) {
				return &newsletter.Issue{Volume: 3, Number: 153, Status: newsletter.Assembled, Subject: "x"}, nil
			})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.StartSend(ctx, iss.ID, newsletter.Statuses(newsletter.IssueStatus.EditorCanStart), ""); err != nil {
			t.Fatal(err)
		}
		ds, err := st.Deliveries(ctx, store.DeliveryFilter{IssueID: iss.ID})
		if err != nil || len(ds) != 1 {
			t.Fatalf("deliveries %v, %v", ds, err)
		}
		for _, id := range []string{ds[0].MessageID, ds[0].MessageID[1 : len(ds[0].MessageID)-1]} {
			d, err := st.DeliveryByMessageID(ctx, id)
			if err != nil || d.SubscriberID != sub.ID || d.Email != "reader@example.org" {
				t.Fatalf("DeliveryByMessageID(%q) = %+v, %v", id, d, err)
			}
		}
		for _, id := range []string{"<nothing@example.org>", "<1.2.x@y>", "", ds[0].MessageID[:len(ds[0].MessageID)-2] + "x>"} {
			if _, err := st.DeliveryByMessageID(ctx, id); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("DeliveryByMessageID(%q): %v, want ErrNotFound", id, err)
			}
		}
	})
}
