package admin

import (
	"context"
	"strings"
	"testing"
	"time"

	"masthead/auth"
	"masthead/internal/smtptest"
	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
)

// TestIssuePageShowsRowsWaitingForLocalTime: the issue page of a send at
// each reader's hour says how many rows wait and when the next group is
// due on its own zone's clock, and shows no estimate while nothing is due.
func TestIssuePageShowsRowsWaitingForLocalTime(t *testing.T) {
	e, day, want := waitingSend(t)
	cookie, _ := e.session(t, e.user(t, "lois@planet.example", auth.Editor))
	page := e.page(t, "/admin/issues/"+day.String(), cookie)
	if !strings.Contains(page, `<p id="p-waiting">`+want+`</p>`) {
		t.Errorf("the issue page lacks %q:\n%s", want, excerpt(page, `id="progress"`))
	}
	if !strings.Contains(page, `<dd id="p-eta">waiting for local time</dd>`) {
		t.Errorf("the issue page's estimate is not 'waiting for local time':\n%s", excerpt(page, `id="progress"`))
	}
	if ledger := e.page(t, "/admin/issues/"+day.String()+"/ledger", cookie); !strings.Contains(ledger, "3 pending (3 waiting for local time) of 3.") {
		t.Errorf("the ledger page does not count the waiting rows:\n%s", excerpt(ledger, `class="sub"`))
	}
	// Each waiting copy shows when it is due (in the publication's zone).
	if ledger := e.page(t, "/admin/issues/"+day.String()+"/ledger", cookie); strings.Count(ledger, `<td class="due">20`) != 3 {
		t.Errorf("the ledger does not show the three waiting copies' due times:\n%s", excerpt(ledger, `id="ledger"`))
	}
	progress := e.page(t, "/admin/issues/"+day.String()+"/progress", cookie)
	if !strings.Contains(progress, `"waiting":3`) || !strings.Contains(progress, `"next_local":{"at":"`) {
		t.Errorf("the page's progress JSON lacks the waiting rows: %s", progress)
	}
}

// waitingSend starts today's issue of a publication that delivers at each
// reader's hour, to three readers in three zones (one the publication's,
// UTC) none of whose hour comes while a test runs, and returns the sentence
// the issue page should show for it, from the ledger's own due times.
func waitingSend(t *testing.T) (*env, newsletter.Date, string) {
	t.Helper()
	e := newEnv(t, smtptest.Options{})
	ctx := context.Background()
	// Half an hour ago on a UTC clock: in zones of whole hours, nobody's
	// hour comes while the test runs.
	e.pub.Deliver, e.pub.LocalTime = newsletter.DeliverLocal, time.Now().UTC().Add(-30*time.Minute).Format("15:04")
	if err := e.st.SavePublication(ctx, e.pub); err != nil {
		t.Fatal(err)
	}
	e.subscribers(t, 3)
	zones := map[string]string{"reader01@example.org": "", "reader02@example.org": "Asia/Tokyo", "reader03@example.org": "America/Chicago"}
	for email, z := range zones {
		sub, err := e.st.SubscriberByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.st.SetSubscriberTimeZone(ctx, sub.ID, z, subscribers.ViaEditor); err != nil {
			t.Fatal(err)
		}
	}
	day := e.pub.Today(time.Now())
	if err := e.st.SaveArticles(ctx, &newsletter.Article{PublicationID: e.pub.ID, Date: day, Section: "News",
		Title: "Bridge Vote", Body: "The council voted.", Status: newsletter.Ready}); err != nil {
		t.Fatal(err)
	}
	iss, _, err := e.admin.work.SendNow(ctx, e.pub, day)
	if err != nil {
		t.Fatal(err)
	}
	// The next group as the ledger has it, on its zone's clock.
	rows, err := e.st.Deliveries(ctx, store.DeliveryFilter{IssueID: iss.ID})
	if err != nil || len(rows) != 3 {
		t.Fatalf("ledger: %d rows, %v", len(rows), err)
	}
	first := rows[0]
	for _, r := range rows[1:] {
		if r.NextAttemptAt.Before(first.NextAttemptAt) {
			first = r
		}
	}
	zone := zones[first.Email]
	if zone == "" {
		zone = "UTC" // the publication's
	}
	loc, _ := time.LoadLocation(zone)
	at := first.NextAttemptAt.In(loc)
	return e, day, "waiting for local time: 3 (next at " + at.Format("15:04 ") + zone + at.Format(", Mon 2 Jan") + ")"
}

// excerpt is the part of page from the first marker on, for a failure message.
func excerpt(page, marker string) string {
	if i := strings.Index(page, marker); i >= 0 {
		page = page[i:]
	}
	if len(page) > 1500 {
		page = page[:1500]
	}
	return page
}
