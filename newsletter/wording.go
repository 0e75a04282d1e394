package newsletter

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// How the email reads: a publication's wording, stored as one JSON value.
// The zero Wording reads as masthead always has: "Good morning", "by email
// every morning", "Back to the top" after each article, no "Go to top" after
// the headlines, typographic quotes.

// Greeting settings: GreetingNone leaves the greeting out, GreetingTime says
// "Good morning", "Good afternoon" or "Good evening" by the hour of the
// issue's send (GreetingFor); any other text is said as it is.
const (
	GreetingNone = "none"
	GreetingTime = "time"
)

// Defaults of the wording.
const (
	DefaultGreeting  = "Good morning"
	DefaultPromise   = "by email every morning"
	DefaultBackToTop = "Back to the top"
	DefaultGoToTop   = "Go to top"
	DefaultLanguage  = "en"
	maxWordingText   = 200
)

// Wording is a publication's words around the articles. Empty fields take
// their defaults (the Default* constants).
type Wording struct {
	// Greeting is GreetingNone, GreetingTime or a fixed text; the
	// recipient's name (", Alice") and a full stop follow it.
	Greeting string `json:"greeting,omitempty"`
	// Promise ends the web pages' "Get NAME ..." line.
	Promise string `json:"promise,omitempty"`
	// BackToTop is the link after each article; "none" leaves it out.
	BackToTop string `json:"back_to_top,omitempty"`
	// GoToTop adds a link after each headline, labelled GoToTopLabel.
	GoToTop      bool   `json:"go_to_top,omitempty"`
	GoToTopLabel string `json:"go_to_top_label,omitempty"`
	// StraightQuotes turns typographic quotes, dashes and ellipses off, in
	// bodies, headlines, decks and the tagline alike (so that the zero value
	// keeps them on).
	StraightQuotes bool `json:"straight_quotes,omitempty"`
}

// Typographic reports whether quotes are curled.
func (w Wording) Typographic() bool { return !w.StraightQuotes }

// GreetingText is the greeting said for an issue sent at t (in the
// publication's zone loc): "" for none.
func (w Wording) GreetingText(t time.Time, loc *time.Location) string {
	switch g := strings.TrimSpace(w.Greeting); strings.ToLower(g) {
	case "":
		return DefaultGreeting
	case GreetingNone:
		return ""
	case GreetingTime:
		return GreetingFor(t, loc)
	default:
		return g
	}
}

// GreetingFor is the greeting by time of day at t in loc: "Good morning"
// before noon, "Good afternoon" before 18:00, "Good evening" after.
func GreetingFor(t time.Time, loc *time.Location) string {
	switch h := t.In(loc).Hour(); {
	case h < 12:
		return "Good morning"
	case h < 18:
		return "Good afternoon"
	default:
		return "Good evening"
	}
}

// PromiseText is the web pages' promise.
func (w Wording) PromiseText() string { return orDefault(w.Promise, DefaultPromise) }

// BackToTopText is the label after each article, "" when left out.
func (w Wording) BackToTopText() string {
	if strings.EqualFold(strings.TrimSpace(w.BackToTop), "none") {
		return ""
	}
	return orDefault(w.BackToTop, DefaultBackToTop)
}

// GoToTopText is the label after each headline, "" when off.
func (w Wording) GoToTopText() string {
	if !w.GoToTop {
		return ""
	}
	return orDefault(w.GoToTopLabel, DefaultGoToTop)
}

func orDefault(s, def string) string {
	if s = strings.TrimSpace(s); s == "" {
		return def
	}
	return s
}

// MarshalWording is the stored form of w ("{}" for the defaults).
func MarshalWording(w Wording) string {
	b, _ := json.Marshal(w) // strings and bools only: cannot fail
	return string(b)
}

// ParseWording reads the stored form; "" is the defaults.
func ParseWording(s string) (Wording, error) {
	var w Wording
	if strings.TrimSpace(s) == "" {
		return w, nil
	}
	if err := json.Unmarshal([]byte(s), &w); err != nil {
		return w, fmt.Errorf("wording: %w", err)
	}
	return w, nil
}

// validateWording checks the wording's texts and the language.
func (p *Publication) validateWording(bad func(field, format string, args ...any)) {
	w := p.Wording
	for field, v := range map[string]string{"greeting": w.Greeting, "promise": w.Promise,
		"back-to-top": w.BackToTop, "go-to-top-label": w.GoToTopLabel} {
		switch {
		case strings.ContainsAny(v, "\r\n"):
			bad(field, "must be one line")
		case utf8.RuneCountInString(v) > maxWordingText:
			bad(field, "is longer than %d characters", maxWordingText)
		case !utf8.ValidString(v):
			bad(field, "is not valid UTF-8")
		}
	}
	if _, err := ParseLanguage(p.Language); err != nil {
		bad("language", "%v", err)
	}
}

// ParseLanguage checks a BCP 47 language tag ("en", "he", "pt-BR") and
// returns it in its canonical form.
func ParseLanguage(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return DefaultLanguage, nil
	}
	tag, err := language.Parse(s)
	if err != nil {
		return "", fmt.Errorf("%q is not a BCP 47 language tag (e.g. en, he, pt-BR): %v", s, err)
	}
	return tag.String(), nil
}

// GreetedAt is the time an issue of date d is greeted for (the rule of
// GreetingTime): with delivery at each reader's local time, that hour;
// else its own send time sendAt when an editor set one, else the
// daily schedule's first fire on that date in the publication's zone, else
// assembled (the time it is put together).
func (p *Publication) GreetedAt(d Date, sendAt, assembled time.Time) time.Time {
	// Delivered at each reader's local time, every reader reads it at that
	// hour on their own clock, whenever it is released.
	if p.Deliver == DeliverLocal {
		if c, ok := p.ReaderClock(d.Time(p.Location())); ok {
			y, m, day := d.Time(p.Location()).Date()
			return time.Date(y, m, day, c.Hour, c.Minute, 0, 0, p.Location())
		}
	}
	if !sendAt.IsZero() {
		return sendAt
	}
	if p.Schedule != "" {
		if sched, err := ParseSchedule(p.Schedule, p.TimeZone); err == nil {
			loc := p.Location()
			if t := sched.Next(d.Time(loc).Add(-time.Nanosecond)); DateIn(t, loc) == d {
				return t
			}
		}
	}
	return assembled
}
