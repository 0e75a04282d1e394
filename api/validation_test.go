package api

import (
	"encoding/json"
	"regexp"
	"testing"
)

// TestInvalidInputNamesTheField: every list filter refuses a value it does
// not know with 400 and the error shape (instead of an empty list), and a
// well-formed body with a bad value in a field answers 422 "invalid" naming
// the field as the JSON has it.
func TestInvalidInputNamesTheField(t *testing.T) {
	f := newFixture(t)
	if code, body := f.do(t, f.editor, "POST", "/api/articles", "application/json",
		`{"date":"2009-07-09","section":"News","title":"Council Votes","status":"ready"}`); code != 201 {
		t.Fatalf("create article: %d %s", code, body)
	}
	if code, body := f.do(t, f.editor, "POST", "/api/issues", "application/json", `{"date":"2009-07-09"}`); code != 200 {
		t.Fatalf("assemble: %d %s", code, body)
	}
	for _, tc := range []struct {
		token, method, path, body string
		wantStatus                int
		wantCode, wantMessage     string
	}{
		{f.editor, "GET", "/api/issues?status=bogus", "", 400, "bad_request", `status`},
		{f.editor, "GET", "/api/issues?status=assembled", "", 200, "", `"status": "assembled"`},
		{f.editor, "GET", "/api/issues?from=July", "", 400, "bad_request", `from`},
		{f.editor, "GET", "/api/issues/1/deliveries?status=bogus", "", 400, "bad_request", `status`},
		{f.editor, "GET", "/api/articles?status=bogus", "", 400, "bad_request", `status`},
		{f.editor, "GET", "/api/articles?date=9+July", "", 400, "bad_request", `date`},
		{f.editor, "GET", "/api/subscribers?status=bogus", "", 400, "bad_request", `status`},
		{f.admin, "GET", "/api/subscribers?before=x", "", 400, "bad_request", `before`},

		{f.admin, "PATCH", "/api/publications/planet", `{"volume_start":"07/02/2007"}`, 422, "invalid", `^volume_start: .*YYYY-MM-DD`},
		{f.admin, "PATCH", "/api/publications/planet", `{"numbering":"roman"}`, 422, "invalid", `^numbering: `},
		{f.admin, "PATCH", "/api/publications/planet", `{"empty_policy":"shrug"}`, 422, "invalid", `^empty_policy: `},
		{f.admin, "PATCH", "/api/publications/planet", `{"reply_to":"not an address"}`, 422, "invalid", `^reply_to: `},
		{f.admin, "PATCH", "/api/publications/planet", `{"unsubscribe_mailto":"nope"}`, 422, "invalid", `^unsubscribe_mailto: `},
		{f.admin, "PATCH", "/api/publications/planet", `{"schedule":"61 * * * *"}`, 422, "invalid", `^schedule: `},
		{f.editor, "POST", "/api/articles", `{"title":"x","date":"9 July"}`, 422, "invalid", `^date: .*YYYY-MM-DD`},
		{f.editor, "PATCH", "/api/articles/1", `{"date":"2009-13-01"}`, 422, "invalid", `^date: `},
		{f.editor, "PATCH", "/api/articles/1", `{"status":"published"}`, 422, "invalid", `^status: `},
		{f.editor, "PATCH", "/api/articles/1", `{"position":-1}`, 422, "invalid", `^position: `},
		{f.editor, "PATCH", "/api/articles/1", `{"position":9223372036854775807}`, 422, "invalid", `^position: must be from 0 to 10000`},
		{f.editor, "PATCH", "/api/articles/1", `{"title":"Council\u0085Votes"}`, 422, "invalid", `^title: must be one line`},
		{f.editor, "POST", "/api/subscribers", `{"email":"nel@example.org","name":"Jane\u0085Doe"}`, 422, "invalid", `^name: name contains a line break`},
		{f.editor, "POST", "/api/issues", `{"date":"tomorrow"}`, 422, "invalid", `^date: `},
		// A JSON type error is still the body's fault: 400.
		{f.admin, "PATCH", "/api/publications/planet", `{"volume_start":7}`, 400, "bad_json", `volume_start`},
	} {
		ctype := ""
		if tc.body != "" {
			ctype = "application/json"
		}
		code, body := f.do(t, tc.token, tc.method, tc.path, ctype, tc.body)
		if code != tc.wantStatus {
			t.Errorf("%s %s %s: status %d, want %d\n%.500s", tc.method, tc.path, tc.body, code, tc.wantStatus, body)
			continue
		}
		if tc.wantCode == "" {
			if !regexp.MustCompile(tc.wantMessage).MatchString(body) {
				t.Errorf("%s %s: body does not match %s\n%.500s", tc.method, tc.path, tc.wantMessage, body)
			}
			continue
		}
		var msg string
		if errorCode(body) != tc.wantCode {
			t.Errorf("%s %s %s: error code %q, want %q\n%.500s", tc.method, tc.path, tc.body, errorCode(body), tc.wantCode, body)
		} else if msg = errorMessage(body); !regexp.MustCompile(tc.wantMessage).MatchString(msg) {
			t.Errorf("%s %s %s: message %q does not match %s", tc.method, tc.path, tc.body, msg, tc.wantMessage)
		}
	}
}

func errorMessage(body string) string {
	var e errorBody
	if json.Unmarshal([]byte(body), &e) != nil {
		return "(not an error body)"
	}
	return e.Error.Message
}
