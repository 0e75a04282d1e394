package reports

import (
	"testing"
	"time"

	"masthead/engagement"
	"masthead/newsletter"
)

func TestNewIssueReport(t *testing.T) {
	in := IssueInput{
		IssueID: 42, SentAt: sentAt().Add(25 * time.Minute), Deliveries: Deliveries{Recipients: 10, Delivered: 8},
		DeliveredPerHour: []HourCount{{sentAt(), 5}, {sentAt().Add(time.Hour), 3}, {sentAt().Add(-time.Hour), 99}},
		Links:            []engagement.Link{{Index: 1, URL: "https://a.example/", Text: "A", Anchor: "article-1"}, {Index: 2, URL: "https://b.example/", Text: "B"}},
		Articles:         map[string]string{"article-1": "The lead"},
		Opens:            true,
		Counts: []engagement.Count{
			{IssueID: 42, Kind: engagement.Click, Link: 1, Hour: sentAt(), Events: 3, Readers: 2, IssueReaders: 2},
			{IssueID: 42, Kind: engagement.Click, Link: 1, Hour: sentAt(), Events: 1, Readers: 1, IssueReaders: 0}, // a second row of one key
			{IssueID: 42, Kind: engagement.Click, Link: 2, Hour: sentAt().Add(50 * time.Hour), Events: 2, Readers: 2, IssueReaders: 1},
			{IssueID: 42, Kind: engagement.Click, Link: 2, Hour: sentAt(), Automatic: true, Events: 7, Readers: 1, IssueReaders: 1},
			{IssueID: 42, Kind: engagement.Open, Hour: sentAt(), Events: 6, Readers: 5, IssueReaders: 5},
			{IssueID: 42, Kind: engagement.Open, Hour: sentAt(), Automatic: true, Events: 4, IssueReaders: 4},
			{IssueID: 43, Kind: engagement.Click, Link: 1, Hour: sentAt(), Events: 100, Readers: 100, IssueReaders: 100},
		},
	}
	r := NewIssueReport(in)
	if r.Clicks != 6 || r.Readers != 3 || r.Automatic != 7 || r.ClickRate != 3.0/8 {
		t.Errorf("headline %d clicks, %d readers, %d automatic, rate %v", r.Clicks, r.Readers, r.Automatic, r.ClickRate)
	}
	want := []LinkFigures{
		{Index: 1, URL: "https://a.example/", Text: "A", Article: "The lead", Clicks: 4, Readers: 3},
		{Index: 2, URL: "https://b.example/", Text: "B", Clicks: 2, Readers: 2, Automatic: 7},
	}
	for i := range want {
		if r.Links[i] != want[i] {
			t.Errorf("link %d: %+v, want %+v", i+1, r.Links[i], want[i])
		}
	}
	if len(r.Hours) != Hours || r.Hours[0].Delivered != 5 || r.Hours[1].Delivered != 3 || r.Hours[0].Clicks != 4 || r.Hours[0].Automatic != 7 {
		t.Errorf("hours %+v", r.Hours[:2])
	}
	var hourClicks int64
	for _, h := range r.Hours {
		hourClicks += h.Clicks
	}
	if hourClicks != 4 { // the clicks of hour 50 are in the totals, not the chart
		t.Errorf("%d clicks in the 48 hours, want 4", hourClicks)
	}
	if r.Opens == nil || *r.Opens != (Opens{Opens: 6, Readers: 5, Automatic: 4}) {
		t.Errorf("opens %+v", r.Opens)
	}
	in.Opens = false
	if NewIssueReport(in).Opens != nil {
		t.Error("opens reported for a publication that does not count them")
	}
	if ls := r.LinksByClicks(); ls[0].Index != 1 {
		t.Errorf("by clicks: %+v", ls)
	}
}

func TestNewGrowthReport(t *testing.T) {
	d := func(day int) newsletter.Date { return newsletter.Date{Year: 2009, Month: 7, Day: day} }
	g, err := NewGrowthReport(GrowthInput{From: d(1), To: d(9),
		Days: []DayFigures{{Date: d(3), Subscribes: 4, Unsubscribes: 1}, {Date: d(3), Subscribes: 1, Bounces: 2}, {Date: d(12), Subscribes: 50}},
		Issues: []IssueRate{{IssueID: 2, Date: d(8), Delivered: 100, Readers: 21}, {IssueID: 1, Date: d(7), Delivered: 0},
			{IssueID: 3, Date: d(10), Delivered: 100, Readers: 100}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Days) != 9 || g.Days[2] != (DayFigures{Date: d(3), Subscribes: 5, Unsubscribes: 1, Bounces: 2}) || g.Days[8].Date != d(9) {
		t.Errorf("days %+v", g.Days)
	}
	if g.Totals.Net() != 2 {
		t.Errorf("net %d", g.Totals.Net())
	}
	if len(g.Issues) != 2 || g.Issues[0].IssueID != 1 || g.Issues[0].ClickRate != 0 || g.Issues[1].ClickRate != 0.21 {
		t.Errorf("issues %+v", g.Issues)
	}
	if _, err := NewGrowthReport(GrowthInput{From: d(9), To: d(1)}); err == nil {
		t.Error("an end before the start accepted")
	}
	if _, err := NewGrowthReport(GrowthInput{From: d(1), To: newsletter.Date{Year: 2030, Month: 1, Day: 1}}); err == nil {
		t.Error("twenty years accepted")
	}
}
