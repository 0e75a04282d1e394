package reports

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"
)

// writeCSV writes a header and rows, and reports any write error.
func writeCSV(w io.Writer, header []string, rows [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write(r); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// defuse keeps a spreadsheet from reading a text cell as a formula: link
// texts come from articles, and articles from feeds.
func defuse(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

func itoa[T int | int64](n T) string { return strconv.FormatInt(int64(n), 10) }

// rate writes a click rate as a fraction with four decimals.
func rate(f float64) string { return strconv.FormatFloat(f, 'f', 4, 64) }

// WriteLinksCSV writes one row per link: link, url, text, article, clicks,
// readers, automatic_clicks (what `masthead issue report --format csv`
// prints).
func (r *IssueReport) WriteLinksCSV(w io.Writer) error {
	rows := make([][]string, 0, len(r.Links))
	for _, l := range r.Links {
		rows = append(rows, []string{itoa(l.Index), defuse(l.URL), defuse(l.Text), defuse(l.Article),
			itoa(l.Clicks), itoa(l.Readers), itoa(l.Automatic)})
	}
	return writeCSV(w, []string{"link", "url", "text", "article", "clicks", "readers", "automatic_clicks"}, rows)
}

// WriteHoursCSV writes the timeline: hour (since sending began), start
// (RFC 3339, UTC), delivered, clicks, automatic_clicks.
func (r *IssueReport) WriteHoursCSV(w io.Writer) error {
	rows := make([][]string, 0, len(r.Hours))
	for _, h := range r.Hours {
		rows = append(rows, []string{itoa(h.Offset), h.Start.UTC().Format(time.RFC3339), itoa(h.Delivered),
			itoa(h.Clicks), itoa(h.Automatic)})
	}
	return writeCSV(w, []string{"hour", "start", "delivered", "clicks", "automatic_clicks"}, rows)
}

// WriteDaysCSV writes one row per day: date, subscribes, unsubscribes,
// bounces, net.
func (g *GrowthReport) WriteDaysCSV(w io.Writer) error {
	rows := make([][]string, 0, len(g.Days))
	for _, d := range g.Days {
		rows = append(rows, []string{d.Date.String(), itoa(d.Subscribes), itoa(d.Unsubscribes), itoa(d.Bounces), itoa(d.Net())})
	}
	return writeCSV(w, []string{"date", "subscribes", "unsubscribes", "bounces", "net"}, rows)
}

// WriteIssuesCSV writes one row per issue: date, issue, label, delivered,
// readers, click_rate (a fraction).
func (g *GrowthReport) WriteIssuesCSV(w io.Writer) error {
	rows := make([][]string, 0, len(g.Issues))
	for _, is := range g.Issues {
		rows = append(rows, []string{is.Date.String(), itoa(is.IssueID), defuse(is.Label), itoa(is.Delivered),
			itoa(is.Readers), rate(is.ClickRate)})
	}
	return writeCSV(w, []string{"date", "issue", "label", "delivered", "readers", "click_rate"}, rows)
}
