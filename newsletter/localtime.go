package newsletter

import (
	"fmt"
	"strings"
	"time"
)

// Deliver says when an issue reaches its readers once it is released (its
// send starts: the daily fire, an editor's send).
type Deliver string

const (
	// DeliverAtOnce sends the whole list from the release on (the default).
	DeliverAtOnce Deliver = "at-once"
	// DeliverLocal gives each reader the issue at the publication's local
	// time (LocalTime, else the schedule's time of day) on the reader's own
	// clock: see Clock.Next for the exact rule.
	DeliverLocal Deliver = "local"
)

// ParseDeliver accepts "at-once" (also "" and "now") or "local".
func ParseDeliver(s string) (Deliver, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "at-once", "now":
		return DeliverAtOnce, nil
	case "local":
		return DeliverLocal, nil
	}
	return "", fmt.Errorf("%q must be at-once or local", s)
}

// Clock is a time of day on a wall clock, to the minute.
type Clock struct{ Hour, Minute int }

// ParseClock reads "06:00" or "6:30".
func ParseClock(s string) (Clock, error) {
	var c Clock
	var rest string
	n, _ := fmt.Sscanf(strings.TrimSpace(s)+"|", "%d:%d%s", &c.Hour, &c.Minute, &rest)
	if n != 3 || rest != "|" || c.Hour < 0 || c.Hour > 23 || c.Minute < 0 || c.Minute > 59 {
		return Clock{}, fmt.Errorf("%q is not a time of day (HH:MM, 00:00 to 23:59)", s)
	}
	return c, nil
}

func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", c.Hour, c.Minute) }

// MaxLocalWait bounds Clock.Next: a reader's copy is never due more than
// this long after the release (a day, plus the largest clock change a zone
// can make in between).
const MaxLocalWait = 25 * time.Hour

// Next is when a reader whose clocks follow loc gets an issue released at
// release: the first instant at or after release at which loc's clocks read
// c (a release during that very minute counts: at once). Where that time is skipped on a date (clocks jump over it, as at the
// start of summer time), the reader's copy is due at the jump itself, the
// first instant after the skipped hour; where it happens twice (clocks go
// back), at the first of the two that is not before the release. So a zone
// whose clocks are already past c at the release gets the issue at c the
// next day: never more than MaxLocalWait after release, and readers of one
// zone all at the same instant.
func (c Clock) Next(release time.Time, loc *time.Location) time.Time {
	local := release.In(loc)
	y, m, d := local.Date()
	// To the minute: a release within the hour's own minute (a schedule
	// with a seconds field, "30 0 5 * * *") delivers at once.
	from := release.Truncate(time.Minute)
	// The release's own date, the next and the one after (a zone that
	// skipped a whole date, as Samoa did in 2011, needs the third).
	for i := 0; i < 3; i++ {
		for _, t := range c.occurrences(y, m, d+i, loc) {
			if !t.Before(from) {
				if t.Before(release) {
					return release
				}
				return t
			}
		}
	}
	return release.Add(MaxLocalWait) // unreachable with real zone data
}

// occurrences are the instants, in order, at which loc's clocks read c on the
// date y-m-d: one; two when the clocks go back over it; or, when they jump
// over it, the instant of the jump.
func (c Clock) occurrences(y int, m time.Month, d int, loc *time.Location) []time.Time {
	want := time.Date(y, m, d, c.Hour, c.Minute, 0, 0, time.UTC) // the wall clock, as a plain value
	t := time.Date(y, m, d, c.Hour, c.Minute, 0, 0, loc)
	if got := wall(t); !got.Equal(want) {
		// A gap: time.Date chose an instant on one side of the jump. The
		// jump is the edge of that instant's zone period on the other side.
		start, end := t.ZoneBounds()
		if got.After(want) {
			return []time.Time{start}
		}
		return []time.Time{end}
	}
	// A repeat: the same wall clock under the previous period's offset,
	// if that instant falls in the previous period.
	start, _ := t.ZoneBounds()
	if !start.IsZero() {
		_, prevOff := start.Add(-time.Second).Zone()
		_, off := t.Zone()
		if prevOff > off {
			if e := t.Add(-time.Duration(prevOff-off) * time.Second); e.Before(start) && wall(e).Equal(want) {
				return []time.Time{e, t}
			}
		}
	}
	// Or t may be the first of two, with the second after its period ends.
	if _, end := t.ZoneBounds(); !end.IsZero() {
		_, off := t.Zone()
		_, nextOff := end.Zone()
		if off > nextOff {
			if l := t.Add(time.Duration(off-nextOff) * time.Second); !l.Before(end) && wall(l).Equal(want) {
				return []time.Time{t, l}
			}
		}
	}
	return []time.Time{t}
}

