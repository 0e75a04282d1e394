package store

import (
	"context"
	"errors"
	"testing"

	"masthead/ledger"
	"masthead/newsletter"
)

// StartSend starts only from the statuses it is given, read under the
// lock: the scheduler's set leaves held, sending and paused issues alone,
// while StartSend (an editor's send now) sends a held issue.
func testStartSendOnlyFrom(t *testing.T, dsn string) {
	ctx := context.Background()
	f := newSendFixtureAt(t, dsn, 3)
	fire := []newsletter.IssueStatus{newsletter.Assembled, newsletter.Scheduled}
	counts := func() ledger.DeliveryCounts {
		t.Helper()
		c, err := f.s.Counts(ctx, f.issueID)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	f.exec(t, `UPDATE issues SET status = 'held' WHERE id = ?`, f.issueID)
	if _, err := f.s.StartSend(ctx, f.issueID, fire, ""); !errors.Is(err, ErrConflict) {
		t.Fatalf("a fire's start of a held issue: %v, want ErrConflict", err)
	}
	if st, _ := f.s.IssueStatus(ctx, f.issueID); st != newsletter.Held || counts().Total != 0 {
		t.Fatalf("after a refused start: %s with %+v", st, counts())
	}
	if res, err := f.s.StartSend(ctx, f.issueID, editorStart, ""); err != nil || res.Queued != 3 {
		t.Fatalf("send now of a held issue: %+v, %v", res, err)
	}
	// Sending and paused are not in the fire's set: neither a second start
	// nor a resume of an editor's pause.
	if _, err := f.s.StartSend(ctx, f.issueID, fire, ""); !errors.Is(err, ErrConflict) {
		t.Fatalf("a fire's start of a sending issue: %v, want ErrConflict", err)
	}
	if err := f.s.PauseSend(ctx, f.issueID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.StartSend(ctx, f.issueID, fire, ""); !errors.Is(err, ErrConflict) {
		t.Fatalf("a fire's start of a paused issue: %v, want ErrConflict", err)
	}
	if st, _ := f.s.IssueStatus(ctx, f.issueID); st != newsletter.Paused {
		t.Fatalf("a fire resumed a paused issue: %s", st)
	}
	if res, err := f.s.StartSend(ctx, f.issueID, editorStart, ""); err != nil || !res.Resumed {
		t.Fatalf("send now of a paused issue: %+v, %v", res, err)
	}
}
