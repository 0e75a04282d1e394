package reports

import (
	"html"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Chart geometry, in SVG user units (pixels at 100%).
const (
	chartWidth = 720
	fontSize   = 12
	charWidth  = 6.6 // average advance of the sans-serif font at fontSize
)

// chartStyle colours the charts for light mode and, by
// prefers-color-scheme, dark mode. Every selector is under svg.mhc so that
// an inline chart's style touches nothing else on the page. The series
// colours keep 3:1 contrast with the background in both schemes.
const chartStyle = `svg.mhc{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;font-size:12px}
svg.mhc .mhc-bg{fill:#ffffff}
svg.mhc .mhc-fg{fill:#1f2328}
svg.mhc .mhc-muted{fill:#59636e}
svg.mhc .mhc-grid{stroke:#d8dee4;stroke-width:1}
svg.mhc .mhc-axis{stroke:#818b98;stroke-width:1}
svg.mhc .mhc-deliv{fill:#8250df}
svg.mhc .mhc-human{fill:#0969da}
svg.mhc .mhc-auto{fill:#8c959f}
svg.mhc .mhc-sub{fill:#1a7f37}
svg.mhc .mhc-unsub{fill:#cf222e}
svg.mhc .mhc-bounce{fill:#9a6700}
svg.mhc .mhc-rate{fill:#0969da}
svg.mhc .mhc-title{font-size:14px;font-weight:600}
@media (prefers-color-scheme: dark){
svg.mhc .mhc-bg{fill:#0d1117}
svg.mhc .mhc-fg{fill:#e6edf3}
svg.mhc .mhc-muted{fill:#9198a1}
svg.mhc .mhc-grid{stroke:#30363d}
svg.mhc .mhc-axis{stroke:#656c76}
svg.mhc .mhc-deliv{fill:#ab7df8}
svg.mhc .mhc-human{fill:#4493f8}
svg.mhc .mhc-auto{fill:#6e7681}
svg.mhc .mhc-sub{fill:#3fb950}
svg.mhc .mhc-unsub{fill:#f85149}
svg.mhc .mhc-bounce{fill:#d29922}
svg.mhc .mhc-rate{fill:#4493f8}
}`

// svgDoc writes one chart.
type svgDoc struct {
	b strings.Builder
}

// newSVG starts a chart of the given height with its accessible name
// (title) and description; id makes the ids of title and desc unique on a
// page that shows several charts.
func newSVG(id string, height int, title, desc string) *svgDoc {
	d := &svgDoc{}
	h := strconv.Itoa(height)
	w := strconv.Itoa(chartWidth)
	d.b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" class="mhc" viewBox="0 0 ` + w + ` ` + h +
		`" width="` + w + `" height="` + h + `" role="img" aria-labelledby="` + id + `-title ` + id + `-desc">`)
	d.b.WriteString(`<title id="` + id + `-title">` + esc(title) + `</title>`)
	d.b.WriteString(`<desc id="` + id + `-desc">` + esc(desc) + `</desc>`)
	d.b.WriteString(`<style>` + chartStyle + `</style>`)
	d.b.WriteString(`<rect class="mhc-bg" width="` + w + `" height="` + h + `" rx="6"/>`)
	d.text("mhc-fg mhc-title", 16, 24, "start", title)
	return d
}

func esc(s string) string { return html.EscapeString(s) }

func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// rect draws a rectangle with a tooltip (an SVG <title>, shown on hover
// without script).
func (d *svgDoc) rect(class string, x, y, w, h float64, tip string) {
	if w <= 0 || h <= 0 {
		return
	}
	d.b.WriteString(`<rect class="` + class + `" x="` + num(x) + `" y="` + num(y) + `" width="` + num(w) +
		`" height="` + num(h) + `">`)
	if tip != "" {
		d.b.WriteString(`<title>` + esc(tip) + `</title>`)
	}
	d.b.WriteString(`</rect>`)
}

func (d *svgDoc) line(class string, x1, y1, x2, y2 float64) {
	d.b.WriteString(`<line class="` + class + `" x1="` + num(x1) + `" y1="` + num(y1) + `" x2="` + num(x2) +
		`" y2="` + num(y2) + `"/>`)
}

// text writes s at (x, y); anchor is start, middle or end.
func (d *svgDoc) text(class string, x, y float64, anchor, s string) {
	d.b.WriteString(`<text class="` + class + `" x="` + num(x) + `" y="` + num(y) + `" text-anchor="` + anchor + `">` +
		esc(s) + `</text>`)
}

// legend writes coloured squares with their names from (x, y), left to
// right.
func (d *svgDoc) legend(x, y float64, items ...[2]string) {
	for _, it := range items {
		d.rect(it[0], x, y-9, 10, 10, "")
		d.text("mhc-fg", x+14, y, "start", it[1])
		x += 14 + float64(utf8.RuneCountInString(it[1]))*charWidth + 18
	}
}

// String ends the chart and returns it.
func (d *svgDoc) String() string { return d.b.String() + `</svg>` }

// fit cuts s to at most width units of text, with an ellipsis.
func fit(s string, width float64) string {
	max := int(width / charWidth)
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	if max < 2 {
		return "…"
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:max-1]), " ") + "…"
}

// ChartCSS is the charts' stylesheet, for pages whose Content-Security-Policy
// refuses the <style> inside an inline SVG (masthead's admin serves it as a
// file): the same rules, under the same svg.mhc selectors.
func ChartCSS() string { return chartStyle }