// wall is t's wall clock in its own zone as a plain UTC value.
func wall(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
}

// ReaderClock is the time of day on each reader's clock at which p delivers
// an issue with DeliverLocal: LocalTime, else the time of day of the daily
// schedule's first fire on ref's date in p's zone (or of the next date
// with a fire). ok is false when there is neither.
func (p *Publication) ReaderClock(ref time.Time) (Clock, bool) {
	if p.LocalTime != "" {
		c, err := ParseClock(p.LocalTime)
		return c, err == nil
	}
	if p.Schedule == "" {
		return Clock{}, false
	}
	sched, err := ParseSchedule(p.Schedule, p.TimeZone)
	if err != nil {
		return Clock{}, false
	}
	loc := p.Location()
	t := sched.Next(DateIn(ref, loc).Time(loc).Add(-time.Nanosecond))
	if t.IsZero() {
		return Clock{}, false
	}
	t = t.In(loc)
	return Clock{t.Hour(), t.Minute()}, true
}

// DailyReleases are the next n releases of p's daily schedule after now:
// the first fire of each date in p's zone (a later fire on a date finds
// the date's issue already sending and does nothing).
func (p *Publication) DailyReleases(now time.Time, n int) []time.Time {
	if p.Schedule == "" {
		return nil
	}
	sched, err := ParseSchedule(p.Schedule, p.TimeZone)
	if err != nil {
		return nil
	}
	loc := p.Location()
	var out []time.Time
	t := now
	if first := sched.Next(DateIn(now, loc).Time(loc).Add(-time.Nanosecond)); !first.After(now) {
		// Today's release has been: the next one is on a later date.
		t = DateIn(now, loc).AddDays(1).Time(loc).Add(-time.Nanosecond)
	}
	for len(out) < n {
		f := sched.Next(t)
		if f.IsZero() {
			break
		}
		out = append(out, f.In(loc))
		t = DateIn(f, loc).AddDays(1).Time(loc).Add(-time.Nanosecond)
	}
	return out
}

// ReaderLocation is the zone a reader's copy is timed in: their own zone
// when it is a known IANA name, else the publication's.
func ReaderLocation(zone string, pub *time.Location) *time.Location {
	if zone == "" {
		return pub
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return pub
	}
	return loc
}

// ParseTimeZone checks a reader's time zone: an IANA name such as
// Europe/London (or "" for none, meaning the publication's zone). Files of
// the zone database that are not zones (posixrules, Factory, the posix/
// and right/ copies) are refused; a name in the wrong case is refused with
// the right spelling suggested.
func ParseTimeZone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	bad := fmt.Errorf("%q is not an IANA time zone name (such as Europe/London)", s)
	switch {
	case s == "Local" || s == "localtime" || s == "posixrules" || s == "Factory" || len(s) > 64,
		strings.HasPrefix(s, "posix/") || strings.HasPrefix(s, "right/"),
		strings.ContainsAny(s, " \\") || strings.HasPrefix(s, "/") || strings.Contains(s, ".."):
		return "", bad
	}
	if _, err := time.LoadLocation(s); err != nil {
		if fixed := zoneCase(s); fixed != s {
			if _, err := time.LoadLocation(fixed); err == nil {
				return "", fmt.Errorf("%q is not an IANA time zone name: did you mean %s?", s, fixed)
			}
		}
		return "", bad
	}
	return s, nil
}

// zoneCase spells a zone name as the database does for most names: each
// word capitalised ("america/new_york" → "America/New_York").
func zoneCase(s string) string {
	b := []byte(strings.ToLower(s))
	up := true
	for i, c := range b {
		if up && c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
		up = c == '/' || c == '_' || c == '-'
	}
	return string(b)
}

// validateDeliver checks Deliver and LocalTime.
func (p *Publication) validateDeliver(bad func(field, format string, args ...any)) {
	if _, err := ParseDeliver(string(p.Deliver)); err != nil {
		bad("deliver", "%v", err)
	}
	if p.LocalTime != "" {
		if _, err := ParseClock(p.LocalTime); err != nil {
			bad("local-time", "%v", err)
		}
	}
	if p.Deliver == DeliverLocal && p.LocalTime == "" && p.Schedule == "" {
		bad("local-time", "is needed with deliver local when there is no daily schedule (the hour each reader gets the issue, such as 06:00)")
	}
}
