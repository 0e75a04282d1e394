package newsletter

import (
	"errors"
	"testing"
	"time"
)

func TestCheckLocalRelease(t *testing.T) {
	now := time.Date(2026, 10, 22, 13, 0, 0, 0, time.UTC)
	pub := func(schedule, local string) *Publication {
		return &Publication{TimeZone: "America/Los_Angeles", Schedule: schedule, Deliver: DeliverLocal, LocalTime: local}
	}
	for _, c := range []struct {
		p    *Publication
		want string // the suggested schedule; "" for none refused
	}{
		{pub("0 7 * * *", "06:00"), "0 5 * * *"},
		{pub("0 7 * * 1-5", "06:30"), "30 5 * * 1-5"},
		{pub("0 0 7 * * *", "06:00"), "0 0 5 * * *"}, // a seconds field
		{pub("@daily", "00:00"), ""},                 // midnight to midnight: the same instant
		{pub("0 1 * * *", "00:30"), "30 0 * * *"},    // not the day before
		{pub("0 5 * * *", "06:00"), ""},
		{pub("0 6 * * *", "06:00"), ""},    // at the hour itself
		{pub("0 7 * * *", ""), ""},         // the schedule's own time of day
		{pub("30 0 5 * * *", ""), ""},      // its own time of day, with seconds: at once
		{pub("0 5,17 * * *", "06:00"), ""}, // the 17:00 fire releases nothing
		{pub("0 5,17 * * *", ""), ""},      // the readers' hour is the date's first fire
		{pub("", "06:00"), ""},             // no schedule: an editor releases it
		{&Publication{TimeZone: "America/Los_Angeles", Schedule: "0 7 * * *", Deliver: DeliverAtOnce, LocalTime: "06:00"}, ""},
	} {
		late := c.p.CheckLocalRelease(now)
		switch {
		case c.want == "" && late != nil:
			t.Errorf("%q at %s: refused: %v", c.p.Schedule, c.p.LocalTime, late)
		case c.want != "" && late == nil:
			t.Errorf("%q at %s: not refused", c.p.Schedule, c.p.LocalTime)
		case late != nil && late.Earlier != c.want:
			t.Errorf("%q at %s: suggests %q, want %q", c.p.Schedule, c.p.LocalTime, late.Earlier, c.want)
		}
	}

	late := pub("0 7 * * *", "06:00").CheckLocalRelease(now)
	want := "the schedule releases at 07:00 America/Los_Angeles, after the readers' 06:00: readers in America/Los_Angeles " +
		"would get each issue the next day; release earlier (--schedule '0 5 * * *') or set --local-time 07:00 or later"
	if got := late.Explain("--schedule '%s'", "--local-time %s"); got != want {
		t.Errorf("explanation:\n%s\nwant\n%s", got, want)
	}
	var fe *FieldError
	if err := error(late); !errors.As(err, &fe) || fe.Field != "local-time" || fe.Msg != late.Error() {
		t.Errorf("as a field error: %v", fe)
	}
}

func TestLateOwnReaders(t *testing.T) {
	la, _ := time.LoadLocation("America/Los_Angeles")
	p := &Publication{TimeZone: "America/Los_Angeles", Schedule: "0 5 * * *", Deliver: DeliverLocal, LocalTime: "06:00"}
	d := Date{Year: 2026, Month: 12, Day: 4}
	want := "it is delivered at each reader's 06:00: released at 07:30, it reaches readers in America/Los_Angeles on Sat 5 Dec, after the issue's date"
	if got := p.LateOwnReaders(time.Date(2026, 12, 4, 7, 30, 0, 0, la), d); got != want {
		t.Errorf("a send at 07:30: %q, want %q", got, want)
	}
	if got := p.LateOwnReaders(time.Date(2026, 12, 4, 5, 30, 0, 0, la), d); got != "" {
		t.Errorf("a send at 05:30: %q, want nothing to say", got)
	}
	if got := p.LateOwnReaders(time.Date(2026, 12, 3, 22, 0, 0, 0, la), d); got != "" {
		t.Errorf("a send the evening before: %q, want nothing to say", got)
	}
	p.Deliver = DeliverAtOnce
	if got := p.LateOwnReaders(time.Date(2026, 12, 4, 7, 30, 0, 0, la), d); got != "" {
		t.Errorf("at once: %q", got)
	}
}
