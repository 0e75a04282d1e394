package feeds

import (
	"testing"
	"time"
)

func TestItemDateInThePublicationsZone(t *testing.T) {
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	planet := parseFile(t, "planet-rss2.xml", "https://planet.example/feed/", Full)
	gazette := parseFile(t, "gazette-atom.xml", "https://gazette.example/feeds/all.atom", Full)
	bulletin := parseFile(t, "bulletin.json", "https://bulletin.example/feed.json", Full)
	tests := []struct {
		name string
		item Item
		loc  *time.Location
		want string
	}{
		// Wed 23:30 in New York is Thu 03:30 UTC.
		{"late evening, own zone", planet.Items[1], zone("America/New_York"), "2009-07-08"},
		{"late evening, UTC", planet.Items[1], time.UTC, "2009-07-09"},
		// 00:20 in London (BST) is still the 8th in New York.
		{"just after midnight, own zone", gazette.Items[0], zone("Europe/London"), "2009-07-09"},
		{"just after midnight, west", gazette.Items[0], zone("America/New_York"), "2009-07-08"},
		// 20:30 in California is the next morning in Berlin.
		{"evening, east", bulletin.Items[0], zone("Europe/Berlin"), "2009-07-10"},
		{"updated only", Item{Updated: time.Date(2009, 7, 9, 23, 0, 0, 0, time.UTC)}, zone("Asia/Tokyo"), "2009-07-10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := tt.item.Date(tt.loc)
			if !ok || d.String() != tt.want {
				t.Errorf("Date(%s) = %s, %v; want %s", tt.loc, d, ok, tt.want)
			}
		})
	}
	if d, ok := (Item{}).Date(time.UTC); ok || !d.IsZero() {
		t.Errorf("an item with no time has date %s, %v", d, ok)
	}
}

func TestSection(t *testing.T) {
	mapping := map[string]string{"weather": "City", "Politics": "News"}
	tests := []struct {
		cats []string
		want string
	}{
		{[]string{"Uncategorized", "Weather"}, "City"},
		{[]string{"POLITICS"}, "News"},
		{[]string{"Sports"}, "Front Page"},
		{nil, "Front Page"},
	}
	for _, tt := range tests {
		if got := Section(tt.cats, mapping, "Front Page"); got != tt.want {
			t.Errorf("Section(%q) = %q, want %q", tt.cats, got, tt.want)
		}
	}
}

func TestNextPoll(t *testing.T) {
	last := time.Date(2009, 7, 9, 6, 0, 0, 0, time.UTC)
	tests := []struct {
		failures int
		interval time.Duration
		want     time.Duration
	}{
		{0, 15 * time.Minute, 15 * time.Minute},
		{1, 15 * time.Minute, 15 * time.Minute},
		{2, 15 * time.Minute, 30 * time.Minute},
		{3, 15 * time.Minute, time.Hour},
		{7, 15 * time.Minute, 16 * time.Hour},
		{8, 15 * time.Minute, 24 * time.Hour},
		{1000, 15 * time.Minute, 24 * time.Hour},
		{5, 48 * time.Hour, 48 * time.Hour}, // never sooner than its interval
		{0, 0, time.Minute},
	}
	for _, tt := range tests {
		if got := NextPoll(last, tt.failures, tt.interval).Sub(last); got != tt.want {
			t.Errorf("NextPoll(%d failures, every %s) waits %s, want %s", tt.failures, tt.interval, got, tt.want)
		}
	}
}
