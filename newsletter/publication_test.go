package newsletter

import (
	"strings"
	"testing"
)

func validPublication() *Publication {
	p := &Publication{Slug: "planet", Name: "The Daily Planet", From: "Daily Planet <news@planet.example>",
		TimeZone: "America/New_York", Schedule: "0 6 * * *", VolumeStart: Date{2007, 2, 7}}
	p.Normalize()
	return p
}

func TestPublicationValidate(t *testing.T) {
	if err := validPublication().Validate(); err != nil {
		t.Fatalf("valid publication refused: %v", err)
	}
	cases := []struct {
		name  string
		edit  func(p *Publication)
		field string
	}{
		{"unknown zone", func(p *Publication) { p.TimeZone = "Mars/Olympus_Mons" }, "timezone: unknown time zone"},
		{"bad cron", func(p *Publication) { p.Schedule = "every day at six" }, "schedule: invalid cron spec"},
		{"bad cron field", func(p *Publication) { p.Schedule = "0 25 * * *" }, "schedule: invalid cron spec"},
		{"from not an address", func(p *Publication) { p.From = "the newsroom" }, "from: \"the newsroom\" is not an email address"},
		{"from injection", func(p *Publication) { p.From = "a@b.org\r\nBcc: victim@x.org" }, "from:"},
		{"no from", func(p *Publication) { p.From = "" }, "from: is required"},
		{"no name", func(p *Publication) { p.Name = "" }, "name: is required"},
		{"bad numbering", func(p *Publication) { p.Numbering = "roman" }, "numbering:"},
		{"bad slug", func(p *Publication) { p.Slug = "Daily Planet" }, "slug:"},
		{"no volume start", func(p *Publication) { p.VolumeStart = Date{} }, "volume-start: is required"},
		{"multi-line tagline", func(p *Publication) { p.Tagline = "a\nb" }, "tagline: must be one line"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := validPublication()
			c.edit(p)
			err := p.Validate()
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), c.field) {
				t.Errorf("error %q does not mention %q", err, c.field)
			}
		})
	}
}

func TestScheduleWithSeconds(t *testing.T) {
	for _, spec := range []string{"0 6 * * *", "30 0 6 * * *", "@daily", "CRON_TZ=Europe/Paris 0 6 * * 1-5"} {
		if _, err := ParseSchedule(spec, "UTC"); err != nil {
			t.Errorf("%q: %v", spec, err)
		}
	}
}

func TestCopyrightLine(t *testing.T) {
	p := validPublication()
	p.Address = "Metropolis"
	if got := p.CopyrightLine(Date{2009, 7, 9}); got != "Copyright 2007-2009 - The Daily Planet, Metropolis. All rights reserved." {
		t.Errorf("got %q", got)
	}
}
