package reports

import (
	"sort"
	"time"

	"masthead/engagement"
	"masthead/newsletter"
)

// Hours is how many hours after sending began an issue report charts.
const Hours = 48

// IssueInput is what the store gives for an issue report.
type IssueInput struct {
	IssueID     int64
	Publication string // the publication's name
	Date        newsletter.Date
	Label       string    // "Volume 3, Number 153"
	Subject     string    // the email's subject
	SentAt      time.Time // when sending began; zero for an issue not sent
	// Location is the publication's time zone, for the times shown.
	Location *time.Location

	Deliveries Deliveries
	// DeliveredPerHour counts the deliveries sent in each hour (Hour on the
	// hour, UTC), in any order.
	DeliveredPerHour []HourCount
	// Links is the issue's link table; Counts every engagement.Count row of
	// the issue, as the recorder wrote them (rows of the same hour and class
	// may come more than once: they are added).
	Links  []engagement.Link
	Counts []engagement.Count
	// Articles names each article by its anchor ("article-2" -> title).
	Articles map[string]string
	// Opens is whether the publication counts opens (the tracking image).
	Opens bool
	// Unsubscribes and Bounces are the ones this issue caused: unsubscribes
	// from its links or its List-Unsubscribe, and its deliveries that
	// bounced.
	Unsubscribes int
	Bounces      int
}

// HourCount is a number for one hour.
type HourCount struct {
	Hour  time.Time `json:"hour"`
	Count int       `json:"count"`
}

// Deliveries are an issue's delivery counts.
type Deliveries struct {
	Recipients int `json:"recipients"` // the audience snapshotted when sending began
	Delivered  int `json:"delivered"`
	Failed     int `json:"failed"`
	Pending    int `json:"pending"`
}

// IssueReport is everything an editor reads about one issue: the same
// figures on the admin page, through the API, as CSV and as text.
type IssueReport struct {
	IssueID     int64           `json:"issue_id"`
	Publication string          `json:"publication"`
	Date        newsletter.Date `json:"date"`
	Label       string          `json:"label"`
	Subject     string          `json:"subject"`
	SentAt      time.Time       `json:"sent_at,omitzero"`
	location    *time.Location

	Deliveries Deliveries `json:"deliveries"`
	// Hours are the first 48 hours from the hour sending began.
	Hours []HourFigures `json:"hours"`
	// Links are the issue's links in table order, with their figures.
	Links []LinkFigures `json:"links"`
	// Clicks and Readers are the headline figures: readers' clicks (all
	// time) and the unique readers who clicked; Automatic the clicks taken
	// as scanners', left out of both.
	Clicks    int64 `json:"clicks"`
	Readers   int64 `json:"readers"`
	Automatic int64 `json:"automatic_clicks"`
	// ClickRate is Readers / Deliveries.Delivered (0 with none delivered).
	ClickRate float64 `json:"click_rate"`
	// Opens is nil when the publication does not count opens.
	Opens        *Opens `json:"opens,omitempty"`
	Unsubscribes int    `json:"unsubscribes"`
	Bounces      int    `json:"bounces"`
}

// HourFigures are one hour of an issue report's timeline.
type HourFigures struct {
	Offset    int       `json:"offset"` // hours since the hour sending began
	Start     time.Time `json:"start"`
	Delivered int       `json:"delivered"`
	Clicks    int64     `json:"clicks"`
	Automatic int64     `json:"automatic_clicks"`
}

// LinkFigures are one link's figures.
type LinkFigures struct {
	Index   int    `json:"index"`
	URL     string `json:"url"`
	Text    string `json:"text"`
	Article string `json:"article,omitempty"` // the title of the article it is in
	Clicks  int64  `json:"clicks"`
	Readers int64  `json:"readers"`
	// Automatic counts the clicks taken as scanners'.
	Automatic int64 `json:"automatic_clicks"`
}

// Opens are the tracking image's figures: inflated by Apple Mail Privacy
// Protection, which loads every image when a message arrives.
type Opens struct {
	Opens     int64 `json:"opens"`
	Readers   int64 `json:"readers"`
	Automatic int64 `json:"automatic_opens"`
}

// NewIssueReport adds the store's rows up into an issue report.
func NewIssueReport(in IssueInput) *IssueReport {
	r := &IssueReport{IssueID: in.IssueID, Publication: in.Publication, Date: in.Date, Label: in.Label,
		Subject: in.Subject, SentAt: in.SentAt, location: in.Location, Deliveries: in.Deliveries,
		Unsubscribes: in.Unsubscribes, Bounces: in.Bounces}
	if r.location == nil {
		r.location = time.UTC
	}
	start := in.SentAt.UTC().Truncate(time.Hour)
	r.Hours = make([]HourFigures, Hours)
	for i := range r.Hours {
		r.Hours[i] = HourFigures{Offset: i, Start: start.Add(time.Duration(i) * time.Hour)}
	}
	slot := func(h time.Time) *HourFigures {
		if in.SentAt.IsZero() {
			return nil
		}
		i := int(h.UTC().Sub(start) / time.Hour)
		if i < 0 || i >= Hours {
			return nil
		}
		return &r.Hours[i]
	}
	for _, d := range in.DeliveredPerHour {
		if h := slot(d.Hour); h != nil {
			h.Delivered += d.Count
		}
	}

	byIndex := map[int]*LinkFigures{}
	r.Links = make([]LinkFigures, len(in.Links))
	for i, l := range in.Links {
		r.Links[i] = LinkFigures{Index: l.Index, URL: l.URL, Text: l.Text, Article: in.Articles[l.Anchor]}
		byIndex[l.Index] = &r.Links[i]
	}
	if in.Opens {
		r.Opens = &Opens{}
	}
	for _, c := range in.Counts {
		if c.IssueID != in.IssueID {
			continue
		}
		switch c.Kind {
		case engagement.Open:
			if r.Opens == nil {
				continue
			}
			if c.Automatic {
				r.Opens.Automatic += c.Events
			} else {
				r.Opens.Opens += c.Events
				r.Opens.Readers += c.IssueReaders
			}
		case engagement.Click:
			l := byIndex[c.Link]
			h := slot(c.Hour)
			if c.Automatic {
				r.Automatic += c.Events
				if l != nil {
					l.Automatic += c.Events
				}
				if h != nil {
					h.Automatic += c.Events
				}
				continue
			}
			r.Clicks += c.Events
			r.Readers += c.IssueReaders
			if l != nil {
				l.Clicks += c.Events
				l.Readers += c.Readers
			}
			if h != nil {
				h.Clicks += c.Events
			}
		}
	}
	if r.Deliveries.Delivered > 0 {
		r.ClickRate = float64(r.Readers) / float64(r.Deliveries.Delivered)
	}
	return r
}

// LinksByClicks is the links, most clicked first (then by index).
func (r *IssueReport) LinksByClicks() []LinkFigures {
	out := append([]LinkFigures(nil), r.Links...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Clicks > out[j].Clicks })
	return out
}
