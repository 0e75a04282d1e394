package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"masthead/newsletter"
	"masthead/store"
	"masthead/store/storetest"
	"masthead/subscribers"
)

// subsTestPublication makes a publication to subscribe people to.
func subsTestPublication(t *testing.T, st *store.Store, slug string) *newsletter.Publication {
	t.Helper()
	p := &newsletter.Publication{Slug: slug, Name: "The " + slug, From: "news@example.org",
		VolumeStart: newsletter.Date{Year: 2007, Month: 2, Day: 7}}
	p.Normalize()
	if err := st.SavePublication(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return p
}

func eventKinds(t *testing.T, st *store.Store, id int64) []string {
	t.Helper()
	evs, err := st.SubscriberEvents(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, string(e.Kind)+"/"+string(e.Via))
	}
	return out
}

func TestSubscriberLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		p := subsTestPublication(t, st, "daily")

		sub, err := st.AddSubscriber(ctx, " Jane@Example.ORG ", "Jane", p.ID, subscribers.Pending, subscribers.ViaForm)
		if err != nil {
			t.Fatal(err)
		}
		if sub.Email != "jane@example.org" || sub.Status != subscribers.Pending {
			t.Fatalf("added %+v", sub)
		}
		// The same person again is the same subscriber; pending again changes nothing.
		again, err := st.AddSubscriber(ctx, "JANE@example.org", "", p.ID, subscribers.Pending, subscribers.ViaForm)
		if err != nil || again.ID != sub.ID || again.Name != "Jane" {
			t.Fatalf("again: %+v, %v", again, err)
		}
		if err := st.Confirm(ctx, sub.ID, p.ID, subscribers.ViaLink); err != nil {
			t.Fatal(err)
		}
		if err := st.Confirm(ctx, sub.ID, p.ID, subscribers.ViaLink); err != nil {
			t.Fatalf("confirm twice: %v", err)
		}
		got, _ := st.SubscriberByEmail(ctx, "jane@example.org")
		if got.Status != subscribers.Active {
			t.Fatalf("after confirm: %s", got.Status)
		}
		// Pending asked of an active subscriber never demotes them.
		if _, err := st.AddSubscriber(ctx, "jane@example.org", "", p.ID, subscribers.Pending, subscribers.ViaForm); err != nil {
			t.Fatal(err)
		}
		if err := st.Unsubscribe(ctx, sub.ID, p.ID, subscribers.ViaOneClick, ""); err != nil {
			t.Fatal(err)
		}
		if err := st.Unsubscribe(ctx, sub.ID, p.ID, subscribers.ViaOneClick, ""); err != nil {
			t.Fatalf("unsubscribe twice: %v", err)
		}
		got, _ = st.Subscriber(ctx, sub.ID)
		if got.Status != subscribers.Unsubscribed {
			t.Fatalf("after unsubscribe: %s", got.Status)
		}
		if err := st.Confirm(ctx, sub.ID, p.ID, subscribers.ViaLink); !errors.Is(err, subscribers.ErrNotPending) {
			t.Fatalf("confirm after unsubscribe: %v", err)
		}
		// An editor adds them back: active at once.
		if got, err = st.AddSubscriber(ctx, "jane@example.org", "Jane Doe", p.ID, subscribers.Active, subscribers.ViaEditor); err != nil || got.Status != subscribers.Active || got.Name != "Jane Doe" {
			t.Fatalf("re-add: %+v, %v", got, err)
		}
		want := []string{"subscribed/form", "confirmed/link", "unsubscribed/one-click", "renamed/editor", "subscribed/editor"}
		if k := eventKinds(t, st, sub.ID); !slices.Equal(k, want) {
			t.Fatalf("history %v, want %v", k, want)
		}
		subs, err := st.Subscriptions(ctx, sub.ID)
		if err != nil || len(subs) != 1 || subs[0].PublicationSlug != "daily" || subs[0].Status != subscribers.Active {
			t.Fatalf("subscriptions %+v, %v", subs, err)
		}
		if _, err := st.AddSubscriber(ctx, "Jane <jane@example.org>", "", p.ID, subscribers.Active, subscribers.ViaEditor); err == nil {
			t.Fatal("a display name was accepted as an address")
		}
		if _, err := st.AddSubscriber(ctx, "joe@example.org", "Joe\r\nBcc: x@example.org", p.ID, subscribers.Active, subscribers.ViaEditor); err == nil {
			t.Fatal("a name with CR/LF was accepted")
		}
	})
}

