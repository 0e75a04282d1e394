package reports_test

import (
	"os"
	"time"

	"masthead/engagement"
	"masthead/newsletter"
	"masthead/reports"
)

// What `masthead issue report --date 2009-07-09` prints: the store gives
// the rows, NewIssueReport adds them up, WriteText lays them out (and
// WriteLinksCSV for --format csv; TimelineSVG and LinksSVG for the page).
func ExampleIssueReport_WriteText() {
	sent := time.Date(2009, 7, 9, 10, 0, 0, 0, time.UTC)
	r := reports.NewIssueReport(reports.IssueInput{
		IssueID: 42, Publication: "The Daily Planet", Date: newsletter.Date{Year: 2009, Month: 7, Day: 9},
		Label: "Volume 3, Number 153", SentAt: sent, Location: time.UTC,
		Deliveries:       reports.Deliveries{Recipients: 100, Delivered: 98, Failed: 2},
		DeliveredPerHour: []reports.HourCount{{Hour: sent, Count: 98}},
		Links: []engagement.Link{
			{Index: 1, URL: "https://planet.example/heat-wave", Text: "Heat wave", Anchor: "article-1"},
			{Index: 2, URL: "https://council.example/plan", Text: "the plan", Anchor: "article-2"},
		},
		Articles: map[string]string{"article-1": "Heat Wave Arrives", "article-2": "Harbour Plan"},
		Counts: []engagement.Count{
			{IssueID: 42, Kind: engagement.Click, Link: 1, Hour: sent, Events: 12, Readers: 9, IssueReaders: 9},
			{IssueID: 42, Kind: engagement.Click, Link: 2, Hour: sent.Add(time.Hour), Events: 4, Readers: 4, IssueReaders: 2},
			{IssueID: 42, Kind: engagement.Click, Link: 2, Hour: sent, Automatic: true, Events: 3, Readers: 3, IssueReaders: 1},
		},
		Unsubscribes: 1, Bounces: 2,
	})
	if err := r.WriteText(os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// The Daily Planet — Volume 3, Number 153 — 2009-07-09
	// Sent 2009-07-09 10:00 UTC to 100 subscribers: 98 delivered, 2 failed, 0 pending.
	// Clicks: 16 by 11 readers (11.2% of delivered); 3 automatic clicks counted apart.
	// Unsubscribes: 1. Bounces: 2.
	//
	// #  link                                clicks  readers  automatic
	// 1  Heat wave (Heat Wave Arrives)           12        9          0
	//      https://planet.example/heat-wave
	// 2  the plan (Harbour Plan)                  4        4          3
	//      https://council.example/plan
	//
	// First 48 hours (hours with activity):
	// hour  from       delivered  clicks  automatic
	// 0h    Thu 10:00         98      12          3
	// 1h    Thu 11:00          0       4          0
}
