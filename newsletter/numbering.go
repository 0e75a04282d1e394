package newsletter

import (
	"fmt"
	"time"
)

// Volume is the volume an issue dated d belongs to, and the first day of that
// volume. Volume 1 starts on VolumeStart; the volume goes up on each anniversary.
func (p *Publication) Volume(d Date) (volume int, began Date, err error) {
	if d.Before(p.VolumeStart) {
		return 0, Date{}, fmt.Errorf("date %s is before the first volume began (%s)", d, p.VolumeStart)
	}
	start := p.VolumeStart.Time(time.UTC)
	volume = d.Year - p.VolumeStart.Year
	// Step back while this anniversary is after d.
	for volume > 0 && d.Before(DateOf(start.AddDate(volume, 0, 0))) {
		volume--
	}
	return volume + 1, DateOf(start.AddDate(volume, 0, 0)), nil
}

// CalendarNumber is the Number of the issue dated d in calendar numbering: days
// since the current volume began, plus one.
func (p *Publication) CalendarNumber(d Date) (volume, number int, err error) {
	volume, began, err := p.Volume(d)
	if err != nil {
		return 0, 0, err
	}
	return volume, d.DaysSince(began) + 1, nil
}
