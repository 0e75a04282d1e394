package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"masthead/engagement"
	"masthead/store"
	"masthead/store/storetest"
)

// The link table is stored once and never changes under a sending issue;
// counts add up; per-subscriber rows are kept only while the publication
// asks, and age out after its retention.
func TestBackendsEngagement(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		iss, _ := bkSeedSending(t, st, 2)
		links := []engagement.Link{{Index: 1, URL: "https://a.example/1", Text: "one", Anchor: "article-1"},
			{Index: 2, URL: "https://a.example/2"}}
		for range 2 {
			if err := st.SaveIssueLinks(ctx, iss.ID, links); err != nil {
				t.Fatal(err)
			}
		}
		changed := []engagement.Link{links[0], {Index: 2, URL: "https://elsewhere.example/"}}
		if err := st.SaveIssueLinks(ctx, iss.ID, changed); !errors.Is(err, store.ErrLinksDiffer) {
			t.Fatalf("a sending issue's link table changed: %v, want ErrLinksDiffer", err)
		}
		table, err := st.IssueLinks(ctx, iss.ID)
		if err != nil || len(table.Links) != 2 || table.Links[1].URL != "https://a.example/2" || table.PerRecipient {
			t.Fatalf("table %+v, %v", table, err)
		}
		if _, err := st.IssueLinks(ctx, iss.ID+100); err == nil {
			t.Fatal("a table for an issue that does not exist")
		}

		hour := time.Date(2009, 7, 9, 6, 0, 0, 0, time.UTC)
		c := engagement.Count{PublicationID: iss.PublicationID, IssueID: iss.ID, Kind: engagement.Click, Link: 1, Hour: hour,
			Events: 2, Readers: 1, IssueReaders: 1}
		r := engagement.ReaderEvent{PublicationID: iss.PublicationID, IssueID: iss.ID, Recipient: 1, Kind: engagement.Click, Link: 1, Hour: hour}
		for range 2 {
			if err := st.WriteEngagement(ctx, engagement.Batch{Counts: []engagement.Count{c}, Readers: []engagement.ReaderEvent{r}}); err != nil {
				t.Fatal(err)
			}
		}
		counts, err := st.EngagementCounts(ctx, iss.ID)
		if err != nil || len(counts) != 1 || counts[0].Events != 4 || counts[0].Readers != 2 || !counts[0].Hour.Equal(hour) {
			t.Fatalf("counts %+v, %v", counts, err)
		}
		if n, _ := st.ReaderRows(ctx, iss.PublicationID); n != 0 {
			t.Fatalf("%d per-subscriber rows with the setting off", n)
		}

		p, _ := st.Publication(ctx, iss.PublicationID)
		p.PerSubscriberFigures, p.FiguresRetentionDays = true, 30
		if err := st.SavePublication(ctx, p); err != nil {
			t.Fatal(err)
		}
		if err := st.WriteEngagement(ctx, engagement.Batch{Readers: []engagement.ReaderEvent{r}}); err != nil {
			t.Fatal(err)
		}
		if n, _ := st.ReaderRows(ctx, iss.PublicationID); n != 1 {
			t.Fatalf("%d per-subscriber rows with the setting on, want 1", n)
		}
		if n, err := st.AgeOutReaders(ctx, hour.Add(29*24*time.Hour)); err != nil || n != 0 {
			t.Fatalf("aged out %d, %v within the retention", n, err)
		}
		if n, err := st.AgeOutReaders(ctx, hour.Add(31*24*time.Hour)); err != nil || n != 1 {
			t.Fatalf("aged out %d, %v after the retention, want 1", n, err)
		}
		if counts, _ := st.EngagementCounts(ctx, iss.ID); len(counts) != 1 || counts[0].Events != 4 {
			t.Fatalf("counts after the age-out: %+v", counts)
		}
		// The reports' other reads answer on both dialects.
		if hours, err := st.DeliveredPerHour(ctx, iss.ID); err != nil || len(hours) != 0 {
			t.Fatalf("delivered per hour before any delivery: %+v, %v", hours, err)
		}
		changes, err := st.SubscriberChanges(ctx, iss.PublicationID, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
		if err != nil || len(changes) != 2 || changes[0].Kind != "subscribed" {
			t.Fatalf("subscriber changes: %+v, %v", changes, err)
		}
	})
}
