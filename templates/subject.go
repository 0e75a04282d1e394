package templates

import (
	"fmt"
	"strconv"
	"strings"
)

// DefaultSubject is the subject template of a publication that has none of
// its own: the lead headline first, which is what makes an issue worth
// opening in a list of them, then the paper and its numbers. An issue with
// no headline to lead with falls back to FallbackSubject.
const DefaultSubject = "{headline} — {name}, Vol. {volume} No. {number}"

// FallbackSubject is the subject of an issue without articles (an extra
// just created, a notice): "The Daily Planet — Thursday, July 9, 2009
// (Vol. 3, No. 153)".
const FallbackSubject = "{name} — {date} (Vol. {volume}, No. {number})"

// subjectFields are the placeholders a subject template may use.
var subjectFields = []string{"headline", "name", "date", "isodate", "volume", "number", "edition"}

// CheckSubject reports whether tmpl is a subject template: text with
// placeholders among {headline}, {name}, {date} ("Thursday, July 9,
// 2009"), {isodate}, {volume}, {number} ("153", "153-B" for an extra) and
// {edition} (an extra's name, "" for the daily issue). The error names the
// unknown or unclosed placeholder.
func CheckSubject(tmpl string) error {
	_, err := expandSubject(tmpl, func(string) string { return "" })
	return err
}

// Subject is iss's subject line from tmpl ("" for DefaultSubject). An
// extra's name leads a subject whose template does not place {edition}
// itself ("Breaking news: ..."). A template that does not check returns the
// fallback, which always does.
func Subject(iss *Issue, tmpl string) string {
	if tmpl == "" {
		tmpl = DefaultSubject
	}
	if len(iss.Articles) == 0 || strings.TrimSpace(iss.Articles[0].Title) == "" {
		if strings.Contains(tmpl, "{headline}") {
			tmpl = FallbackSubject
		}
	}
	if iss.Edition != "" && !strings.Contains(tmpl, "{edition}") {
		tmpl = "{edition}: " + tmpl
	}
	s, err := expandSubject(tmpl, func(field string) string { return iss.subjectField(field) })
	if err != nil {
		s, _ = expandSubject(FallbackSubject, func(field string) string { return iss.subjectField(field) })
	}
	return strings.Join(strings.Fields(s), " ")
}

func (iss *Issue) subjectField(field string) string {
	switch field {
	case "headline":
		if len(iss.Articles) > 0 {
			return iss.Articles[0].Title
		}
	case "name":
		return iss.PublicationName
	case "date":
		return iss.Date
	case "isodate":
		return iss.ISODate
	case "volume":
		return strconv.Itoa(iss.Volume)
	case "number":
		if iss.Mark != "" {
			return fmt.Sprintf("%d-%s", iss.Number, iss.Mark)
		}
		return strconv.Itoa(iss.Number)
	case "edition":
		return iss.Edition
	}
	return ""
}

// expandSubject replaces each {field} of tmpl with value(field).
func expandSubject(tmpl string, value func(string) string) (string, error) {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String(), nil
		}
		b.WriteString(tmpl[:i])
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("%q is not closed with }", tmpl[i:])
		}
		field := tmpl[i+1 : i+j]
		known := false
		for _, f := range subjectFields {
			known = known || f == field
		}
		if !known {
			return "", fmt.Errorf("unknown placeholder {%s} (known: {%s})", field, strings.Join(subjectFields, "}, {"))
		}
		b.WriteString(value(field))
		tmpl = tmpl[i+j+1:]
	}
}
