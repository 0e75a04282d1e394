package reports

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// table lays out rows in columns for a terminal: the first column left
// aligned, the others right aligned, two spaces apart.
type table struct {
	header []string
	rows   [][]string
	left   int // columns 0..left-1 are left aligned
}

func (t *table) write(w *strings.Builder) {
	widths := make([]int, len(t.header))
	for _, r := range append([][]string{t.header}, t.rows...) {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	line := func(r []string) {
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if i < t.left {
				b.WriteString(c + pad)
			} else {
				b.WriteString(pad + c)
			}
		}
		w.WriteString(strings.TrimRight(b.String(), " ") + "\n")
	}
	line(t.header)
	for _, r := range t.rows {
		line(r)
	}
}

// textCell makes a value safe for one line of a terminal: no control
// characters (a link text could carry escape sequences), at most n runes.
func textCell(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) > n {
		r := []rune(s)
		s = string(r[:n-1]) + "…"
	}
	return s
}

// WriteText writes the report for a terminal (`masthead issue report
// --format text`): the headline figures, then each link with its URL,
// clicks, unique readers and automatic clicks, then the hours that had any.
func (r *IssueReport) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s — %s — %s\n", textCell(r.Publication, 60), r.Label, r.Date)
	if r.SentAt.IsZero() {
		b.WriteString("Not sent.\n")
	} else {
		fmt.Fprintf(&b, "Sent %s to %s: %s delivered, %s failed, %s pending.\n",
			r.SentAt.In(r.location).Format("2006-01-02 15:04 MST"), plural(r.Deliveries.Recipients, "subscriber", "subscribers"),
			number(r.Deliveries.Delivered), number(r.Deliveries.Failed), number(r.Deliveries.Pending))
	}
	fmt.Fprintf(&b, "Clicks: %s by %s (%s of delivered); %s counted apart.\n",
		number(r.Clicks), plural(r.Readers, "reader", "readers"), percent(r.ClickRate),
		plural(r.Automatic, "automatic click", "automatic clicks"))
	if r.Opens != nil {
		fmt.Fprintf(&b, "Opens (inflated by Apple Mail Privacy Protection): %s by %s; %s.\n",
			number(r.Opens.Opens), plural(r.Opens.Readers, "reader", "readers"),
			plural(r.Opens.Automatic, "automatic open", "automatic opens"))
	}
	fmt.Fprintf(&b, "Unsubscribes: %s. Bounces: %s.\n\n", number(r.Unsubscribes), number(r.Bounces))

	if len(r.Links) == 0 {
		b.WriteString("No tracked links.\n")
	} else {
		t := &table{header: []string{"#", "link", "clicks", "readers", "automatic"}, left: 2}
		for _, l := range r.Links {
			text := l.Text
			if l.Article != "" && l.Article != l.Text {
				text += " (" + l.Article + ")"
			}
			t.rows = append(t.rows, []string{itoa(l.Index), textCell(text, 50), number(l.Clicks), number(l.Readers), number(l.Automatic)},
				[]string{"", "  " + textCell(l.URL, 200), "", "", ""})
		}
		t.write(&b)
	}

	var hours [][]string
	for _, h := range r.Hours {
		if h.Delivered > 0 || h.Clicks > 0 || h.Automatic > 0 {
			hours = append(hours, []string{fmt.Sprintf("%dh", h.Offset), h.Start.In(r.location).Format("Mon 15:04"),
				number(h.Delivered), number(h.Clicks), number(h.Automatic)})
		}
	}
	if len(hours) > 0 {
		b.WriteString("\nFirst 48 hours (hours with activity):\n")
		(&table{header: []string{"hour", "from", "delivered", "clicks", "automatic"}, rows: hours, left: 2}).write(&b)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteText writes the growth report for a terminal: the totals, the days
// with changes, and each issue's click rate.
func (g *GrowthReport) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s — %s to %s\n", textCell(g.Publication, 60), g.From, g.To)
	fmt.Fprintf(&b, "%s now; %s, %s, %s: net %+d.\n\n", plural(g.Subscribers, "subscriber", "subscribers"),
		plural(g.Totals.Subscribes, "subscribe", "subscribes"), plural(g.Totals.Unsubscribes, "unsubscribe", "unsubscribes"),
		plural(g.Totals.Bounces, "bounce", "bounces"), g.Totals.Net())
	t := &table{header: []string{"date", "subscribes", "unsubscribes", "bounces", "net"}, left: 1}
	for _, d := range g.Days {
		if d.Subscribes != 0 || d.Unsubscribes != 0 || d.Bounces != 0 {
			t.rows = append(t.rows, []string{d.Date.String(), number(d.Subscribes), number(d.Unsubscribes), number(d.Bounces), fmt.Sprintf("%+d", d.Net())})
		}
	}
	if len(t.rows) == 0 {
		b.WriteString("No subscriber changes.\n")
	} else {
		t.write(&b)
	}
	b.WriteString("\n")
	if len(g.Issues) == 0 {
		b.WriteString("No issues sent.\n")
	} else {
		it := &table{header: []string{"date", "issue", "delivered", "readers", "click rate"}, left: 2}
		for _, is := range g.Issues {
			it.rows = append(it.rows, []string{is.Date.String(), textCell(is.Label, 40), number(is.Delivered), number(is.Readers), percent(is.ClickRate)})
		}
		it.write(&b)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
