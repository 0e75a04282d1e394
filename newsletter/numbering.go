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

// Numberer gives the next sequential number in a volume, inside the assembly
// transaction, so that two assemblies cannot take the same number.
type Numberer func(volume int) (int, error)

// Number gives a new issue of p dated d its volume and number, once, when it
// is first stored (an issue is never renumbered): in calendar numbering the
// day of the volume, in sequential numbering next(volume).
func (p *Publication) Number(d Date, next Numberer) (volume, number int, err error) {
	if p.Numbering != Sequential {
		return p.CalendarNumber(d)
	}
	volume, _, err = p.Volume(d)
	if err != nil {
		return 0, 0, err
	}
	number, err = next(volume)
	if err != nil {
		return 0, 0, err
	}
	return volume, number, nil
}