func TestSuppression(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		p := subsTestPublication(t, st, "daily")
		sub, err := st.AddSubscriber(ctx, "bob@example.org", "Bob", p.ID, subscribers.Active, subscribers.ViaEditor)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Suppress(ctx, "Bob@example.org", subscribers.Complained, subscribers.ViaWebhook, "ses"); err != nil {
			t.Fatal(err)
		}
		if ok, err := st.IsSuppressed(ctx, "bob@example.org"); !ok || err != nil {
			t.Fatalf("IsSuppressed = %v, %v", ok, err)
		}
		for _, status := range []subscribers.Status{subscribers.Active, subscribers.Pending} {
			if _, err := st.AddSubscriber(ctx, "bob@example.org", "", p.ID, status, subscribers.ViaEditor); !errors.Is(err, subscribers.ErrSuppressed) {
				t.Fatalf("add %s of a suppressed address: %v", status, err)
			}
		}
		if err := st.Subscribe(ctx, sub.ID, p.ID, subscribers.Active, subscribers.ViaAPI); !errors.Is(err, subscribers.ErrSuppressed) {
			t.Fatalf("subscribe of a suppressed address: %v", err)
		}
		counts, err := st.SubscriberCounts(ctx, p.ID)
		if err != nil || counts[subscribers.Complained] != 1 || counts[subscribers.Active] != 0 {
			t.Fatalf("counts %v, %v", counts, err)
		}
		// An address that never subscribed can be suppressed too.
		if err := st.Suppress(ctx, "never@example.org", subscribers.Bounced, subscribers.ViaBounce, "550"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddSubscriber(ctx, "never@example.org", "", p.ID, subscribers.Active, subscribers.ViaEditor); !errors.Is(err, subscribers.ErrSuppressed) {
			t.Fatalf("add of a suppressed new address: %v", err)
		}

		if err := st.LiftSuppression(ctx, "bob@example.org", subscribers.ViaEditor, "asked by phone"); err != nil {
			t.Fatal(err)
		}
		got, _ := st.Subscriber(ctx, sub.ID)
		if got.Status != subscribers.Unsubscribed {
			t.Fatalf("after lift: %s (want unsubscribed: lifted, not sent to until re-subscribed)", got.Status)
		}
		if err := st.LiftSuppression(ctx, "bob@example.org", subscribers.ViaEditor, ""); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("lift twice: %v", err)
		}
		if got, err = st.AddSubscriber(ctx, "bob@example.org", "", p.ID, subscribers.Pending, subscribers.ViaForm); err != nil || got.Status != subscribers.Pending {
			t.Fatalf("re-subscribe after lift: %+v, %v", got, err)
		}
		want := []string{"subscribed/editor", "complained/webhook", "lifted/editor", "subscribed/form"}
		if k := eventKinds(t, st, sub.ID); !slices.Equal(k, want) {
			t.Fatalf("history %v, want %v", k, want)
		}
	})
}

// TestUnsubscribeSkipsQueued: an unsubscribe stops the pending deliveries of
// an issue that is already sending, in the same transaction.
func TestUnsubscribeSkipsQueued(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		p := subsTestPublication(t, st, "daily")
		other := subsTestPublication(t, st, "weekly")
		var ids []int64
		for _, e := range []string{"a@example.org", "b@example.org", "c@example.org"} {
			sub, err := st.AddSubscriber(ctx, e, "", p.ID, subscribers.Active, subscribers.ViaEditor)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Subscribe(ctx, sub.ID, other.ID, subscribers.Active, subscribers.ViaEditor); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, sub.ID)
		}
		issue := func(pub *newsletter.Publication) int64 {
			iss, err := st.AssembleIssue(ctx, pub.ID, newsletter.Date{Year: 2009, Month: 7, Day: 9},
				func(_ *newsletter.Issue, _ newsletter.Numberer) (*newsletter.Issue, error) {
					return &newsletter.Issue{Volume: 3, Number: 153, Status: newsletter.Assembled, Subject: "x"}, nil
				})
			if err != nil {
				t.Fatal(err)
			}
			if res, err := st.StartSend(ctx, iss.ID, newsletter.Statuses(newsletter.IssueStatus.EditorCanStart), ""); err != nil || res.Queued != 3 {
				t.Fatalf("start send: %+v, %v", res, err)
			}
			return iss.ID
		}
		daily, weekly := issue(p), issue(other)

		if err := st.Unsubscribe(ctx, ids[1], p.ID, subscribers.ViaOneClick, ""); err != nil {
			t.Fatal(err)
		}
		if c, _ := st.Counts(ctx, daily); c.Queued != 2 || c.Skipped != 1 {
			t.Fatalf("daily after unsubscribe: %+v", c)
		}
		if c, _ := st.Counts(ctx, weekly); c.Queued != 3 {
			t.Fatalf("weekly must be untouched: %+v", c)
		}
		if got, _ := st.Subscriber(ctx, ids[1]); got.Status != subscribers.Active {
			t.Fatalf("still subscribed to weekly, status %s", got.Status)
		}
		// A complaint stops every publication.
		if err := st.Suppress(ctx, "c@example.org", subscribers.Complained, subscribers.ViaComplaint, ""); err != nil {
			t.Fatal(err)
		}
		if c, _ := st.Counts(ctx, weekly); c.Queued != 2 || c.Skipped != 1 {
			t.Fatalf("weekly after complaint: %+v", c)
		}
	})
}

