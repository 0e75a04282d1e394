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
// week of releases after now is checked (the first fire of each date: later
// ones do nothing); nil when they all do, or when the
// publication delivers at once or has no schedule (an editor's send
// releases when it is made).
func (p *Publication) CheckLocalRelease(now time.Time) *LateRelease {
	if p.Deliver != DeliverLocal || p.Schedule == "" {
		return nil
	}
	if _, err := ParseSchedule(p.Schedule, p.TimeZone); err != nil {
		return nil // Validate names the schedule
	}
	loc := p.Location()
	for _, t := range p.DailyReleases(now, 7) {
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

// LateOwnReaders says, for a publication that delivers at each reader's
// local time, what a release at release of the issue of date d means when
// it comes after the readers' hour on that date in the publication's own
// zone (an editor's send time, which the daily check does not see): its
// own readers get it the next day. "" when it does not.
func (p *Publication) LateOwnReaders(release time.Time, d Date) string {
	if p.Deliver != DeliverLocal {
		return ""
	}
	clock, ok := p.ReaderClock(release)
	if !ok {
		return ""
	}
	loc := p.Location()
	due := clock.Next(release, loc).In(loc)
	if !d.Before(DateOf(due)) {
		return ""
	}
	return fmt.Sprintf("it is delivered at each reader's %s: released at %s, it reaches readers in %s on %s, after the issue's date",
		clock, release.In(loc).Format("15:04"), p.TimeZone, due.Format("Mon 2 Jan"))
}
