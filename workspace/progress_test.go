package workspace_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"masthead/delivery"
	"masthead/ledger"
	"masthead/newsletter"
	"masthead/store"
	"masthead/subscribers"
	"masthead/workspace"
)

// A publication in New York that delivers at 06:00 on each reader's clock,
// released at 05:00 on Saturday 24 October 2026 (the day before Europe's
// clocks go back): its New York readers wait an hour, its London reader
// until Sunday. Progress counts the waiting rows, names the next group in
// its own zone and clock, and estimates only the rows that are due.
func TestProgressOfALocalTimeSend(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	st, err := store.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ny, _ := time.LoadLocation("America/New_York")
	now := time.Date(2026, 10, 24, 5, 0, 0, 0, ny)
	clock := func() time.Time { return now }
	st.SetClock(clock)
	p := &newsletter.Publication{Slug: "planet", Name: "The Daily Planet", From: "news@planet.example",
		TimeZone: "America/New_York", Schedule: "30 6 * * 1-5", VolumeStart: newsletter.Date{Year: 2007, Month: 2, Day: 7},
		Sections: []string{"News"}, Deliver: newsletter.DeliverLocal, LocalTime: "06:00"}
	p.Normalize()
	if err := st.SavePublication(ctx, p); err != nil {
		t.Fatal(err)
	}
	eng, err := delivery.New(st, delivery.NewOutbox(st), delivery.Config{BaseURL: "https://planet.example",
		Signer: subscribers.NewSigner([]byte("0123456789abcdef0123")), Now: clock}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w, err := workspace.New(workspace.Config{Store: st, Sends: eng, BaseURL: "https://planet.example", Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	for _, r := range []struct{ email, zone string }{
		{"home@example.org", ""}, {"nyc@example.org", "America/New_York"}, {"london@example.org", "Europe/London"},
	} {
		sub, err := st.AddSubscriber(ctx, r.email, "", p.ID, subscribers.Active, subscribers.ViaEditor)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.ExecContext(ctx, `UPDATE subscribers SET timezone = ? WHERE id = ?`, r.zone, sub.ID); err != nil {
			t.Fatal(err)
		}
	}
	d := newsletter.Date{Year: 2026, Month: 10, Day: 24}
	if err := w.SaveArticle(ctx, p, &newsletter.Article{Date: d, Title: "Dawn", Section: "News", Status: newsletter.Ready}); err != nil {
		t.Fatal(err)
	}
	iss, res, err := w.SendNow(ctx, p, d)
	if err != nil || res.Queued != 3 {
		t.Fatalf("send: %+v, %v", res, err)
	}
	progress := func() (workspace.Progress, map[string]any) {
		t.Helper()
		pr, err := w.Progress(ctx, iss)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(pr)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return pr, m
	}

	// 05:00 in New York: every row waits; the next group is the
	// publication's own zone, named, at 06:00 on its clock.
	pr, m := progress()
	if pr.Waiting != 3 || pr.Pending != 3 || pr.ETA != 0 {
		t.Errorf("at 05:00 New York: waiting %d, pending %d, eta %v; want 3, 3, 0", pr.Waiting, pr.Pending, pr.ETA)
	}
	if want := "waiting for local time: 3 (next at 06:00 America/New_York, Sat 24 Oct)"; pr.WaitingLine() != want {
		t.Errorf("at 05:00 New York: %q, want %q", pr.WaitingLine(), want)
	}
	next, _ := m["next_local"].(map[string]any)
	if m["waiting"] != 3.0 || next["at"] != "2026-10-24T06:00:00-04:00" || next["zone"] != "America/New_York" {
		t.Errorf("at 05:00 New York, JSON: waiting %v, next_local %v", m["waiting"], m["next_local"])
	}

	// 06:30 in New York: its two readers are due; one is sent, one is being
	// sent; London's waits. The estimate is of the one due row left.
	now = time.Date(2026, 10, 24, 6, 30, 0, 0, ny)
	rows, err := st.Claim(ctx, iss.ID, "w1", eng.Transport(), 10, time.Minute)
	if err != nil || len(rows) != 2 {
		t.Fatalf("claim at 06:30 New York: %d rows, %v", len(rows), err)
	}
	if err := st.Record(ctx, []ledger.Outcome{{DeliveryID: rows[0].ID, Owner: "w1", Kind: ledger.OutcomeSent, At: now, Code: 250}}, ledger.BouncePolicy{}); err != nil {
		t.Fatal(err)
	}
	pr, m = progress()
	if pr.Waiting != 1 || pr.Pending != 2 || pr.Sent != 1 {
		t.Errorf("at 06:30 New York: waiting %d, pending %d, sent %d; want 1, 2, 1", pr.Waiting, pr.Pending, pr.Sent)
	}
	// One message in the 90 minutes since the release; one row is due.
	if rate := 1 / (90 * time.Minute).Seconds(); math.Abs(pr.Rate-rate) > rate/1000 || math.Abs(pr.ETA-1/rate) > 1 {
		t.Errorf("at 06:30 New York: rate %v/s, eta %v s; want %v/s and %v s (the due row only)", pr.Rate, pr.ETA, rate, 1/rate)
	}
	if want := "waiting for local time: 1 (next at 06:00 Europe/London, Sun 25 Oct)"; pr.WaitingLine() != want {
		t.Errorf("at 06:30 New York: %q, want %q", pr.WaitingLine(), want)
	}
	next, _ = m["next_local"].(map[string]any)
	if next["at"] != "2026-10-25T06:00:00Z" || next["zone"] != "Europe/London" {
		t.Errorf("at 06:30 New York, JSON next_local %v; want 06:00 GMT in Europe/London", m["next_local"])
	}
	if err := st.Record(ctx, []ledger.Outcome{{DeliveryID: rows[1].ID, Owner: "w1", Kind: ledger.OutcomeSent, At: now, Code: 250}}, ledger.BouncePolicy{}); err != nil {
		t.Fatal(err)
	}
	pr, _ = progress()
	if pr.ETA != 0 || pr.Pending != 1 {
		t.Errorf("with only London's row left, waiting: eta %v, pending %d; want no estimate, 1", pr.ETA, pr.Pending)
	}

	// 06:00 in London: nothing waits any more.
	now = time.Date(2026, 10, 25, 6, 0, 0, 0, time.UTC)
	pr, m = progress()
	if pr.Waiting != 0 || pr.NextLocal != nil || m["next_local"] != nil || !strings.Contains(string(mustJSON(t, pr)), `"next_local":null`) || pr.WaitingLine() != "" {
		t.Errorf("at 06:00 London: waiting %d, next %+v, line %q; want none", pr.Waiting, pr.NextLocal, pr.WaitingLine())
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
