package scheduler

import (
	"strings"
	"time"

	"masthead/newsletter"
)

// wallSchedule is a publication's cron schedule read as wall-clock times of
// its zone, which is what an editor means by "06:00 every day": a time that a
// daylight-saving change skips (02:30 on the spring-forward night) fires when
// the clock jumps past it instead of not at all, and a time the change
// repeats (01:30 on the fall-back night) names one date and so sends once.
type wallSchedule struct {
	sched interface{ Next(time.Time) time.Time } // evaluated on wall times written as UTC
	loc   *time.Location
}

// parseWall parses spec (optional seconds field; a CRON_TZ= or TZ= prefix
// overrides zone) as wall-clock times of zone.
func parseWall(spec, zone string) (*wallSchedule, error) {
	spec = strings.TrimSpace(spec)
	for _, prefix := range []string{"CRON_TZ=", "TZ="} {
		if rest, ok := strings.CutPrefix(spec, prefix); ok {
			name, after, _ := strings.Cut(rest, " ")
			zone, spec = name, strings.TrimSpace(after)
		}
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return nil, err
	}
	sched, err := newsletter.ParseSchedule(spec, "UTC")
	if err != nil {
		return nil, err
	}
	return &wallSchedule{sched: sched, loc: loc}, nil
}

// wall is t's wall-clock reading in the schedule's zone, written as UTC.
func (w *wallSchedule) wall(t time.Time) time.Time {
	l := t.In(w.loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), time.UTC)
}

// instant is the moment a wall-clock reading names in the schedule's zone.
func (w *wallSchedule) instant(wall time.Time) time.Time {
	return time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), 0, w.loc)
}

// prev is the last fire at or before now: its wall-clock reading (whose date
// is the issue's) and the moment it came (never after now: a skipped wall
// time comes when the clock jumps past it).
func (w *wallSchedule) prev(now time.Time) (wall, at time.Time, ok bool) {
	wall, ok = prevFire(w.sched, w.wall(now))
	if !ok {
		return time.Time{}, time.Time{}, false
	}
	at = w.instant(wall)
	if got := w.wall(at); !got.Equal(wall) {
		// A time the clock skipped: it comes at the jump.
		start, end := at.ZoneBounds()
		if got.Before(wall) {
			at = end
		} else {
			at = start
		}
	}
	if at.After(now) {
		at = now
	}
	return wall, at, true
}

// next is the moment of the first fire after now.
func (w *wallSchedule) next(now time.Time) time.Time {
	n := w.sched.Next(w.wall(now))
	if n.IsZero() {
		return n
	}
	return w.instant(n)
}
