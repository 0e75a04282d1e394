package store

import (
	"context"
	"fmt"
	"testing"
)

// testReaderZones: the readers an issue would go to, counted by zone; the
// pending, the unsubscribed and the suppressed are not among them.
func testReaderZones(t *testing.T, dsn string) {
	f := newSendFixtureAt(t, dsn, 0)
	active := f.subscribers(t, f.pubID, 0, 4, "active", "active")
	pending := f.subscribers(t, f.pubID, 4, 1, "active", "pending")
	gone := f.subscribers(t, f.pubID, 5, 1, "active", "unsubscribed")
	bounced := f.subscribers(t, f.pubID, 6, 1, "bounced", "active")
	for i, z := range []string{"Europe/London", "", "Europe/London", "Asia/Tokyo"} {
		f.exec(t, `UPDATE subscribers SET timezone = ? WHERE id = ?`, z, active[i])
	}
	for _, id := range []int64{pending[0], gone[0], bounced[0]} {
		f.exec(t, `UPDATE subscribers SET timezone = 'America/New_York' WHERE id = ?`, id)
	}
	got, err := f.s.ReaderZones(context.Background(), f.pubID)
	if err != nil {
		t.Fatal(err)
	}
	if s := fmt.Sprint(got); s != "[{ 1} {Asia/Tokyo 1} {Europe/London 2}]" {
		t.Errorf("reader zones: %s", s)
	}
}