func TestSearchSubscribers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		p := subsTestPublication(t, st, "daily")
		q := subsTestPublication(t, st, "weekly")
		add := func(email, name string, pub int64, status subscribers.Status) *subscribers.Subscriber {
			sub, err := st.AddSubscriber(ctx, email, name, pub, status, subscribers.ViaEditor)
			if err != nil {
				t.Fatal(err)
			}
			return sub
		}
		add("ann@example.org", "Ann Smith", p.ID, subscribers.Active)
		add("bert@example.com", "Bert 100%", p.ID, subscribers.Pending)
		add("cleo@example.org", "Cleo", q.ID, subscribers.Active)
		add("dan_x@example.org", "", p.ID, subscribers.Active)
		if err := st.Suppress(ctx, "ann@example.org", subscribers.Bounced, subscribers.ViaBounce, ""); err != nil {
			t.Fatal(err)
		}
		emails := func(f store.SubscriberFilter) []string {
			t.Helper()
			ls, err := st.SearchSubscribers(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, l := range ls {
				out = append(out, l.Email)
			}
			return out
		}
		for _, tt := range []struct {
			name string
			f    store.SubscriberFilter
			want []string
		}{
			{"all newest first", store.SubscriberFilter{}, []string{"dan_x@example.org", "cleo@example.org", "bert@example.com", "ann@example.org"}},
			{"text in email", store.SubscriberFilter{Text: "EXAMPLE.COM"}, []string{"bert@example.com"}},
			{"text in name", store.SubscriberFilter{Text: "smith"}, []string{"ann@example.org"}},
			{"like wildcards are literal", store.SubscriberFilter{Text: "_"}, []string{"dan_x@example.org"}},
			{"percent literal", store.SubscriberFilter{Text: "100%"}, []string{"bert@example.com"}},
			{"publication", store.SubscriberFilter{PublicationID: p.ID}, []string{"dan_x@example.org", "bert@example.com", "ann@example.org"}},
			{"publication active", store.SubscriberFilter{PublicationID: p.ID, Status: subscribers.Active}, []string{"dan_x@example.org"}},
			{"publication bounced", store.SubscriberFilter{PublicationID: p.ID, Status: subscribers.Bounced}, []string{"ann@example.org"}},
			{"status", store.SubscriberFilter{Status: subscribers.Active}, []string{"dan_x@example.org", "cleo@example.org"}},
			{"page", store.SubscriberFilter{Limit: 2}, []string{"dan_x@example.org", "cleo@example.org"}},
		} {
			if got := emails(tt.f); !slices.Equal(got, tt.want) {
				t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
			}
		}
		page1, _ := st.SearchSubscribers(ctx, store.SubscriberFilter{Limit: 2})
		if got := emails(store.SubscriberFilter{Limit: 2, BeforeID: page1[1].ID}); !slices.Equal(got, []string{"bert@example.com", "ann@example.org"}) {
			t.Errorf("page 2: %v", got)
		}
		counts, err := st.SubscriberCounts(ctx, p.ID)
		if err != nil || counts[subscribers.Active] != 1 || counts[subscribers.Pending] != 1 || counts[subscribers.Bounced] != 1 {
			t.Errorf("counts %v, %v", counts, err)
		}
		all, _ := st.SubscriberCounts(ctx, 0)
		if all[subscribers.Active] != 2 || all[subscribers.Pending] != 1 || all[subscribers.Bounced] != 1 {
			t.Errorf("counts of all %v", all)
		}
	})
}
