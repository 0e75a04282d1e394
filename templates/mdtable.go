package templates

import (
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
)

// table writes a GFM table with aligned columns when it fits in width, and
// otherwise as one "Header: value" record per row.
func (w *textWriter) table(t ast.Node, width int) []string {
	var rows [][]string
	for r := t.FirstChild(); r != nil; r = r.NextSibling() {
		var cells []string
		for c := r.FirstChild(); c != nil; c = c.NextSibling() {
			cells = append(cells, strings.Join(strings.Fields(w.inline(c)), " "))
		}
		rows = append(rows, cells)
	}
	if len(rows) == 0 {
		return nil
	}
	cols := 0
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	widths := make([]int, cols)
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	total := 3 * (cols - 1)
	for _, n := range widths {
		total += n
	}
	if total <= width {
		return alignedTable(rows, widths)
	}
	var out []string
	header := rows[0]
	for _, r := range rows[1:] {
		if len(out) > 0 {
			out = append(out, "")
		}
		for i, c := range r {
			label := ""
			if i < len(header) && header[i] != "" {
				label = header[i] + ": "
			}
			out = append(out, strings.Split(hang(label, c, width), "\n")...)
		}
	}
	return out
}

func alignedTable(rows [][]string, widths []int) []string {
	line := func(cells []string) string {
		var b strings.Builder
		for i, n := range widths {
			c := ""
			if i < len(cells) {
				c = cells[i]
			}
			if i > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(c)
			b.WriteString(strings.Repeat(" ", n-utf8.RuneCountInString(c)))
		}
		return strings.TrimRight(b.String(), " ")
	}
	out := []string{line(rows[0])}
	var rule []string
	for _, n := range widths {
		rule = append(rule, strings.Repeat("-", n))
	}
	out = append(out, strings.Join(rule, "-+-"))
	for _, r := range rows[1:] {
		out = append(out, line(r))
	}
	return out
}
