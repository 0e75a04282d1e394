package api

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"masthead/subscribers"
)

// An admin erases a person through the API: the answer says what went and
// that the hash is kept; the subscriber is gone, the address stays
// suppressed (an add through the API is refused), an editor may not erase,
// and erasing again is 404.
func TestEraseSubscriberAPI(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sub, err := f.st.AddSubscriber(ctx, "ada@example.org", "Ada Lovelace", f.pub.ID, subscribers.Active, subscribers.ViaEditor)
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/subscribers/%d/erase", sub.ID)
	if code, body := f.do(t, f.editor, "POST", path, "", ""); code != 403 {
		t.Errorf("an editor's erasure: %d %s", code, body)
	}
	code, body := f.do(t, f.admin, "POST", path, "", "")
	if code != 200 {
		t.Fatalf("erase: %d %s", code, body)
	}
	var got erasureJSON
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got.Email != "ada@example.org" || got.SubscriberID != sub.ID || got.Subscriptions != 1 || !got.HashKept ||
		!strings.Contains(got.Summary, "keyed hash") {
		t.Errorf("erase answered %s", body)
	}
	if code, body := f.do(t, f.admin, "GET", fmt.Sprintf("/api/subscribers/%d", sub.ID), "", ""); code != 404 {
		t.Errorf("the erased subscriber: %d %s", code, body)
	}
	code, body = f.do(t, f.admin, "POST", "/api/subscribers", "application/json", `{"email": "ada@example.org", "name": "Ada"}`)
	if code != 409 || errorCode(body) != "suppressed" {
		t.Errorf("adding the erased address again: %d %s", code, body)
	}
	if code, body := f.do(t, f.admin, "POST", path, "", ""); code != 404 {
		t.Errorf("erasing again: %d %s", code, body)
	}
}
