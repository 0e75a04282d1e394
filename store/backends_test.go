package store_test

// The store suite, run on every backend: each test below runs once on a fresh
// SQLite file and once on a fresh PostgreSQL database (storetest.Each), so the
// two dialects are held to the same behaviour.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/ledger"
	"masthead/newsletter"
	"masthead/store"
	"masthead/store/storetest"
	"masthead/subscribers"
)

func bkPublication(t *testing.T, st *store.Store, slug string) *newsletter.Publication {
	t.Helper()
	p := &newsletter.Publication{Slug: slug, Name: "The " + slug, From: "news@example.org", TimeZone: "UTC",
		VolumeStart: bkDate(t, "2009-02-07"), Numbering: newsletter.Calendar, EmptyPolicy: newsletter.EmptySkip,
		Sections: []string{"News", "Sports"}}
	if err := st.SavePublication(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return p
}

func bkDate(t *testing.T, s string) newsletter.Date {
	t.Helper()
	d, err := newsletter.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestBackendsMigrations(t *testing.T) {
	storetest.EachDSN(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		// Processes starting together against a new database migrate once.
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for i := range errs {
			wg.Go(func() {
				st, err := store.Open(ctx, dsn, nil)
				if err == nil {
					st.Close()
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("concurrent open: %v", err)
			}
		}
		st := storetest.OpenDSN(t, dsn)
		v, err := st.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v < 2 {
			t.Errorf("schema version %d, want at least 2", v)
		}
		if err := st.Ping(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func TestBackendsPublications(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		p := bkPublication(t, st, "daily")
		if p.ID == 0 || p.CreatedAt.IsZero() {
			t.Fatalf("saved publication has id %d, created %v", p.ID, p.CreatedAt)
		}
		p.Tagline = "All the news"
		p.SignupOrigins = []string{"https://www.example.org", "http://localhost:8080"}
		p.SignupConfirmedURL, p.WelcomeEmail = "https://www.example.org/welcome", true
		p.WelcomeSubject, p.WelcomeBody = "Hello", "Line one.\n\nLine 'two' ?"
		if err := st.SavePublication(ctx, p); err != nil {
			t.Fatal(err)
		}
		got, err := st.PublicationBySlug(ctx, "daily")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != p.ID || got.Tagline != "All the news" || len(got.Sections) != 2 || got.VolumeStart != p.VolumeStart {
			t.Errorf("read back %+v", got)
		}
		if strings.Join(got.SignupOrigins, " ") != "https://www.example.org http://localhost:8080" || !got.WelcomeEmail ||
			got.SignupConfirmedURL != p.SignupConfirmedURL || got.WelcomeSubject != "Hello" || got.WelcomeBody != p.WelcomeBody {
			t.Errorf("signup settings read back %+v", got)
		}
		dup := &newsletter.Publication{Slug: "daily", Name: "Other", From: "x@example.org", VolumeStart: p.VolumeStart}
		if err := st.SavePublication(ctx, dup); !errors.Is(err, store.ErrConflict) {
			t.Errorf("duplicate slug: %v, want ErrConflict", err)
		}
		if _, err := st.Publication(ctx, p.ID+100); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing publication: %v, want ErrNotFound", err)
		}
		bkPublication(t, st, "a-weekly")
		list, err := st.Publications(ctx)
		if err != nil || len(list) != 2 || list[0].Slug != "a-weekly" {
			t.Errorf("Publications = %v, %v", list, err)
		}
	})
}

func TestBackendsArticles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		p := bkPublication(t, st, "daily")
		d := bkDate(t, "2009-07-09")
		a1 := &newsletter.Article{PublicationID: p.ID, Date: d, Section: "News", Title: "Lead", Body: "body ? 'quoted' $1",
			Status: newsletter.Ready}
		a2 := &newsletter.Article{PublicationID: p.ID, Date: d, Section: "Sports", Title: "Match", Status: newsletter.Draft}
		if err := st.SaveArticles(ctx, a1, a2); err != nil {
			t.Fatal(err)
		}
		// All or nothing: a bad article (no such publication) stores none of the batch.
		bad := &newsletter.Article{PublicationID: p.ID + 100, Date: d, Title: "Orphan", Status: newsletter.Ready}
		good := &newsletter.Article{PublicationID: p.ID, Date: d, Title: "Good", Status: newsletter.Ready}
		if err := st.SaveArticles(ctx, good, bad); err == nil {
			t.Fatal("saving an article of a missing publication succeeded")
		}
		ready, err := st.ArticlesFor(ctx, p.ID, d, newsletter.Ready)
		if err != nil {
			t.Fatal(err)
		}
		if len(ready) != 1 || ready[0].Title != "Lead" || ready[0].Body != a1.Body {
			t.Fatalf("ready articles = %+v", ready)
		}
		all, err := st.Articles(ctx, store.ArticleFilter{PublicationID: p.ID, Limit: 1, Offset: 1})
		if err != nil || len(all) != 1 || all[0].Title != "Match" {
			t.Errorf("second page = %+v, %v", all, err)
		}
		a2.Status = newsletter.Ready
		if err := st.SaveArticles(ctx, a2); err != nil {
			t.Fatal(err)
		}
		if err := st.DeleteArticle(ctx, a1.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Article(ctx, a1.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted article: %v", err)
		}
		if err := st.DeleteArticle(ctx, a1.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleting twice: %v", err)
		}
	})
}

// assemble stores a minimal issue for d through AssembleIssue, numbering it
// sequentially inside the transaction as the Assembler does.
func bkAssemble(ctx context.Context, st *store.Store, pubID int64, d newsletter.Date) (*newsletter.Issue, error) {
	return st.AssembleIssue(ctx, pubID, d, func(existing *newsletter.Issue, next newsletter.Numberer) (*newsletter.Issue, error) {
		iss := &newsletter.Issue{Status: newsletter.Assembled, Subject: "Issue of " + d.String(), HTML: "<p>hi</p>", Text: "hi"}
		if existing != nil {
			iss.Volume, iss.Number, iss.Status = existing.Volume, existing.Number, existing.Status
			return iss, nil
		}
		n, err := next(1)
		iss.Volume, iss.Number = 1, n
		return iss, err
	})
}

func TestBackendsIssues(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		p := bkPublication(t, st, "daily")
		d1, d2 := bkDate(t, "2009-07-09"), bkDate(t, "2009-07-10")
		i1, err := bkAssemble(ctx, st, p.ID, d1)
		if err != nil {
			t.Fatal(err)
		}
		i2, err := bkAssemble(ctx, st, p.ID, d2)
		if err != nil {
			t.Fatal(err)
		}
		if i1.Number != 1 || i2.Number != 2 {
			t.Errorf("numbers %d, %d; want 1, 2", i1.Number, i2.Number)
		}
		again, err := bkAssemble(ctx, st, p.ID, d1)
		if err != nil || again.ID != i1.ID || again.Number != 1 {
			t.Errorf("re-assembly = %+v, %v; want the same issue and number", again, err)
		}
		got, err := st.IssueByDate(ctx, p.ID, d2)
		if err != nil || got.ID != i2.ID || got.Subject != "Issue of 2009-07-10" || got.Text != "hi" {
			t.Errorf("IssueByDate = %+v, %v", got, err)
		}
		if err := st.SetIssueStatus(ctx, i1.ID, []newsletter.IssueStatus{newsletter.Assembled}, newsletter.Held, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if err := st.SetIssueStatus(ctx, i1.ID, []newsletter.IssueStatus{newsletter.Assembled}, newsletter.Held, time.Time{}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("moving from a status it is not in: %v, want ErrConflict", err)
		}
		if err := st.SetIssueNumbers(ctx, i2.ID, 3, 153); err != nil {
			t.Fatal(err)
		}
		list, err := st.Issues(ctx, store.IssueFilter{PublicationID: p.ID, Newest: true,
			Statuses: []newsletter.IssueStatus{newsletter.Assembled, newsletter.Held}})
		if err != nil || len(list) != 2 || list[0].ID != i2.ID || list[0].Number != 153 || !list[0].NumbersOverridden {
			t.Errorf("Issues = %+v, %v", list, err)
		}
		if _, err := st.StartSend(ctx, i2.ID, newsletter.Statuses(newsletter.IssueStatus.EditorCanStart), ""); err != nil {
			t.Fatal(err)
		}
		if _, err := bkAssemble(ctx, st, p.ID, d2); !errors.Is(err, newsletter.ErrFrozen) {
			t.Errorf("re-assembling a sending issue: %v, want ErrFrozen", err)
		}
		if err := st.SetIssueNumbers(ctx, i2.ID, 1, 1); !errors.Is(err, newsletter.ErrFrozen) {
			t.Errorf("renumbering a sending issue: %v, want ErrFrozen", err)
		}
	})
}

// Several processes assembling the same date at once make one issue with one
// number: the one-issue-per-date rule holds in the database.
func TestBackendsConcurrentAssembly(t *testing.T) {
	storetest.EachDSN(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		st1, st2 := storetest.OpenDSN(t, dsn), storetest.OpenDSN(t, dsn)
		p := bkPublication(t, st1, "daily")
		d := bkDate(t, "2009-07-09")
		var wg sync.WaitGroup
		ids := make([]int64, 8)
		errs := make([]error, 8)
		for i := range ids {
			st := st1
			if i%2 == 1 {
				st = st2
			}
			wg.Go(func() {
				iss, err := bkAssemble(ctx, st, p.ID, d)
				if err == nil {
					ids[i] = iss.ID
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for i, err := range errs {
			// A loser of the race sees the winner's row: every call succeeds
			// and none makes a second issue.
			if err != nil {
				t.Errorf("assembly %d: %v", i, err)
			}
		}
		list, err := st1.Issues(ctx, store.IssueFilter{PublicationID: p.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Number != 1 {
			t.Fatalf("issues after concurrent assembly: %+v", list)
		}
		for i, id := range ids {
			if errs[i] == nil && id != list[0].ID {
				t.Errorf("assembly %d returned issue %d, stored is %d", i, id, list[0].ID)
			}
		}
	})
}

func TestBackendsSettings(t *testing.T) {
	storetest.EachDSN(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		st1, st2 := storetest.OpenDSN(t, dsn), storetest.OpenDSN(t, dsn)
		if _, err := st1.Setting(ctx, "missing"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing setting: %v", err)
		}
		if err := st1.SetSetting(ctx, "k", "one"); err != nil {
			t.Fatal(err)
		}
		if err := st1.SetSetting(ctx, "k", "two"); err != nil {
			t.Fatal(err)
		}
		if v, err := st2.Setting(ctx, "k"); err != nil || v != "two" {
			t.Errorf("Setting = %q, %v", v, err)
		}
		// Two processes asking for the secret first agree on one.
		secrets := make([][]byte, 6)
		var wg sync.WaitGroup
		for i := range secrets {
			st := st1
			if i%2 == 1 {
				st = st2
			}
			wg.Go(func() {
				s, err := st.Secret(ctx)
				if err != nil {
					t.Error(err)
				}
				secrets[i] = s
			})
		}
		wg.Wait()
		for i, s := range secrets {
			if len(s) != 32 || string(s) != string(secrets[0]) {
				t.Fatalf("secret %d = %x, first %x", i, s, secrets[0])
			}
		}
	})
}

func TestBackendsSubscribers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		p := bkPublication(t, st, "daily")
		a, err := st.AddSubscriber(ctx, "Ann@Example.org", "Ann", p.ID, subscribers.Active, subscribers.ViaEditor)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddSubscriber(ctx, "bob@example.org", "", p.ID, subscribers.Pending, subscribers.ViaForm); err != nil {
			t.Fatal(err)
		}
		got, err := st.SubscriberByEmail(ctx, "ann@example.org")
		if err != nil || got.ID != a.ID || got.Status != subscribers.Active {
			t.Errorf("SubscriberByEmail = %+v, %v", got, err)
		}
		counts, err := st.SubscriberCounts(ctx, p.ID)
		if err != nil || counts[subscribers.Active] != 1 || counts[subscribers.Pending] != 1 {
			t.Errorf("SubscriberCounts = %v, %v", counts, err)
		}
		if err := st.Unsubscribe(ctx, a.ID, p.ID, subscribers.ViaOneClick, ""); err != nil {
			t.Fatal(err)
		}
		if err := st.Suppress(ctx, "carol@example.org", subscribers.Complained, subscribers.ViaComplaint, "fbl"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddSubscriber(ctx, "carol@example.org", "", p.ID, subscribers.Active, subscribers.ViaEditor); !errors.Is(err, subscribers.ErrSuppressed) {
			t.Errorf("adding a suppressed address: %v, want ErrSuppressed", err)
		}
		events, err := st.SubscriberEvents(ctx, a.ID)
		if err != nil || len(events) < 2 {
			t.Errorf("events of Ann = %+v, %v", events, err)
		}
	})
}

// seedSending makes a publication with n active subscribers and an issue whose
// send has started.
func bkSeedSending(t *testing.T, st *store.Store, n int) (*newsletter.Issue, int) {
	t.Helper()
	ctx := context.Background()
	p := bkPublication(t, st, "daily")
	for i := range n {
		if _, err := st.AddSubscriber(ctx, fmt.Sprintf("reader%03d@example.org", i), "", p.ID,
			subscribers.Active, subscribers.ViaEditor); err != nil {
			t.Fatal(err)
		}
	}
	iss, err := bkAssemble(ctx, st, p.ID, bkDate(t, "2009-07-09"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.StartSend(ctx, iss.ID, newsletter.Statuses(newsletter.IssueStatus.EditorCanStart), "")
	if err != nil {
		t.Fatal(err)
	}
	return iss, res.Queued
}

func TestBackendsDeliveries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		iss, queued := bkSeedSending(t, st, 5)
		if queued != 5 {
			t.Fatalf("queued %d rows, want 5", queued)
		}
		if res, err := st.StartSend(ctx, iss.ID, newsletter.Statuses(newsletter.IssueStatus.EditorCanStart), ""); err != nil || res.Queued != 0 {
			t.Errorf("starting again = %+v, %v; want nothing new", res, err)
		}
		got, err := st.Claim(ctx, iss.ID, "w1", "", 3, time.Minute)
		if err != nil || len(got) != 3 {
			t.Fatalf("claim = %d rows, %v", len(got), err)
		}
		if got[0].MessageID == "" || got[0].MessageID == got[1].MessageID {
			t.Errorf("message ids %q, %q", got[0].MessageID, got[1].MessageID)
		}
		var outs []ledger.Outcome
		for _, d := range got {
			outs = append(outs, ledger.Outcome{DeliveryID: d.ID, Owner: "w1", Kind: ledger.OutcomeSent, At: time.Now(), Code: 250})
		}
		if err := st.Record(ctx, outs, ledger.BouncePolicy{}); err != nil {
			t.Fatal(err)
		}
		rest, err := st.Claim(ctx, iss.ID, "w2", "", 10, time.Minute)
		if err != nil || len(rest) != 2 {
			t.Fatalf("second claim = %d rows, %v", len(rest), err)
		}
		if err := st.Record(ctx, []ledger.Outcome{
			{DeliveryID: rest[0].ID, Owner: "w2", Kind: ledger.OutcomeFailed, At: time.Now(), Code: 550, Bounce: ledger.HardBounce},
			{DeliveryID: rest[1].ID, Owner: "w2", Kind: ledger.OutcomeSent, At: time.Now(), Code: 250},
		}, ledger.BouncePolicy{}); err != nil {
			t.Fatal(err)
		}
		c, err := st.Counts(ctx, iss.ID)
		if err != nil || c.Sent != 4 || c.Failed != 1 || c.Pending() != 0 {
			t.Errorf("counts = %+v, %v", c, err)
		}
		if status, err := st.IssueStatus(ctx, iss.ID); err != nil || status != newsletter.Sent {
			t.Errorf("issue status = %s, %v; want sent", status, err)
		}
		if sup, err := st.IsSuppressed(ctx, rest[0].Email); err != nil || !sup {
			t.Errorf("hard-bounced address suppressed = %v, %v", sup, err)
		}
		list, err := st.Deliveries(ctx, store.DeliveryFilter{IssueID: iss.ID, Search: "reader00"})
		if err != nil || len(list) != 5 {
			t.Errorf("search = %d rows, %v", len(list), err)
		}
	})
}

// A lease that runs out hands the rows to another claimer; until then nobody
// else gets them.
func TestBackendsLeaseExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Now()
		st.SetClock(func() time.Time { return now })
		iss, _ := bkSeedSending(t, st, 4)
		dead, err := st.Claim(ctx, iss.ID, "dead", "", 4, time.Minute)
		if err != nil || len(dead) != 4 {
			t.Fatalf("claim = %d, %v", len(dead), err)
		}
		if got, err := st.Claim(ctx, iss.ID, "alive", "", 4, time.Minute); err != nil || len(got) != 0 {
			t.Fatalf("claim under a live lease = %d rows, %v", len(got), err)
		}
		now = now.Add(2 * time.Minute)
		got, err := st.Claim(ctx, iss.ID, "alive", "", 4, time.Minute)
		if err != nil || len(got) != 4 {
			t.Fatalf("claim after the lease = %d rows, %v", len(got), err)
		}
		// The dead owner's late retry does not undo the new owner's claim.
		if err := st.Record(ctx, []ledger.Outcome{{DeliveryID: got[0].ID, Owner: "dead", Kind: ledger.OutcomeRetry,
			At: now, NextAttemptAt: now.Add(time.Hour)}}, ledger.BouncePolicy{}); err != nil {
			t.Fatal(err)
		}
		d, err := st.DeliveryByID(ctx, got[0].ID)
		if err != nil || d.Status != ledger.DeliverySending || d.LeaseOwner != "alive" {
			t.Errorf("row after a stale retry = %+v, %v", d, err)
		}
	})
}

