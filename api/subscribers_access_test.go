package api

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"masthead/subscribers"
)

// The whole list is an admin's: an editor gets one page of subscribers (no
// next link, and a later page refused), an admin pages through them all.
func TestEditorsSeeOnePageOfSubscribers(t *testing.T) {
	f := newFixture(t)
	for i := range 5 {
		if _, err := f.st.AddSubscriber(context.Background(), fmt.Sprintf("r%d@example.org", i), "", f.pub.ID,
			subscribers.Active, subscribers.ViaEditor); err != nil {
			t.Fatal(err)
		}
	}
	code, body := f.do(t, f.editor, "GET", "/api/subscribers?per_page=2", "", "")
	if code != 200 || strings.Count(body, `"email"`) != 2 || !strings.Contains(body, `"next": ""`) {
		t.Errorf("editor, first page: %d %s", code, body)
	}
	for _, p := range []string{"/api/subscribers?per_page=2&before=4", "/api/subscribers?page=2"} {
		if code, body := f.do(t, f.editor, "GET", p, "", ""); code != 403 || errorCode(body) != "forbidden" {
			t.Errorf("editor, %s: %d %s", p, code, body)
		}
	}
	code, body = f.do(t, f.admin, "GET", "/api/subscribers?per_page=2", "", "")
	if code != 200 || !strings.Contains(body, `"next": "/api/subscribers?before=`) {
		t.Fatalf("admin, first page: %d %s", code, body)
	}
	if code, body := f.do(t, f.admin, "GET", "/api/subscribers?per_page=2&before=4", "", ""); code != 200 || strings.Count(body, `"email"`) != 2 {
		t.Errorf("admin, a later page: %d %s", code, body)
	}
}
