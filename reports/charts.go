package reports

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// TimelineSVG charts an issue's first 48 hours: deliveries per hour above,
// readers' and automatic clicks per hour below.
func (r *IssueReport) TimelineSVG() string {
	const height = 410
	title := "Deliveries and clicks, first 48 hours"
	d := newSVG("mhc-timeline-"+strconv.FormatInt(r.IssueID, 10), height, title, r.timelineDesc())
	d.legend(16, 50, [2]string{"mhc-deliv", "Delivered"}, [2]string{"mhc-human", "Readers' clicks"},
		[2]string{"mhc-auto", "Automatic clicks (scanners, left out of the figures)"})

	labels := make([]string, Hours)
	deliv := make([]float64, Hours)
	human := make([]float64, Hours)
	auto := make([]float64, Hours)
	for i, h := range r.Hours {
		labels[i] = strconv.Itoa(h.Offset) + "h"
		deliv[i], human[i], auto[i] = float64(h.Delivered), float64(h.Clicks), float64(h.Automatic)
	}
	hourTip := func(i int, what string, n float64) string {
		return fmt.Sprintf("Hour %d (from %s): %s %s", i, r.Hours[i].Start.In(r.location).Format("Mon 15:04"),
			number(int64(n)), what)
	}
	d.text("mhc-fg", 16, 78, "start", "Delivered per hour")
	(&barPanel{x: 64, y: 88, w: chartWidth - 84, h: 90, labels: labels, ticks: 2, yLabel: countLabel,
		series: []barSeries{{class: "mhc-deliv", values: deliv, tip: func(i int) string { return hourTip(i, "delivered", deliv[i]) }}},
	}).draw(d)
	d.text("mhc-fg", 16, 214, "start", "Clicks per hour")
	(&barPanel{x: 64, y: 224, w: chartWidth - 84, h: 130, labels: labels, every: 6, ticks: 3, yLabel: countLabel,
		series: []barSeries{
			{class: "mhc-human", values: human, tip: func(i int) string { return hourTip(i, "readers' clicks", human[i]) }},
			{class: "mhc-auto", values: auto, tip: func(i int) string { return hourTip(i, "automatic clicks", auto[i]) }},
		}}).draw(d)
	caption := "Hours since sending began"
	if !r.SentAt.IsZero() {
		caption += " (" + r.SentAt.In(r.location).Format("Mon Jan 2, 15:04 MST") + ")"
	}
	d.text("mhc-muted", chartWidth/2, height-14, "middle", caption)
	return d.String()
}

func countLabel(v float64) string { return number(int64(math.Round(v))) }

func (r *IssueReport) timelineDesc() string {
	if r.SentAt.IsZero() {
		return r.Label + " has not been sent."
	}
	var firstHour int
	if len(r.Hours) > 0 {
		firstHour = r.Hours[0].Delivered
	}
	peak := 0
	for i, h := range r.Hours {
		if h.Clicks > r.Hours[peak].Clicks {
			peak = i
		}
	}
	s := fmt.Sprintf("%s, sending began %s. %s of %s delivered, %s in the first hour. %s by %s; %s counted apart.",
		r.Label, r.SentAt.In(r.location).Format("Monday, January 2, 2006 at 15:04 MST"),
		number(r.Deliveries.Delivered), number(r.Deliveries.Recipients), number(firstHour),
		plural(r.Clicks, "click by a reader", "clicks by readers"), plural(r.Readers, "reader", "readers"),
		plural(r.Automatic, "automatic click", "automatic clicks"))
	if r.Clicks > 0 {
		s += fmt.Sprintf(" Most clicks in hour %d: %s.", peak, number(r.Hours[peak].Clicks))
	}
	return s
}

// maxChartLinks is how many links the links chart shows; the table and the
// CSV have them all.
const maxChartLinks = 15

// LinksSVG charts the clicks on each link, the most clicked first:
// readers' clicks with the automatic ones after them, and the unique
// readers in the note.
func (r *IssueReport) LinksSVG() string {
	links := r.LinksByClicks()
	more := 0
	if len(links) > maxChartLinks {
		more = len(links) - maxChartLinks
		links = links[:maxChartLinks]
	}
	const rowH = 26
	height := 76 + max(len(links), 1)*rowH
	if more > 0 {
		height += 20
	}
	var desc strings.Builder
	fmt.Fprintf(&desc, "Clicks on the %s of %s.", plural(len(r.Links), "link", "links"), r.Label)
	c := &hbars{x: 16, y: 64, w: chartWidth - 32, labelW: 220, noteW: 240, rowH: rowH,
		classes: []string{"mhc-human", "mhc-auto"}}
	for i, l := range links {
		label := l.Text
		if label == "" {
			label = shortURL(l.URL)
		}
		note := plural(l.Clicks, "click", "clicks") + " · " + plural(l.Readers, "reader", "readers")
		if l.Automatic > 0 {
			note += " · " + number(l.Automatic) + " auto"
		}
		c.rows = append(c.rows, hbarRow{label: label, values: []float64{float64(l.Clicks), float64(l.Automatic)},
			tips: []string{
				fmt.Sprintf("%s (%s): %s by %s", label, l.URL, plural(l.Clicks, "click", "clicks"), plural(l.Readers, "reader", "readers")),
				fmt.Sprintf("%s: %s", label, plural(l.Automatic, "automatic click", "automatic clicks")),
			}, note: note})
		c.maxValue = math.Max(c.maxValue, float64(l.Clicks+l.Automatic))
		if i < 5 {
			fmt.Fprintf(&desc, " %s: %s by %s, %s automatic.", label, plural(l.Clicks, "click", "clicks"),
				plural(l.Readers, "reader", "readers"), number(l.Automatic))
		}
	}
	d := newSVG("mhc-links-"+strconv.FormatInt(r.IssueID, 10), height, "Clicks per link", desc.String())
	d.legend(16, 50, [2]string{"mhc-human", "Readers' clicks"}, [2]string{"mhc-auto", "Automatic clicks"})
	if len(c.rows) == 0 {
		d.text("mhc-muted", 16, 64+rowH/2+4, "start", "This issue has no tracked links.")
	}
	c.draw(d)
	if more > 0 {
		d.text("mhc-muted", 16, float64(height-12), "start", fmt.Sprintf("and %s (see the table)", plural(more, "more link", "more links")))
	}
	return d.String()
}

