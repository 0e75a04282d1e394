package newsletter

import (
	"strings"
	"testing"
	"time"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestClockNextCases(t *testing.T) {
	six := Clock{6, 0}
	// Released at 05:00 in Los Angeles on Saturday 24 October 2026, the day
	// before Europe's clocks go back (Israel's too).
	la := mustZone(t, "America/Los_Angeles")
	release := time.Date(2026, 10, 24, 5, 0, 0, 0, la)
	for _, c := range []struct {
		zone string
		want string // RFC 3339 in the zone
	}{
		{"America/Los_Angeles", "2026-10-24T06:00:00-07:00"}, // an hour later, the same day
		{"Pacific/Pago_Pago", "2026-10-24T06:00:00-11:00"},   // behind: later the same day
		{"Pacific/Kiritimati", "2026-10-25T06:00:00+14:00"},  // 02:00 on the 25th there: that morning
		{"Asia/Jerusalem", "2026-10-25T06:00:00+02:00"},      // past 06:00: the next morning, now in winter time
		{"Europe/London", "2026-10-25T06:00:00Z"},            // likewise, GMT again
	} {
		loc := mustZone(t, c.zone)
		got := six.Next(release, loc).In(loc).Format(time.RFC3339)
		if got != c.want {
			t.Errorf("%s: got %s, want %s", c.zone, got, c.want)
		}
	}

	// A time the clocks skip: 02:30 on 8 March 2026 in New York does not
	// exist (02:00 EST becomes 03:00 EDT); due at the jump.
	ny := mustZone(t, "America/New_York")
	got := Clock{2, 30}.Next(time.Date(2026, 3, 7, 12, 0, 0, 0, ny), ny)
	if want := time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("skipped time: got %s, want %s (the jump)", got.UTC(), want)
	}
	// A time that happens twice: 01:30 on 1 November 2026 in New York is at
	// 05:30 UTC (EDT) and 06:30 UTC (EST): the first, unless released between.
	c130 := Clock{1, 30}
	if got := c130.Next(time.Date(2026, 10, 31, 12, 0, 0, 0, ny), ny); !got.Equal(time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC)) {
		t.Errorf("repeated time: got %s, want the first at 05:30 UTC", got.UTC())
	}
	if got := c130.Next(time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC), ny); !got.Equal(time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC)) {
		t.Errorf("released between the two 01:30s: got %s, want the second at 06:30 UTC", got.UTC())
	}
	// Samoa skipped Friday 30 December 2011, 06:00 with it: released on
	// the 29th after 06:00, due at the jump, midnight starting the 31st.
	apia := mustZone(t, "Pacific/Apia")
	if got := six.Next(time.Date(2011, 12, 29, 7, 0, 0, 0, apia), apia).In(apia); got.Day() != 31 || got.Hour() != 0 {
		t.Errorf("Samoa 2011: got %s, want 00:00 on the 31st", got)
	}
	// Within the hour's minute (a schedule's seconds field): at once, not
	// the next day.
	if r := time.Date(2026, 10, 24, 6, 0, 30, 0, la); !six.Next(r, la).Equal(r) {
		t.Errorf("released at 06:00:30: got %s, want at once", six.Next(r, la))
	}
	// Exactly at the hour: at once.
	if got := six.Next(time.Date(2026, 10, 24, 6, 0, 0, 0, la), la); !got.Equal(time.Date(2026, 10, 24, 6, 0, 0, 0, la)) {
		t.Errorf("released at the hour: got %s", got)
	}
}

