package api

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"masthead/ledger"
	"masthead/store"
	"masthead/subscribers"
)

// An extra edition through the API: POST /api/issues with "extra" adds it,
// an article with "edition" belongs to it, POST /api/issues/{id}/send sends
// it (its own ledger rows) and leaves the date's daily issue alone, and
// GET /api/issues lists both.
func TestExtraEditionThroughTheAPI(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, who := range []string{"a@example.org", "b@example.org"} {
		if _, err := f.st.AddSubscriber(ctx, who, "", f.pub.ID, subscribers.Active, subscribers.ViaEditor); err != nil {
			t.Fatal(err)
		}
	}
	call := func(method, path, body string, want int) map[string]any {
		t.Helper()
		ctype := ""
		if body != "" {
			ctype = "application/json"
		}
		status, out := f.do(t, f.editor, method, path, ctype, body)
		if status != want {
			t.Fatalf("%s %s: %d, want %d\n%s", method, path, status, want, out)
		}
		var v map[string]any
		json.Unmarshal([]byte(out), &v)
		return v
	}
	call("POST", "/api/articles", `{"date":"2009-07-09","title":"Council Votes","body":"Voted.","status":"ready"}`, 201)
	daily := call("POST", "/api/issues", `{"date":"2009-07-09"}`, 200)
	call("POST", "/api/articles", `{"date":"2009-07-09","edition":1,"title":"Too soon","status":"ready"}`, 422)
	extra := call("POST", "/api/issues", `{"date":"2009-07-09","extra":true,"title":"Breaking news","subject":"Bridge closed"}`, 201)
	if extra["edition"] != 1.0 || extra["number_label"] != "153-B" || extra["edition_title"] != "Breaking news" ||
		extra["subject"] != "Bridge closed" || extra["web_path"] != "/issues/planet/2009-07-09-extra-1" || extra["number"] != daily["number"] {
		t.Fatalf("the extra: %v (daily %v)", extra, daily)
	}
	call("POST", "/api/issues", `{"date":"2009-07-09","edition":1}`, 409) // no articles yet
	art := call("POST", "/api/articles", `{"date":"2009-07-09","edition":1,"title":"Bridge Closed","body":"Closed.","status":"ready"}`, 201)
	if art["edition"] != 1.0 {
		t.Errorf("the extra's article: %v", art)
	}
	id := jsonNumber(extra["id"])
	sent := call("POST", "/api/issues/"+id+"/send", "", 200)
	if sent["status"] != "sending" && sent["status"] != "sent" {
		t.Errorf("the extra after send: %v", sent)
	}
	arts, _ := sent["articles"].([]any)
	if len(arts) != 1 || arts[0].(map[string]any)["title"] != "Bridge Closed" {
		t.Errorf("the extra's articles: %v", sent["articles"])
	}
	again := call("GET", "/api/issues/"+jsonNumber(daily["id"]), "", 200)
	if again["status"] != "assembled" {
		t.Errorf("the daily issue after the extra's send: %v", again["status"])
	}
	rows, err := f.st.Deliveries(ctx, store.DeliveryFilter{IssueID: int64(extra["id"].(float64))})
	if err != nil || len(rows) != 2 {
		t.Errorf("the extra's ledger: %d rows, %v; want 2", len(rows), err)
	}
	for _, d := range rows {
		if d.Status != ledger.DeliveryQueued && d.Status != ledger.DeliverySent {
			t.Errorf("delivery %+v", d)
		}
	}
	if n, _ := f.st.Counts(ctx, int64(daily["id"].(float64))); n.Total != 0 {
		t.Errorf("the daily issue has %d ledger rows; want none", n.Total)
	}
	status, list := f.do(t, f.editor, "GET", "/api/issues", "", "")
	if status != 200 || !strings.Contains(list, `"number_label": "153-B"`) || !strings.Contains(list, `"number_label": "153"`) {
		t.Errorf("issue list: %d\n%s", status, list)
	}
}

func jsonNumber(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