// shortURL is a URL without its scheme, for a label.
func shortURL(u string) string {
	if _, rest, ok := strings.Cut(u, "://"); ok {
		return rest
	}
	return u
}

// GrowthSVG charts subscribes above and unsubscribes and bounces below the
// line, per day.
func (g *GrowthReport) GrowthSVG() string {
	const height = 320
	n := len(g.Days)
	labels := make([]string, n)
	subs, unsubs, bounces := make([]float64, n), make([]float64, n), make([]float64, n)
	for i, day := range g.Days {
		labels[i] = day.Date.Time(time.UTC).Format("Jan 2")
		subs[i], unsubs[i], bounces[i] = float64(day.Subscribes), float64(day.Unsubscribes), float64(day.Bounces)
	}
	tip := func(i int, what string, v float64) string {
		return fmt.Sprintf("%s: %s %s", g.Days[i].Date.Long(), number(int64(v)), what)
	}
	desc := fmt.Sprintf("%s, %s to %s: %s, %s, %s; net %+d. %s now.", g.Publication, g.From.Long(), g.To.Long(),
		plural(g.Totals.Subscribes, "subscribe", "subscribes"), plural(g.Totals.Unsubscribes, "unsubscribe", "unsubscribes"),
		plural(g.Totals.Bounces, "bounce", "bounces"), g.Totals.Net(), plural(g.Subscribers, "subscriber", "subscribers"))
	d := newSVG("mhc-growth", height, "Subscribers: joined and left per day", desc)
	d.legend(16, 50, [2]string{"mhc-sub", "Subscribed"}, [2]string{"mhc-unsub", "Unsubscribed"}, [2]string{"mhc-bounce", "Bounced"})
	(&barPanel{x: 64, y: 70, w: chartWidth - 84, h: 210, labels: labels, every: labelEvery(n, 7), ticks: 3, yLabel: countLabel,
		series: []barSeries{
			{class: "mhc-sub", values: subs, tip: func(i int) string { return tip(i, "subscribed", subs[i]) }},
			{class: "mhc-unsub", values: unsubs, down: true, tip: func(i int) string { return tip(i, "unsubscribed", unsubs[i]) }},
			{class: "mhc-bounce", values: bounces, down: true, tip: func(i int) string { return tip(i, "bounced", bounces[i]) }},
		}}).draw(d)
	return d.String()
}

// ClickRateSVG charts each issue's click rate: unique readers who clicked
// per delivered message.
func (g *GrowthReport) ClickRateSVG() string {
	const height = 270
	n := len(g.Issues)
	labels := make([]string, n)
	rates := make([]float64, n)
	var sum float64
	for i, is := range g.Issues {
		labels[i] = is.Date.Time(time.UTC).Format("Jan 2")
		rates[i] = is.ClickRate
		sum += is.ClickRate
	}
	desc := fmt.Sprintf("%s: click rate of %s from %s to %s.", g.Publication, plural(n, "issue", "issues"), g.From.Long(), g.To.Long())
	if n > 0 {
		desc += " Mean " + percent(sum/float64(n)) + "; latest " + percent(rates[n-1]) + "."
	}
	d := newSVG("mhc-rate", height, "Click rate per issue", desc)
	d.text("mhc-muted", 16, 50, "start", "Unique readers who clicked, per message delivered")
	if n == 0 {
		d.text("mhc-muted", chartWidth/2, 150, "middle", "No issue was sent in these days.")
		return d.String()
	}
	(&barPanel{x: 64, y: 70, w: chartWidth - 84, h: 160, labels: labels, every: labelEvery(n, 10), ticks: 3,
		yLabel: func(v float64) string { return percent(v) },
		series: []barSeries{{class: "mhc-rate", values: rates, tip: func(i int) string {
			is := g.Issues[i]
			return fmt.Sprintf("%s, %s: %s (%s of %s)", is.Date.Long(), is.Label, percent(is.ClickRate),
				number(is.Readers), number(is.Delivered))
		}}}}).draw(d)
	return d.String()
}

// labelEvery spaces about most labels over n categories.
func labelEvery(n, most int) int {
	return max(1, int(math.Ceil(float64(n)/float64(most))))
}
