package newsletter

import (
	"fmt"
	"strings"
	"time"
)

// LateRelease is a publication delivering at each reader's local time whose
// daily schedule releases the issue after that local time in the
// publication's own zone: by Clock.Next, even the publication's own readers
// would get every issue the next day. Saving such settings is refused with
// this explanation.
type LateRelease struct {
	Release Clock  // the schedule's time of day, in Zone
	Local   Clock  // the readers' hour
	Zone    string // the publication's zone
	// Earlier is the schedule changed to release before the readers' hour,
	// to suggest.
	Earlier string
}

// Error names the settings as the API does.
func (e *LateRelease) Error() string { return e.Explain("schedule '%s'", "local_time %s") }

// As lets the refusal be read as a validation error of the local-time field
// by code that knows only FieldError.
func (e *LateRelease) As(target any) bool {
	if fe, ok := target.(**FieldError); ok {
		*fe = &FieldError{Field: "local-time", Msg: e.Error()}
		return true
	}
	return false
}

// Explain says what is wrong and how to fix it, naming the settings as a
// front end calls them: schedule is a format for the suggested cron spec
// ("--schedule '%s'"), localTime one for the release's time of day
// ("--local-time %s").
func (e *LateRelease) Explain(schedule, localTime string) string {
	return fmt.Sprintf("the schedule releases at %s %s, after the readers' %s: readers in %s would get each issue the next day; "+
		"release earlier ("+schedule+") or set "+localTime+" or later",
		e.Release, e.Zone, e.Local, e.Zone, e.Earlier, e.Release)
}

// CheckLocalRelease is the rule for a publication that delivers at each
// reader's local time on a daily schedule: each daily fire (in the
// publication's zone) is the release, and it must come at or before the
// readers' hour on the date in the publication's own zone. The next
// week of fires after now is checked; nil when they all do, or when the
// publication delivers at once or has no schedule (an editor's send
// releases when it is made).
func (p *Publication) CheckLocalRelease(now time.Time) *LateRelease {
	if p.Deliver != DeliverLocal || p.Schedule == "" {
		return nil
	}
	sched, err := ParseSchedule(p.Schedule, p.TimeZone)
	if err != nil {
		return nil // Validate names the schedule
	}
	loc := p.Location()
	t := now
	for range 7 {
		if t = sched.Next(t); t.IsZero() {
			return nil
		}
		clock, ok := p.ReaderClock(t)
		if !ok {
			return nil
		}
		if DateIn(clock.Next(t, loc), loc) == DateIn(t, loc) {
			continue
		}
		rel := t.In(loc)
		return &LateRelease{Release: Clock{rel.Hour(), rel.Minute()}, Local: clock, Zone: p.TimeZone,
			Earlier: earlierSchedule(p.Schedule, clock)}
	}
	return nil
}

// earlierSchedule is spec with its time of day moved an hour before c (to
// c itself when that would be the day before), its other fields kept.
func earlierSchedule(spec string, c Clock) string {
	at := c
	if at.Hour > 0 {
		at.Hour--
	}
	f := strings.Fields(spec)
	switch len(f) {
	case 5:
		f[0], f[1] = fmt.Sprint(at.Minute), fmt.Sprint(at.Hour)
	case 6:
		f[0], f[1], f[2] = "0", fmt.Sprint(at.Minute), fmt.Sprint(at.Hour)
	default:
		return fmt.Sprintf("%d %d * * *", at.Minute, at.Hour)
	}
	return strings.Join(f, " ")
}
