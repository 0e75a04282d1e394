package reports

import (
	"fmt"
	"sort"

	"masthead/newsletter"
)

// GrowthDays is how many days a growth report covers by default.
const GrowthDays = 90

// GrowthInput is what the store gives for a publication's growth report.
type GrowthInput struct {
	Publication string
	// From and To are the first and last day covered, in the publication's
	// time zone.
	From, To newsletter.Date
	// Subscribers is the number of active subscribers now.
	Subscribers int
	// Days are the days with changes, in any order; a day may come more than
	// once (its figures are added) and days without a row count zero.
	Days []DayFigures
	// Issues are the issues sent From to To with their delivered counts and
	// unique readers who clicked.
	Issues []IssueRate
}

// DayFigures are one day of a publication's subscriber changes.
type DayFigures struct {
	Date         newsletter.Date `json:"date"`
	Subscribes   int             `json:"subscribes"`   // confirmed (or added) subscriptions
	Unsubscribes int             `json:"unsubscribes"` // subscribers who left
	Bounces      int             `json:"bounces"`      // subscribers removed for bouncing
}

// Net is the day's change in subscribers.
func (d DayFigures) Net() int { return d.Subscribes - d.Unsubscribes - d.Bounces }

// IssueRate is one issue's click rate.
type IssueRate struct {
	IssueID   int64           `json:"issue_id"`
	Date      newsletter.Date `json:"date"`
	Label     string          `json:"label"`
	Delivered int             `json:"delivered"`
	Readers   int64           `json:"readers"`    // unique readers who clicked
	ClickRate float64         `json:"click_rate"` // Readers / Delivered
}

// GrowthReport is a publication's subscriber growth and click rate per
// issue over a span of days.
type GrowthReport struct {
	Publication string          `json:"publication"`
	From        newsletter.Date `json:"from"`
	To          newsletter.Date `json:"to"`
	Subscribers int             `json:"subscribers"`
	// Days are every day From to To, in order.
	Days   []DayFigures `json:"days"`
	Totals DayFigures   `json:"totals"` // Date is zero
	// Issues are in date order.
	Issues []IssueRate `json:"issues"`
}

// NewGrowthReport lays the store's rows out day by day.
func NewGrowthReport(in GrowthInput) (*GrowthReport, error) {
	if in.To.Before(in.From) {
		return nil, fmt.Errorf("reports: growth from %s to %s: the end is before the start", in.From, in.To)
	}
	n := in.To.DaysSince(in.From) + 1
	if n > 3660 {
		return nil, fmt.Errorf("reports: growth from %s to %s: more than ten years", in.From, in.To)
	}
	g := &GrowthReport{Publication: in.Publication, From: in.From, To: in.To, Subscribers: in.Subscribers,
		Days: make([]DayFigures, n)}
	for i := range g.Days {
		g.Days[i].Date = in.From.AddDays(i)
	}
	for _, d := range in.Days {
		i := d.Date.DaysSince(in.From)
		if i < 0 || i >= n {
			continue
		}
		g.Days[i].Subscribes += d.Subscribes
		g.Days[i].Unsubscribes += d.Unsubscribes
		g.Days[i].Bounces += d.Bounces
		g.Totals.Subscribes += d.Subscribes
		g.Totals.Unsubscribes += d.Unsubscribes
		g.Totals.Bounces += d.Bounces
	}
	for _, is := range in.Issues {
		if is.Date.Before(in.From) || in.To.Before(is.Date) {
			continue
		}
		if is.Delivered > 0 {
			is.ClickRate = float64(is.Readers) / float64(is.Delivered)
		} else {
			is.ClickRate = 0
		}
		g.Issues = append(g.Issues, is)
	}
	sort.SliceStable(g.Issues, func(i, j int) bool { return g.Issues[i].Date.Before(g.Issues[j].Date) })
	return g, nil
}
