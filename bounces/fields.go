package bounces

import (
	"strings"
)

// fields is one block of "Name: value" lines: the per-message or one
// per-recipient block of a delivery-status part (RFC 3464 2.1), a feedback
// report (RFC 5965 3.1), or a message header. Names are lower case.
type fields []field

type field struct{ name, value string }

// get returns the first value of a field, or "".
func (fs fields) get(name string) string {
	for _, f := range fs {
		if f.name == name {
			return f.value
		}
	}
	return ""
}

// all returns every value of a field.
func (fs fields) all(name string) []string {
	var out []string
	for _, f := range fs {
		if f.name == name {
			out = append(out, f.value)
		}
	}
	return out
}

// parseFields splits b into blocks of fields separated by blank lines
// (only the first block when first is set: a message's header). It is
// lenient where real reports are sloppy: bare LF line ends, blank lines
// before the first block, lines that are not fields (skipped), folded
// lines (joined with a space).
func parseFields(b []byte, first bool) []fields {
	var out []fields
	var cur fields
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimRight(line, "\r")
		switch {
		case strings.TrimSpace(line) == "":
			if len(cur) > 0 {
				out = append(out, cur)
				cur = nil
				if first {
					return out
				}
			}
		case line[0] == ' ' || line[0] == '\t':
			if len(cur) > 0 {
				cur[len(cur)-1].value += " " + strings.TrimSpace(line)
			}
		default:
			name, value, ok := strings.Cut(line, ":")
			if !ok || strings.ContainsAny(name, " \t") {
				continue
			}
			cur = append(cur, field{strings.ToLower(name), strings.TrimSpace(value)})
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// addressOf takes the address out of a recipient field value such as
// "rfc822; jane@example.org", "rfc822;<jane@example.org>" or
// "jane@example.org (Jane)".
func addressOf(v string) string {
	v = strings.TrimSpace(v)
	if typ, rest, ok := strings.Cut(v, ";"); ok && !strings.Contains(typ, "@") {
		v = rest
	}
	for { // drop (comments)
		i := strings.IndexByte(v, '(')
		j := strings.IndexByte(v, ')')
		if i < 0 || j < i {
			break
		}
		v = v[:i] + v[j+1:]
	}
	if i, j := strings.IndexByte(v, '<'), strings.LastIndexByte(v, '>'); i >= 0 && j > i {
		v = v[i+1 : j]
	}
	v = strings.TrimSpace(v)
	if f := strings.Fields(v); len(f) > 0 {
		v = f[0]
	}
	if !strings.Contains(v, "@") {
		return ""
	}
	return v
}

// oneLine makes a field value fit for a history line: one line, its runs of
// white space one space each (the store cuts what it keeps to its length).
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
