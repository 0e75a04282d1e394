package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"masthead/store"
)

// issue send --at-once of a publication that delivers at each reader's
// hour, with every reader's hour hours away: every copy goes now, the send
// finishes (exit 0) and the issue is sent.
func TestIssueSendAtOnceDeliversWaitingCopies(t *testing.T) {
	ctx := context.Background()
	db := newDB(t)
	setupPlanet(t, db)
	// Two and a half hours ago on a UTC clock: in London (UTC+0 or +1) the
	// hour is 20 hours or more away, in Tokyo (UTC+9) 12.
	zones := map[string]string{"clark@example.org": "Europe/London", "jimmy@example.org": "Asia/Tokyo"}
	localTimePlanet(t, db, time.Now().UTC().Add(-150*time.Minute).Format("15:04"), zones)
	code, out, errs := runCLI(t, db, "", "issue", "send", "--at-once", "--date", "2009-07-09", "--give-up", "30s")
	if code != 0 {
		t.Fatalf("issue send --at-once: exit %d, want 0\n%s%s", code, out, errs)
	}
	for _, w := range []string{"delivering 2 waiting copies now, not at each reader's local time", "sent after"} {
		if !strings.Contains(out, w) {
			t.Errorf("issue send --at-once lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, "wait for their readers'") {
		t.Errorf("issue send --at-once left copies for their hour:\n%s", out)
	}
	list, err := openStoreAt(t, db).Outbox(ctx, store.OutboxFilter{})
	if err != nil || len(list) != 2 {
		t.Fatalf("outbox: %d messages, %v; want 2", len(list), err)
	}
	got := map[string]bool{}
	for _, m := range list {
		got[m.Recipient] = true
	}
	for who := range zones {
		if !got[who] {
			t.Errorf("no copy for %s in the outbox", who)
		}
	}
	if code, out, _ := runCLI(t, db, "", "issue", "status", "--date", "2009-07-09"); code != 0 || strings.Contains(out, "waiting for local time") || !strings.Contains(out, "sent") {
		t.Errorf("issue status after --at-once: exit %d\n%s", code, out)
	}
}
