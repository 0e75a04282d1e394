package newsletter

import (
	"testing"
)

func mustDate(t *testing.T, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestCalendarNumber(t *testing.T) {
	p := &Publication{VolumeStart: mustDate(t, "2007-02-07")}
	cases := []struct {
		date        string
		vol, number int
	}{
		{"2007-02-07", 1, 1},
		{"2007-02-08", 1, 2},
		{"2008-02-06", 1, 365},
		{"2008-02-07", 2, 1},
		{"2009-02-06", 2, 366}, // 2008 is a leap year
		{"2009-02-07", 3, 1},
		{"2009-07-09", 3, 153},
		{"2010-02-07", 4, 1},
	}
	for _, c := range cases {
		t.Run(c.date, func(t *testing.T) {
			vol, n, err := p.CalendarNumber(mustDate(t, c.date))
			if err != nil {
				t.Fatal(err)
			}
			if vol != c.vol || n != c.number {
				t.Errorf("got Volume %d, Number %d; want Volume %d, Number %d", vol, n, c.vol, c.number)
			}
		})
	}
	if _, _, err := p.CalendarNumber(mustDate(t, "2007-02-06")); err == nil {
		t.Error("a date before the first volume was numbered")
	}
}

func TestVolumeLeapDayStart(t *testing.T) {
	p := &Publication{VolumeStart: mustDate(t, "2008-02-29")}
	vol, began, err := p.Volume(mustDate(t, "2009-03-01"))
	if err != nil {
		t.Fatal(err)
	}
	if vol != 2 || began.String() != "2009-03-01" {
		t.Errorf("got volume %d began %s", vol, began)
	}
}

func TestDateLong(t *testing.T) {
	if got := mustDate(t, "2009-07-09").Long(); got != "Thursday, July 9, 2009" {
		t.Errorf("Long() = %q", got)
	}
}
