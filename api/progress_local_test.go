package api

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
)

// TestProgressOfALocalTimeSend: an issue's status carries the rows waiting
// for their readers' local time and the next group, its time on its zone's
// clock and the zone (the publication's for a reader with none), and no
// estimate while nothing is due; next_local is null when nothing waits.
func TestProgressOfALocalTimeSend(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t) // New York
	// Half an hour ago on a UTC clock: in zones of whole hours, nobody's
	// hour comes while the test runs.
	iss, zones := f.localTimeSend(t, time.Now().UTC().Add(-30*time.Minute).Format("15:04"))
	// The next group as the ledger has it.
	rows, err := f.st.Deliveries(ctx, store.DeliveryFilter{IssueID: iss.ID})
	if err != nil || len(rows) != 2 {
		t.Fatalf("ledger: %d rows, %v", len(rows), err)
	}
	first := rows[0]
	for _, r := range rows[1:] {
		if r.NextAttemptAt.Before(first.NextAttemptAt) {
			first = r
		}
	}
	zone := zones[first.SubscriberID]
	if zone == "" {
		zone = "America/New_York"
	}
	loc, _ := time.LoadLocation(zone)
	wantAt := first.NextAttemptAt.In(loc).Format(time.RFC3339)

	var got struct {
		Status    string  `json:"status"`
		Pending   int     `json:"pending"`
		Waiting   *int    `json:"waiting"`
		ETA       float64 `json:"eta"`
		NextLocal *struct {
			At   string `json:"at"`
			Zone string `json:"zone"`
		} `json:"next_local"`
	}
	status := func() string {
		t.Helper()
		code, body := f.do(t, f.editor, "GET", fmt.Sprintf("/api/issues/%d/status", iss.ID), "", "")
		if code != 200 {
			t.Fatalf("status: %d %s", code, body)
		}
		got.NextLocal, got.Waiting = nil, nil
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatal(err)
		}
		return body
	}
	body := status()
	if got.Status != "sending" || got.Waiting == nil || *got.Waiting != 2 || got.Pending != 2 || got.ETA != 0 ||
		got.NextLocal == nil || got.NextLocal.At != wantAt || got.NextLocal.Zone != zone {
		t.Errorf("status of a send waiting for its readers' hour; want 2 waiting, next at %s in %s, no eta:\n%s", wantAt, zone, body)
	}

	// Cancelled: nothing waits any more.
	if err := f.api.work.Cancel(ctx, iss); err != nil {
		t.Fatal(err)
	}
	body = status()
	if got.Waiting == nil || *got.Waiting != 0 || got.NextLocal != nil {
		t.Errorf("status of the cancelled send: want 0 waiting and next_local null:\n%s", body)
	}
}

// localTimeSend makes f's publication deliver at hour on each reader's
// clock, adds two readers (one without a zone, one in Asia/Tokyo) and starts
// the send of an issue of 2009-07-09; it returns the issue and each reader's
// zone by subscriber id.
func (f *fixture) localTimeSend(t *testing.T, hour string) (*newsletter.Issue, map[int64]string) {
	t.Helper()
	ctx := context.Background()
	f.pub.Deliver, f.pub.LocalTime = newsletter.DeliverLocal, hour
	if err := f.st.SavePublication(ctx, f.pub); err != nil {
		t.Fatal(err)
	}
	zones := map[int64]string{}
	for i, z := range []string{"", "Asia/Tokyo"} {
		sub, err := f.st.AddSubscriber(ctx, fmt.Sprintf("reader%d@example.org", i), "", f.pub.ID, subscribers.Active, subscribers.ViaEditor)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.SetSubscriberTimeZone(ctx, sub.ID, z, subscribers.ViaEditor); err != nil {
			t.Fatal(err)
		}
		zones[sub.ID] = z
	}
	d := newsletter.Date{Year: 2009, Month: 7, Day: 9}
	if err := f.api.work.SaveArticle(ctx, f.pub, &newsletter.Article{Date: d, Title: "Dawn", Section: "News", Status: newsletter.Ready}); err != nil {
		t.Fatal(err)
	}
	iss, _, err := f.api.work.SendNow(ctx, f.pub, d)
	if err != nil {
		t.Fatal(err)
	}
	return iss, zones
}