// Claimers in several processes at once take disjoint rows and, between them,
// every row: on PostgreSQL with FOR UPDATE SKIP LOCKED, on SQLite by BEGIN
// IMMEDIATE.
func TestBackendsConcurrentClaims(t *testing.T) {
	storetest.EachDSN(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		seed := storetest.OpenDSN(t, dsn)
		iss, queued := bkSeedSending(t, seed, 300)
		stores := []*store.Store{seed, storetest.OpenDSN(t, dsn), storetest.OpenDSN(t, dsn)}
		var mu sync.Mutex
		seen := map[int64]string{}
		var wg sync.WaitGroup
		for w := range 6 {
			st := stores[w%len(stores)]
			owner := fmt.Sprintf("w%d", w)
			wg.Go(func() {
				for {
					got, err := st.Claim(ctx, iss.ID, owner, "", 7, time.Minute)
					if errors.Is(err, ledger.ErrNotSending) {
						return
					}
					if err != nil {
						t.Error(err)
						return
					}
					if len(got) == 0 {
						return
					}
					var outs []ledger.Outcome
					mu.Lock()
					for _, d := range got {
						if prev, ok := seen[d.ID]; ok {
							t.Errorf("row %d claimed by %s and %s", d.ID, prev, owner)
						}
						seen[d.ID] = owner
						outs = append(outs, ledger.Outcome{DeliveryID: d.ID, Owner: owner, Kind: ledger.OutcomeSent, At: time.Now(), Code: 250})
					}
					mu.Unlock()
					if err := st.Record(ctx, outs, ledger.BouncePolicy{}); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		if len(seen) != queued {
			t.Errorf("claimed %d distinct rows of %d", len(seen), queued)
		}
		c, err := seed.Counts(ctx, iss.ID)
		if err != nil || c.Sent != queued {
			t.Errorf("counts = %+v, %v", c, err)
		}
	})
}
