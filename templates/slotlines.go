package templates

import "strings"

// Span is one piece of a body split at line ends by Lines: either a run of
// whole lines without a slot (Text), or one line with slots (Line).
type Span struct {
	Text string    // literal lines; "" when Line is set
	Line *Compiled // one line with its slots, of the body's Kind; nil for literal text
}

// Lines splits the body at line ends ("\n") so that the parts a recipient
// changes are as small as whole lines: runs of lines without a slot, kept as
// they are, and each line that has slots, compiled on its own. Every span
// ends with "\n" but perhaps the body's last, and a Line span holds exactly
// one line. Filling the spans in order and concatenating them gives what
// Fill gives: a slot value never holds a line break (Fill makes those
// spaces), so a filled line is still one line. An encoder whose state is
// reset at every line end (quoted-printable, dot-stuffing) can thus encode
// the literal spans once per issue and only the Line spans per recipient.
func (c *Compiled) Lines() []Span {
	var (
		out  []Span
		line []segment // the line with slots being collected; nil outside one
	)
	closeLine := func() {
		n := 0
		for _, s := range line {
			n += len(s.lit)
		}
		out = append(out, Span{Line: &Compiled{kind: c.kind, segments: line, size: n}})
		line = nil
	}
	for _, s := range c.segments {
		lit := s.lit
		if line != nil {
			// lit continues the line with slots up to its first line end.
			j := strings.IndexByte(lit, '\n')
			if j < 0 {
				line = append(line, s)
				continue
			}
			line = append(line, segment{lit: lit[:j+1]})
			closeLine()
			lit = lit[j+1:]
		}
		if s.slot == slotLiteral { // the body's last segment
			if lit != "" {
				out = append(out, Span{Text: lit})
			}
			continue
		}
		// The text after lit's last line end starts the slot's line.
		k := strings.LastIndexByte(lit, '\n') + 1
		if k > 0 {
			out = append(out, Span{Text: lit[:k]})
		}
		line = []segment{{lit: lit[k:], slot: s.slot}}
	}
	if line != nil {
		closeLine() // the body's last line has a slot and no line end
	}
	return out
}
