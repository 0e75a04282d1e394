package reports

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"testing"
)

// The CSV and the text say the figures of the report, link by link.
func TestIssueCSVAndText(t *testing.T) {
	r := NewIssueReport(sampleIssueInput(t))
	r.Links[2].Text = "=HYPERLINK(\"https://evil.example\")"
	var b bytes.Buffer
	if err := r.WriteLinksCSV(&b); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "link,url,text,article,clicks,readers,automatic_clicks" || len(rows) != len(r.Links)+1 {
		t.Fatalf("CSV header %v, %d rows", rows[0], len(rows))
	}
	for i, l := range r.Links {
		row := rows[i+1]
		if row[0] != strconv.Itoa(l.Index) || row[1] != l.URL || row[4] != strconv.FormatInt(l.Clicks, 10) ||
			row[5] != strconv.FormatInt(l.Readers, 10) || row[6] != strconv.FormatInt(l.Automatic, 10) || row[3] != l.Article {
			t.Errorf("CSV row %v for %+v", row, l)
		}
	}
	if rows[3][2] != "'"+r.Links[2].Text {
		t.Errorf("a formula in a link text: %q", rows[3][2])
	}

	b.Reset()
	if err := r.WriteHoursCSV(&b); err != nil {
		t.Fatal(err)
	}
	hours, _ := csv.NewReader(&b).ReadAll()
	if len(hours) != Hours+1 || hours[1][2] != "900" || hours[1][4] != "96" {
		t.Errorf("hours CSV %v", hours[:2])
	}

	b.Reset()
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	for _, want := range []string{
		"The Daily Planet — Volume 3, Number 153 — 2009-07-09",
		"Sent 2009-07-09 06:00 EDT to 1,000 subscribers: 990 delivered, 6 failed, 4 pending.",
		"Clicks: " + number(r.Clicks) + " by " + number(r.Readers) + " readers (" + percent(r.ClickRate) + " of delivered); 96 automatic clicks counted apart.",
		"Unsubscribes: 3. Bounces: 6.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	for _, l := range r.Links {
		line := ""
		for _, ln := range strings.Split(text, "\n") {
			if strings.HasPrefix(ln, strconv.Itoa(l.Index)+" ") {
				line = ln
			}
		}
		f := strings.Fields(line)
		if len(f) < 4 || f[len(f)-3] != number(l.Clicks) || f[len(f)-2] != number(l.Readers) || f[len(f)-1] != number(l.Automatic) ||
			!strings.Contains(text, "  "+l.URL+"\n") {
			t.Errorf("text line for link %d: %q", l.Index, line)
		}
	}
}

func TestGrowthCSVAndText(t *testing.T) {
	g, err := NewGrowthReport(sampleGrowthInput())
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := g.WriteDaysCSV(&b); err != nil {
		t.Fatal(err)
	}
	days, _ := csv.NewReader(&b).ReadAll()
	if len(days) != 91 || days[1][0] != g.From.String() || days[90][0] != "2009-07-09" {
		t.Fatalf("days CSV: %d rows, %v", len(days), days[1])
	}
	var net int
	for _, d := range days[1:] {
		n, _ := strconv.Atoi(d[4])
		net += n
	}
	if net != g.Totals.Net() {
		t.Errorf("the days' net %d, the total %d", net, g.Totals.Net())
	}
	b.Reset()
	if err := g.WriteIssuesCSV(&b); err != nil {
		t.Fatal(err)
	}
	issues, _ := csv.NewReader(&b).ReadAll()
	if len(issues) != len(g.Issues)+1 || issues[1][5] != rate(g.Issues[0].ClickRate) {
		t.Errorf("issues CSV %v", issues[:2])
	}
	b.Reset()
	if err := g.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "1,000 subscribers now;") || !strings.Contains(b.String(), percent(g.Issues[0].ClickRate)) {
		t.Errorf("text:\n%s", b.String())
	}
}

// Every chart is well-formed XML whose accessible name and description
// are the <title> and <desc> it points to, with text escaped.
func TestChartsWellFormed(t *testing.T) {
	in := sampleIssueInput(t)
	in.Links[0].Text = `<script>alert("x")</script> & more`
	r := NewIssueReport(in)
	g, err := NewGrowthReport(sampleGrowthInput())
	if err != nil {
		t.Fatal(err)
	}
	empty := NewIssueReport(IssueInput{IssueID: 7, Label: "Volume 1, Number 1"})
	emptyG, _ := NewGrowthReport(GrowthInput{From: g.From, To: g.To})
	for name, svg := range map[string]string{
		"timeline": r.TimelineSVG(), "links": r.LinksSVG(), "growth": g.GrowthSVG(), "rate": g.ClickRateSVG(),
		"empty timeline": empty.TimelineSVG(), "empty links": empty.LinksSVG(), "empty growth": emptyG.GrowthSVG(), "empty rate": emptyG.ClickRateSVG(),
	} {
		t.Run(name, func(t *testing.T) {
			ids := map[string]string{}
			var labelledBy string
			dec := xml.NewDecoder(strings.NewReader(svg))
			var inText string
			for {
				tok, err := dec.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("not well-formed: %v", err)
				}
				switch el := tok.(type) {
				case xml.StartElement:
					for _, a := range el.Attr {
						switch a.Name.Local {
						case "aria-labelledby":
							labelledBy = a.Value
						case "id":
							inText = a.Value
						}
					}
					if el.Name.Local == "script" {
						t.Error("a script element")
					}
				case xml.CharData:
					if inText != "" {
						ids[inText] = string(el)
						inText = ""
					}
				}
			}
			parts := strings.Fields(labelledBy)
			if len(parts) != 2 || ids[parts[0]] == "" || ids[parts[1]] == "" {
				t.Errorf("aria-labelledby %q does not name a title and a desc: %v", labelledBy, ids)
			}
			if !strings.Contains(svg, "prefers-color-scheme: dark") {
				t.Error("no dark scheme")
			}
		})
	}
	if !strings.Contains(r.LinksSVG(), "&lt;script&gt;") {
		t.Error("a link text was not escaped")
	}
}