// TestClockNextRule checks the rule over zones with summer time, half-hour
// offsets, a date line move and no changes at all, for releases every 31h13m
// over two years: never before the release, never more than MaxLocalWait
// after, on the reader's clock at the hour unless the hour was skipped that
// day (then at a clock change), and the first such instant.
func TestClockNextRule(t *testing.T) {
	zones := []string{"UTC", "America/Los_Angeles", "America/New_York", "Europe/London", "Asia/Jerusalem",
		"Pacific/Kiritimati", "Pacific/Pago_Pago", "Pacific/Apia", "Australia/Lord_Howe", "Asia/Kolkata",
		"Asia/Kathmandu", "America/Santiago", "America/Havana", "Africa/Casablanca", "America/St_Johns"}
	clocks := []Clock{{6, 0}, {0, 0}, {0, 30}, {1, 30}, {2, 30}, {23, 59}}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, name := range zones {
		loc := mustZone(t, name)
		for _, c := range clocks {
			for r := start; r.Before(start.AddDate(2, 0, 0)); r = r.Add(31*time.Hour + 13*time.Minute) {
				got := c.Next(r, loc)
				if got.Before(r) || got.Sub(r) > MaxLocalWait {
					t.Fatalf("%s %s released %s: due %s, outside [release, release+%s]", name, c, r, got, MaxLocalWait)
				}
				l := got.In(loc)
				if l.Hour() != c.Hour || l.Minute() != c.Minute {
					// Only allowed at a clock change: the offset just before differs.
					_, before := got.Add(-time.Second).In(loc).Zone()
					_, after := l.Zone()
					if before == after {
						t.Fatalf("%s %s released %s: due %s, not at the hour nor at a clock change", name, c, r, l)
					}
				}
				// Nothing earlier: no minute between release and due shows the hour.
				for m := r.Truncate(time.Minute); m.Before(got); m = m.Add(time.Minute) {
					if m.Before(r) {
						continue
					}
					if ml := m.In(loc); ml.Hour() == c.Hour && ml.Minute() == c.Minute {
						t.Fatalf("%s %s released %s: due %s, but the clock read the hour at %s", name, c, r, l, ml)
					}
				}
			}
		}
	}
}

func TestParseClockAndZone(t *testing.T) {
	for in, want := range map[string]string{"06:00": "06:00", "6:30": "06:30", " 23:59 ": "23:59"} {
		c, err := ParseClock(in)
		if err != nil || c.String() != want {
			t.Errorf("ParseClock(%q) = %v, %v; want %s", in, c, err, want)
		}
	}
	for _, in := range []string{"", "24:00", "6", "06:60", "06:00pm", "six"} {
		if _, err := ParseClock(in); err == nil {
			t.Errorf("ParseClock(%q) accepted", in)
		}
	}
	for _, in := range []string{"Europe/London", "Pacific/Kiritimati", "UTC", ""} {
		if _, err := ParseTimeZone(in); err != nil {
			t.Errorf("ParseTimeZone(%q): %v", in, err)
		}
	}
	if _, err := ParseTimeZone("america/new_york"); err == nil || !strings.Contains(err.Error(), "did you mean America/New_York?") {
		t.Errorf("a zone in lower case: %v, want the spelling suggested", err)
	}
	for _, in := range []string{"Local", "Mars/Olympus_Mons", "../../etc/passwd", "/etc/localtime", "Europe/London ", "posixrules", "Factory", "right/UTC"} {
		if got, err := ParseTimeZone(in); err == nil && in != "Europe/London " {
			t.Errorf("ParseTimeZone(%q) accepted as %q", in, got)
		}
	}
}

func TestDailyReleasesAndReaderClock(t *testing.T) {
	p := &Publication{TimeZone: "America/Los_Angeles", Schedule: "0 5,17 * * *"}
	la := mustZone(t, "America/Los_Angeles")
	now := time.Date(2026, 10, 24, 4, 0, 0, 0, la)
	got := p.DailyReleases(now, 3)
	want := []time.Time{time.Date(2026, 10, 24, 5, 0, 0, 0, la), time.Date(2026, 10, 25, 5, 0, 0, 0, la), time.Date(2026, 10, 26, 5, 0, 0, 0, la)}
	if len(got) != 3 || !got[0].Equal(want[0]) || !got[1].Equal(want[1]) || !got[2].Equal(want[2]) {
		t.Errorf("releases from 04:00: %v, want %v", got, want)
	}
	// After the day's first fire, the next release is tomorrow's, not 17:00.
	if got := p.DailyReleases(time.Date(2026, 10, 24, 6, 0, 0, 0, la), 1); len(got) != 1 || !got[0].Equal(want[1]) {
		t.Errorf("releases from 06:00: %v, want %v", got, want[1])
	}
	// The readers' hour follows the date's first fire, also when asked just
	// after it (as a send started by that fire does).
	for _, ref := range []time.Time{now, time.Date(2026, 10, 24, 5, 0, 0, 300, la), time.Date(2026, 10, 24, 18, 0, 0, 0, la)} {
		if c, ok := p.ReaderClock(ref); !ok || c != (Clock{5, 0}) {
			t.Errorf("ReaderClock(%s) = %v, %v; want 05:00", ref, c, ok)
		}
	}
}
