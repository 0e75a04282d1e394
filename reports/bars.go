package reports

import "math"

// barSeries is one stacked series of a bar panel; down series are drawn
// below the baseline.
type barSeries struct {
	class  string
	values []float64
	down   bool
	tip    func(i int) string // the tooltip of category i's bar
}

// barPanel is a vertical bar chart of categories (hours, days, issues) in a
// rectangle of the chart.
type barPanel struct {
	x, y, w, h float64 // the plot area
	labels     []string
	every      int // an x label every this many categories (first one included)
	series     []barSeries
	yLabel     func(v float64) string
	ticks      int // about how many gridlines above the baseline
}

func (p *barPanel) draw(d *svgDoc) {
	n := len(p.labels)
	if n == 0 {
		return
	}
	up, down := 0.0, 0.0
	for i := range n {
		u, dn := 0.0, 0.0
		for _, s := range p.series {
			if s.down {
				dn += s.values[i]
			} else {
				u += s.values[i]
			}
		}
		up, down = math.Max(up, u), math.Max(down, dn)
	}
	ticks := max(p.ticks, 2)
	step := niceStep(math.Max(up, down), ticks)
	top := math.Max(math.Ceil(up/step), 1) * step
	bottom := math.Ceil(down/step) * step
	scale := p.h / (top + bottom)
	base := p.y + top*scale

	// Gridlines and their labels.
	for v := -bottom; v <= top+step/2; v += step {
		y := base - v*scale
		class := "mhc-grid"
		if v == 0 {
			class = "mhc-axis"
		}
		d.line(class, p.x, y, p.x+p.w, y)
		d.text("mhc-muted", p.x-6, y+4, "end", p.yLabel(math.Abs(v)))
	}

	slot := p.w / float64(n)
	bw := math.Max(slot*0.72, 1)
	for i := range n {
		x := p.x + float64(i)*slot + (slot-bw)/2
		yu, yd := base, base
		for _, s := range p.series {
			v := s.values[i] * scale
			if v <= 0 {
				continue
			}
			tip := ""
			if s.tip != nil {
				tip = s.tip(i)
			}
			if s.down {
				d.rect(s.class, x, yd, bw, v, tip)
				yd += v
			} else {
				yu -= v
				d.rect(s.class, x, yu, bw, v, tip)
			}
		}
		if p.every > 0 && i%p.every == 0 {
			lx := p.x + float64(i)*slot + slot/2
			d.line("mhc-axis", lx, base, lx, base+4)
			anchor, tx := "middle", lx
			if half := float64(len(p.labels[i])) * charWidth / 2; lx+half > p.x+p.w+8 {
				anchor, tx = "end", p.x+p.w+8 // the last label stays inside the chart
			}
			d.text("mhc-muted", tx, p.y+p.h+16, anchor, p.labels[i])
		}
	}
}

// hbarRow is one row of a horizontal bar chart: a label and stacked
// values, with a note after the bar.
type hbarRow struct {
	label  string
	values []float64
	tips   []string
	note   string
}

// hbars is a horizontal bar chart: one row per item.
type hbars struct {
	x, y, w  float64 // top left of the rows and the full width
	labelW   float64 // width of the label column
	noteW    float64 // width kept for the notes
	rowH     float64
	classes  []string // class of each stacked value
	rows     []hbarRow
	maxValue float64
}

func (c *hbars) draw(d *svgDoc) {
	barX := c.x + c.labelW + 8
	barW := c.w - c.labelW - 8 - c.noteW
	top := math.Max(c.maxValue, 1)
	for i, r := range c.rows {
		y := c.y + float64(i)*c.rowH
		d.text("mhc-fg", c.x, y+c.rowH/2+4, "start", fit(r.label, c.labelW))
		x := barX
		for j, v := range r.values {
			w := v / top * barW
			tip := ""
			if j < len(r.tips) {
				tip = r.tips[j]
			}
			d.rect(c.classes[j], x, y+4, w, c.rowH-8, tip)
			x += w
		}
		d.text("mhc-muted", x+6, y+c.rowH/2+4, "start", r.note)
	}
	d.line("mhc-axis", barX, c.y, barX, c.y+float64(len(c.rows))*c.rowH)
}
