package api

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"masthead/store"
)

// TestDeliverNow: POST /api/issues/{id}/deliver-now makes every copy of a
// local-time send that waits for its reader's hour due at once and answers
// the progress with due_now; it needs a token, and an issue that is not
// sending or paused is a 409.
func TestDeliverNow(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t) // New York
	// Two and a half hours ago on a UTC clock: hours away in New York and Tokyo.
	iss, _ := f.localTimeSend(t, time.Now().UTC().Add(-150*time.Minute).Format("15:04"))
	url := fmt.Sprintf("/api/issues/%d/deliver-now", iss.ID)
	if code, body := f.do(t, "", "POST", url, "", ""); code != 401 {
		t.Fatalf("without a token: %d %s", code, body)
	}
	if c, _ := f.st.Counts(ctx, iss.ID); c.Waiting != 2 {
		t.Fatalf("waiting before: %+v", c)
	}

	var got struct {
		Status  string          `json:"status"`
		Waiting *int            `json:"waiting"`
		Pending int             `json:"pending"`
		DueNow  *int            `json:"due_now"`
		Next    json.RawMessage `json:"next_local"`
	}
	post := func(want int) {
		t.Helper()
		code, body := f.do(t, f.editor, "POST", url, "", "")
		got.Waiting, got.DueNow = nil, nil
		if code != 200 || json.Unmarshal([]byte(body), &got) != nil {
			t.Fatalf("deliver-now: %d %s", code, body)
		}
		if got.DueNow == nil || *got.DueNow != want || got.Waiting == nil || *got.Waiting != 0 ||
			got.Pending != 2 || got.Status != "sending" || string(got.Next) != "null" {
			t.Errorf("deliver-now: want due_now %d, nothing waiting, 2 pending:\n%s", want, body)
		}
	}
	post(2)
	rows, err := f.st.Deliveries(ctx, store.DeliveryFilter{IssueID: iss.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.NextAttemptAt.After(time.Now()) {
			t.Errorf("row %d still due at %s", r.ID, r.NextAttemptAt)
		}
	}
	post(0)

	if err := f.api.work.Cancel(ctx, iss); err != nil {
		t.Fatal(err)
	}
	if code, body := f.do(t, f.editor, "POST", url, "", ""); code != 409 || errorCode(body) != "wrong_state" {
		t.Errorf("deliver-now of a cancelled send: %d %s; want 409 wrong_state", code, body)
	}
}
