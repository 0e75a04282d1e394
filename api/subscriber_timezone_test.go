package api

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// A reader's time zone through the API: given when adding, shown, changed
// and cleared by PATCH, refused (422 naming the field) when it is not an
// IANA name, and left alone by a PATCH that does not name it.
func TestSubscriberTimeZoneAPI(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	zoneOf := func(body string) string {
		t.Helper()
		var got struct {
			TimeZone *string `json:"timezone"`
		}
		if err := json.Unmarshal([]byte(body), &got); err != nil || got.TimeZone == nil {
			t.Fatalf("no timezone in %s (%v)", body, err)
		}
		return *got.TimeZone
	}
	code, body := f.do(t, f.editor, "POST", "/api/subscribers", "application/json", `{"email": "ann@example.org", "timezone": "Europe/London"}`)
	if code != 201 || zoneOf(body) != "Europe/London" {
		t.Fatalf("add with a zone: %d %s", code, body)
	}
	code, body = f.do(t, f.editor, "POST", "/api/subscribers", "application/json", `{"email": "mars@example.org", "timezone": "Mars/Olympus"}`)
	if code != 422 || errorCode(body) != "invalid" || !strings.Contains(body, `timezone: \"Mars/Olympus\" is not an IANA time zone name`) {
		t.Errorf("add with a bad zone: %d %s", code, body)
	}
	if _, err := f.st.SubscriberByEmail(ctx, "mars@example.org"); err == nil {
		t.Error("the refused add made a subscriber")
	}
	sub, err := f.st.SubscriberByEmail(ctx, "ann@example.org")
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/subscribers/%d", sub.ID)
	if code, body := f.do(t, f.editor, "GET", path, "", ""); code != 200 || zoneOf(body) != "Europe/London" {
		t.Errorf("get: %d %s", code, body)
	}
	if code, body := f.do(t, f.editor, "PATCH", path, "application/json", `{"timezone": "Asia/Jerusalem"}`); code != 200 || zoneOf(body) != "Asia/Jerusalem" ||
		!strings.Contains(body, `"kind": "timezone"`) {
		t.Errorf("patch: %d %s", code, body)
	}
	if code, body := f.do(t, f.editor, "PATCH", path, "application/json", `{"timezone": "Asia/Atlantis"}`); code != 422 || !strings.Contains(body, "timezone") {
		t.Errorf("patch with a bad zone: %d %s", code, body)
	}
	if code, body := f.do(t, f.editor, "PATCH", path, "application/json", `{}`); code != 200 || zoneOf(body) != "Asia/Jerusalem" {
		t.Errorf("patch without a zone: %d %s", code, body)
	}
	if code, body := f.do(t, f.editor, "PATCH", path, "application/json", `{"timezone": ""}`); code != 200 || zoneOf(body) != "" {
		t.Errorf("patch clearing the zone: %d %s", code, body)
	}
	if code, body := f.do(t, f.editor, "PATCH", "/api/subscribers/999", "application/json", `{"timezone": "UTC"}`); code != 404 {
		t.Errorf("patch of an unknown subscriber: %d %s", code, body)
	}
	if got, _ := f.st.SubscriberByEmail(ctx, "ann@example.org"); got.TimeZone != "" {
		t.Errorf("stored zone %q after clearing", got.TimeZone)
	}
}
