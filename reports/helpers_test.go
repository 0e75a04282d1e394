package reports

import (
	"fmt"
	"math"
	"testing"
	"time"

	"masthead/engagement"
	"masthead/newsletter"
)

// sentAt is when the test issue's sending began: 06:00 in New York.
func sentAt() time.Time { return time.Date(2009, 7, 9, 10, 0, 0, 0, time.UTC) }

func newYork(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// sampleIssueInput is an issue of 1,000 subscribers with eight links, as
// the store would give it: deliveries over two hours, clicks falling off
// over two days, scanners in the first hour.
func sampleIssueInput(t testing.TB) IssueInput {
	in := IssueInput{
		IssueID: 42, Publication: "The Daily Planet", Date: newsletter.Date{Year: 2009, Month: 7, Day: 9},
		Label: "Volume 3, Number 153", Subject: "The Daily Planet — Thursday, July 9, 2009 (Vol. 3, No. 153)",
		SentAt: sentAt(), Location: newYork(t),
		Deliveries:       Deliveries{Recipients: 1000, Delivered: 990, Failed: 6, Pending: 4},
		DeliveredPerHour: []HourCount{{sentAt(), 900}, {sentAt().Add(time.Hour), 90}},
		Articles:         map[string]string{"article-1": "Heat Wave Arrives", "article-2": "Council Approves Harbour Plan"},
		Unsubscribes:     3, Bounces: 6,
	}
	titles := []string{"Heat Wave Arrives", "the council’s website", "Harbour map", "the weather service",
		"Box scores", "Letters to the editor", "Crossword", "Obituaries"}
	for i, title := range titles {
		anchor := "article-1"
		if i >= 2 {
			anchor = "article-2"
		}
		in.Links = append(in.Links, engagement.Link{Index: i + 1, URL: fmt.Sprintf("https://planet.example/2009/07/09/story-%d", i+1), Text: title, Anchor: anchor})
	}
	for h := range Hours {
		for i := range titles {
			n := int64(math.Round(40 * math.Exp(-float64(h)/6) / float64(i+1)))
			if n == 0 {
				continue
			}
			in.Counts = append(in.Counts, engagement.Count{PublicationID: 1, IssueID: 42, Kind: engagement.Click, Link: i + 1,
				Hour: sentAt().Add(time.Duration(h) * time.Hour), Events: n, Readers: (n + 1) / 2, IssueReaders: (n + 3) / 4})
		}
	}
	for i := range titles {
		in.Counts = append(in.Counts, engagement.Count{PublicationID: 1, IssueID: 42, Kind: engagement.Click, Link: i + 1,
			Hour: sentAt(), Automatic: true, Events: 12, Readers: 12, IssueReaders: 2})
	}
	return in
}

// sampleGrowthInput is 90 days of a publication with an issue each weekday.
func sampleGrowthInput() GrowthInput {
	to := newsletter.Date{Year: 2009, Month: 7, Day: 9}
	in := GrowthInput{Publication: "The Daily Planet", From: to.AddDays(-89), To: to, Subscribers: 1000}
	for i := range 90 {
		d := in.From.AddDays(i)
		in.Days = append(in.Days, DayFigures{Date: d, Subscribes: 5 + (i*7)%11, Unsubscribes: (i * 3) % 4, Bounces: i % 9 / 7})
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			in.Issues = append(in.Issues, IssueRate{IssueID: int64(i + 1), Date: d, Label: fmt.Sprintf("Volume 3, Number %d", 64+i),
				Delivered: 900 + i, Readers: int64(150 + (i*37)%90)})
		}
	}
	return in
}
