package api

import (
	"regexp"
	"testing"
)

// TestPublicationDeliver: the delivery setting is read and changed like the
// others; bad values and a daily release after the readers' hour are
// refused, naming the field.
func TestPublicationDeliver(t *testing.T) {
	f := newFixture(t) // New York, daily at 06:00
	for _, tc := range []struct {
		name, body string
		status     int
		want       string // regexp the body must match
	}{
		{"get", "", 200, `"deliver": "at-once",\s*"local_time": ""`},
		{"local at the schedule's time", `{"deliver":"local"}`, 200, `"deliver": "local",\s*"local_time": ""`},
		{"a local time", `{"local_time":"7:30"}`, 200, `"deliver": "local",\s*"local_time": "07:30"`},
		{"bad deliver", `{"deliver":"sometimes"}`, 422, `"message": "deliver: \\"sometimes\\" must be at-once or local"`},
		{"bad local time", `{"local_time":"25:00"}`, 422, `"message": "local_time: \\"25:00\\" is not a time of day`},
		{"release after the readers' hour", `{"local_time":"05:00"}`, 422,
			`"code": "invalid",\s*"message": "local_time: the schedule releases at 06:00 America/New_York, after the readers' 05:00: ` +
				`readers in America/New_York would get each issue the next day; release earlier \(schedule '0 4 \* \* \*'\) or set local_time 06:00 or later"`},
		{"refused settings were not saved", "", 200, `"deliver": "local",\s*"local_time": "07:30"`},
		{"a schedule after the readers' hour", `{"schedule":"0 8 * * *"}`, 422,
			`"message": "schedule: the schedule releases at 08:00 America/New_York, after the readers' 07:30: `},
		{"at once again", `{"deliver":"at-once","local_time":""}`, 200, `"deliver": "at-once",\s*"local_time": ""`},
	} {
		method, ctype := "PATCH", "application/json"
		if tc.body == "" {
			method, ctype = "GET", ""
		}
		code, body := f.do(t, f.admin, method, "/api/publications/planet", ctype, tc.body)
		if code != tc.status || !regexp.MustCompile(tc.want).MatchString(body) {
			t.Errorf("%s: status %d, want %d; body does not match %s\n%.1500s", tc.name, code, tc.status, tc.want, body)
		}
	}
}
