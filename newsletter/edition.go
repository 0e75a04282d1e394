package newsletter

import (
	"fmt"
	"strconv"
	"strings"
)

// Extra editions: a date's issue beyond its daily one (breaking news). An
// extra shares the daily's date, volume and number and is told apart by its
// edition mark: the daily is edition 0 (mark "A", never shown), the first
// extra edition 1 (mark "B": "Number 153-B"), and so on. The number is not
// taken from the sequence, so the next day's issue is numbered as if the
// extra had not been: extras are numbered by mark only (see README, "Extra
// editions").

// MaxEdition is the highest extra edition of a date (mark "Z").
const MaxEdition = 25

// DefaultEditionTitle names an extra an editor did not name.
const DefaultEditionTitle = "Extra"

// maxEditionTitle bounds an extra's name.
const maxEditionTitle = 100

// IsExtra reports whether the issue is an extra edition, not the daily one.
func (i *Issue) IsExtra() bool { return i.Edition > 0 }

// EditionMark is the letter after the number of edition e ("B" for the
// first extra), "" for the daily issue.
func EditionMark(e int) string {
	if e <= 0 || e > MaxEdition {
		return ""
	}
	return string(rune('A' + e))
}

// NumberLabel is the issue's number with its edition mark: "153", "153-B".
func (i *Issue) NumberLabel() string {
	if m := EditionMark(i.Edition); m != "" {
		return fmt.Sprintf("%d-%s", i.Number, m)
	}
	return strconv.Itoa(i.Number)
}

// Ref names the issue among its publication's in addresses (the web
// archive, the admin pages): its date, "2009-07-09", and for an extra the
// date and edition, "2009-07-09-extra-1".
func (i *Issue) Ref() string { return EditionRef(i.Date, i.Edition) }

// EditionRef is the Ref of edition e of date d.
func EditionRef(d Date, e int) string {
	if e <= 0 {
		return d.String()
	}
	return fmt.Sprintf("%s-extra-%d", d, e)
}

// ParseRef reads a Ref: "2009-07-09" (the daily issue, edition 0) or
// "2009-07-09-extra-1".
func ParseRef(s string) (Date, int, error) {
	day, rest, _ := strings.Cut(s, "-extra-")
	if len(s) > 10 && day == s {
		return Date{}, 0, fmt.Errorf("issue %q: want YYYY-MM-DD or YYYY-MM-DD-extra-N", s)
	}
	d, err := ParseDate(day)
	if err != nil {
		return Date{}, 0, err
	}
	if day == s {
		return d, 0, nil
	}
	e, err := ParseEdition(rest)
	if err != nil {
		return Date{}, 0, fmt.Errorf("issue %q: %w", s, err)
	}
	if e == 0 {
		return Date{}, 0, fmt.Errorf("issue %q: an extra edition is 1 to %d", s, MaxEdition)
	}
	return d, e, nil
}

// ParseEdition reads an edition number as editors give it: "0" the daily,
// "1" ... the extras; a mark ("B") is accepted too.
func ParseEdition(s string) (int, error) {
	s = strings.TrimSpace(s)
	if len(s) == 1 && s[0] >= 'A' && s[0] <= 'Z' {
		return int(s[0] - 'A'), nil
	}
	e, err := strconv.Atoi(s)
	if err != nil || e < 0 || e > MaxEdition {
		return 0, &FieldError{Field: "edition", Msg: fmt.Sprintf("%q is not an edition: want 0 (the daily issue) to %d, or a mark A to %s", s, MaxEdition, EditionMark(MaxEdition))}
	}
	return e, nil
}

// ExtraTitle checks and tidies an extra's name; "" gives DefaultEditionTitle.
func ExtraTitle(title string) (string, error) {
	title = strings.Join(strings.Fields(title), " ")
	if title == "" {
		return DefaultEditionTitle, nil
	}
	if len(title) > maxEditionTitle {
		return "", &FieldError{Field: "title", Msg: fmt.Sprintf("an edition's title is at most %d bytes", maxEditionTitle)}
	}
	return title, nil
}
