package newsletter

import (
	"testing"
	"time"
)

// The hour a greeting goes by: the issue's own send time, else the
// schedule's time on its date, else its assembly; in the paper's zone.
func TestGreetedAt(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	d := Date{Year: 2009, Month: 7, Day: 9}
	assembled := time.Date(2009, 7, 9, 2, 0, 0, 0, time.UTC) // 22:00 on the 8th in New York
	sendAt := time.Date(2009, 7, 9, 14, 30, 0, 0, ny)
	p := &Publication{TimeZone: "America/New_York", Schedule: "0 17 * * *"}
	w := Wording{Greeting: GreetingTime}
	for _, c := range []struct {
		name     string
		schedule string
		sendAt   time.Time
		want     string
	}{
		{"own send time before the schedule", "30 6 * * *", sendAt, "Good afternoon"},
		{"the schedule on that date", "0 17 * * *", time.Time{}, "Good afternoon"},
		{"a morning schedule", "30 6 * * *", time.Time{}, "Good morning"},
		{"a schedule not firing that day (Thursday)", "0 6 * * 1", time.Time{}, "Good evening"},
		{"no schedule: assembly", "", time.Time{}, "Good evening"},
	} {
		p.Schedule = c.schedule
		if got := w.GreetingText(p.GreetedAt(d, c.sendAt, assembled), p.Location()); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	// Delivered at each reader's 18:40, it is evening for every reader,
	// whatever the release or an editor's send time.
	local := &Publication{TimeZone: "America/New_York", Schedule: "0 5 * * *", Deliver: DeliverLocal, LocalTime: "18:40"}
	if got := w.GreetingText(local.GreetedAt(d, sendAt, assembled), local.Location()); got != "Good evening" {
		t.Errorf("local delivery at 18:40: %q, want Good evening", got)
	}
	local.LocalTime = "" // the schedule's 05:00
	if got := w.GreetingText(local.GreetedAt(d, sendAt, assembled), local.Location()); got != "Good morning" {
		t.Errorf("local delivery at the schedule's 05:00: %q, want Good morning", got)
	}
	for g, want := range map[string]string{"": DefaultGreeting, "none": "", "NONE": "", " Shalom ": "Shalom"} {
		if got := (Wording{Greeting: g}).GreetingText(sendAt, ny); got != want {
			t.Errorf("greeting %q: %q, want %q", g, got, want)
		}
	}
}

func TestWordingStoredForm(t *testing.T) {
	if s := MarshalWording(Wording{}); s != "{}" {
		t.Errorf("defaults stored as %s", s)
	}
	w := Wording{Greeting: "time", BackToTop: "none", GoToTop: true, StraightQuotes: true}
	got, err := ParseWording(MarshalWording(w))
	if err != nil || got != w {
		t.Errorf("round trip: %+v %v", got, err)
	}
	if got.BackToTopText() != "" || got.GoToTopText() != DefaultGoToTop || got.Typographic() {
		t.Errorf("texts: %q %q %v", got.BackToTopText(), got.GoToTopText(), got.Typographic())
	}
	if _, err := ParseWording("{not json"); err == nil {
		t.Error("a broken stored wording is read")
	}
}
