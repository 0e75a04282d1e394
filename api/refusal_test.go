package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"masthead/assembly"
	"masthead/ledger"
	"masthead/newsletter"
	"masthead/subscribers"
)

// A send masthead paused says why in the issue and its status; the
// suppressions its bounces made are lifted with one call, which names them
// and puts their rows back in the queue.
func TestPauseReasonAndSendLift(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	d := newsletter.Date{Year: 2009, Month: 7, Day: 9}
	if err := f.st.SaveArticles(ctx, &newsletter.Article{PublicationID: f.pub.ID, Date: d, Section: "News",
		Title: "Heat", Body: "Hot.", Status: newsletter.Ready}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := f.st.AddSubscriber(ctx, fmt.Sprintf("r%d@example.org", i), "", f.pub.ID, subscribers.Active, subscribers.ViaEditor); err != nil {
			t.Fatal(err)
		}
	}
	iss, err := assembly.New(f.st, "https://planet.example").Assemble(ctx, f.pub, d)
	if err != nil {
		t.Fatal(err)
	}
	// What the engine does with a relay that refused everyone: two rows
	// bounced before it saw that, then the pause.
	if _, err := f.st.StartSend(ctx, iss.ID, newsletter.Statuses(newsletter.IssueStatus.EditorCanStart), ""); err != nil {
		t.Fatal(err)
	}
	rows, err := f.st.Claim(ctx, iss.ID, "w", "", 2, time.Minute)
	if err != nil || len(rows) != 2 {
		t.Fatalf("claim: %v, %v", rows, err)
	}
	var outs []ledger.Outcome
	for _, r := range rows {
		outs = append(outs, ledger.Outcome{DeliveryID: r.ID, Owner: "w", Kind: ledger.OutcomeFailed, At: time.Now(), Code: 550,
			Reply: "550 5.1.1 mailbox unavailable", Bounce: ledger.HardBounce})
	}
	if err := f.st.Record(ctx, outs, ledger.BouncePolicy{}); err != nil {
		t.Fatal(err)
	}
	const why = "the mail server refuses our mail: 554 Relay access denied"
	if err := f.st.PauseSendFor(ctx, iss.ID, why); err != nil {
		t.Fatal(err)
	}

	path := fmt.Sprintf("/api/issues/%d", iss.ID)
	var got struct {
		Status      string `json:"status"`
		PauseReason string `json:"pause_reason"`
	}
	for _, p := range []string{path, path + "/status"} {
		code, body := f.do(t, f.editor, "GET", p, "", "")
		if code != http.StatusOK || json.Unmarshal([]byte(body), &got) != nil || got.Status != "paused" || got.PauseReason != why {
			t.Fatalf("GET %s: %d %s", p, code, body)
		}
	}
	code, body := f.do(t, f.editor, "POST", path+"/lift-suppressions", "", "")
	var lift struct {
		Lifted   []string `json:"lifted"`
		Requeued int      `json:"requeued"`
	}
	if code != http.StatusOK || json.Unmarshal([]byte(body), &lift) != nil || len(lift.Lifted) != 2 || lift.Requeued != 2 {
		t.Fatalf("lift: %d %s", code, body)
	}
	c, err := f.st.SubscriberCounts(ctx, 0)
	if err != nil || c[subscribers.Active] != 3 {
		t.Fatalf("subscribers after the lift: %v, %v", c, err)
	}
	counts, _ := f.st.Counts(ctx, iss.ID)
	if counts.Queued != 3 || counts.Failed != 0 {
		t.Errorf("ledger after the lift: %+v; want every row queued", counts)
	}
	sub, _ := f.st.SubscriberByEmail(ctx, lift.Lifted[0])
	events, _ := f.st.SubscriberEvents(ctx, sub.ID)
	last := events[len(events)-1]
	if last.Kind != subscribers.EventLifted || last.Via != subscribers.ViaAPI || !strings.Contains(last.Detail, "lois@planet.example") {
		t.Errorf("last event %+v", last)
	}
	if code, body := f.do(t, f.editor, "POST", "/api/issues/999/lift-suppressions", "", ""); code != http.StatusNotFound {
		t.Errorf("lift of a missing issue: %d %s", code, body)
	}
}
