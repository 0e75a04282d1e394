package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"masthead/newsletter"
	"masthead/store"
	"masthead/store/storetest"
	"masthead/subscribers"
)

// An installation with a sent issue moves to an empty database (PostgreSQL,
// and another SQLite file) with every row, the same ids and the same message
// bytes; the target then works (new rows get fresh ids), and a second copy
// into it is refused.
func TestDBCopy(t *testing.T) {
	src := newDB(t)
	setupPlanet(t, src)
	if code, _, errs := runCLI(t, src, "The council voted.\n", "article", "add", "-", "--date", "2009-07-09",
		"--title", "Bridge Vote", "--section", "News"); code != 0 {
		t.Fatal(errs)
	}
	for _, who := range []string{"lois@example.org", "clark@example.org", "jimmy@example.org"} {
		if code, _, errs := runCLI(t, src, "", "subscriber", "add", who); code != 0 {
			t.Fatal(errs)
		}
	}
	if code, out, errs := runCLI(t, src, "", "issue", "send", "--date", "2009-07-09"); code != 0 {
		t.Fatalf("issue send: %s%s", out, errs)
	}

	storetest.EachDSN(t, func(t *testing.T, dst string) {
		code, out, errs := runCLI(t, src, "", "db", "copy", "--to", dst, "--batch", "2")
		if code != 0 {
			t.Fatalf("db copy: exit %d\n%s%s", code, out, errs)
		}
		for _, want := range []string{"deliveries  3  3", "outbox", "every table's count matches"} {
			if !strings.Contains(strings.Join(strings.Fields(out), "  "), strings.Join(strings.Fields(want), "  ")) {
				t.Errorf("db copy output lacks %q:\n%s", want, out)
			}
		}
		ctx := context.Background()
		a, b := storetest.OpenDSN(t, src), storetest.OpenDSN(t, dst)
		pa, err := a.PublicationBySlug(ctx, "the-daily-planet")
		if err != nil {
			t.Fatal(err)
		}
		pb, err := b.PublicationBySlug(ctx, "the-daily-planet")
		if err != nil || pb.ID != pa.ID || pb.Name != pa.Name || pb.TimeZone != pa.TimeZone || !pb.CreatedAt.Equal(pa.CreatedAt) {
			t.Errorf("publication in the copy: %+v, %v", pb, err)
		}
		d := newsletter.Date{Year: 2009, Month: 7, Day: 9}
		ia, err := a.IssueByDate(ctx, pa.ID, d)
		if err != nil {
			t.Fatal(err)
		}
		ib, err := b.IssueByDate(ctx, pb.ID, d)
		if err != nil || ib.ID != ia.ID || ib.Status != newsletter.Sent || ib.HTML != ia.HTML || len(ib.Articles) != 1 {
			t.Errorf("issue in the copy: %v, %v", ib, err)
		}
		ma, _ := a.Outbox(ctx, store.OutboxFilter{IssueID: ia.ID})
		mb, err := b.Outbox(ctx, store.OutboxFilter{IssueID: ib.ID})
		if err != nil || len(mb) != 3 || len(ma) != 3 {
			t.Fatalf("outbox in the copy: %d messages (%v), source %d", len(mb), err, len(ma))
		}
		for i := range ma {
			x, _ := a.OutboxByID(ctx, ma[i].ID)
			y, err := b.OutboxByID(ctx, mb[i].ID)
			if err != nil || x == nil || !bytes.Equal(x.Raw, y.Raw) {
				t.Errorf("outbox message %d differs in the copy (%v)", ma[i].ID, err)
			}
		}
		sa, _ := a.Secret(ctx)
		if sb, err := b.Secret(ctx); err != nil || !bytes.Equal(sa, sb) {
			t.Errorf("the copy signs links with another secret (%v): old unsubscribe links would break", err)
		}
		// New rows in the copy get ids after the copied ones.
		sub, err := b.AddSubscriber(ctx, "perry@example.org", "", pb.ID, subscribers.Active, subscribers.ViaEditor)
		if err != nil {
			t.Fatalf("adding to the copy: %v", err)
		}
		if old, _ := a.SubscriberByEmail(ctx, "jimmy@example.org"); sub.ID <= old.ID {
			t.Errorf("new subscriber got id %d, not after the copied %d", sub.ID, old.ID)
		}
		code, out, errs = runCLI(t, src, "", "db", "copy", "--to", dst)
		if code == 0 || !strings.Contains(errs, "not empty") {
			t.Errorf("second copy into the same database: exit %d\n%s%s", code, out, errs)
		}
	})
}
