package api

import (
	"encoding/json"
	"strings"
	"testing"
)

// A client creates an article with its own key, finds the key in the
// article's JSON, changes it, and is refused another article's key.
func TestArticleKeyInTheAPI(t *testing.T) {
	f := newFixture(t)
	type art struct {
		ID  int64  `json:"id"`
		Key string `json:"key"`
	}
	create := func(body string) art {
		t.Helper()
		code, out := f.do(t, f.editor, "POST", "/api/articles", "application/json", body)
		if code != 201 {
			t.Fatalf("create %s: %d %s", body, code, out)
		}
		var a art
		if err := json.Unmarshal([]byte(out), &a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	own := create(`{"date":"2009-07-09","title":"Ferry","section":"News","key":"cms:4411"}`)
	if own.Key != "cms:4411" {
		t.Errorf("created with key cms:4411: %+v", own)
	}
	assigned := create(`{"date":"2009-07-09","title":"Heat","section":"News"}`)
	if assigned.Key != "a"+itoa(int(assigned.ID)) {
		t.Errorf("created without a key: %+v, want a%d", assigned, assigned.ID)
	}
	if code, out := f.do(t, f.editor, "GET", "/api/articles/"+itoa(int(own.ID)), "", ""); code != 200 || !strings.Contains(out, `"key": "cms:4411"`) {
		t.Errorf("get: %d %s", code, out)
	}
	code, out := f.do(t, f.editor, "PATCH", "/api/articles/"+itoa(int(assigned.ID)), "application/json", `{"key":"cms:4411"}`)
	if code != 422 || errorCode(out) != "invalid" || !strings.Contains(out, `is already the key of article `+itoa(int(own.ID))) {
		t.Errorf("patch to a taken key: %d %s", code, out)
	}
	code, out = f.do(t, f.editor, "POST", "/api/articles", "application/json", `{"date":"2009-07-09","title":"X","key":"a999"}`)
	if code != 422 || !strings.Contains(out, "the form of the keys masthead assigns") {
		t.Errorf("create with a key of the assigned form: %d %s", code, out)
	}
	code, out = f.do(t, f.editor, "PATCH", "/api/articles/"+itoa(int(assigned.ID)), "application/json", `{"key":"cms:4412","title":"Heat wave"}`)
	if code != 200 || !strings.Contains(out, `"key": "cms:4412"`) {
		t.Errorf("patch the key: %d %s", code, out)
	}
	if code, out = f.do(t, f.editor, "GET", "/api/articles?date=2009-07-09", "", ""); code != 200 ||
		!strings.Contains(out, `"key": "cms:4411"`) || !strings.Contains(out, `"key": "cms:4412"`) {
		t.Errorf("list: %d %s", code, out)
	}
}
