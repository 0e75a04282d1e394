package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"masthead/ledger"
	"masthead/newsletter"
	"masthead/subscribers"
)

// A send paused by the engine keeps its reason until it is resumed; the
// suppressions its own bounces made are lifted together, the subscribers are
// back as before and their rows queued again, while a suppression of another
// kind stays.
func testPauseReasonAndSendLift(t *testing.T, dsn string) {
	ctx := context.Background()
	f := newSendFixtureAt(t, dsn, 4)
	if _, err := f.s.StartSend(ctx, f.issueID, editorStart, ""); err != nil {
		t.Fatal(err)
	}
	rows := f.claimAll(t, f.issueID)
	now := time.Now()
	var outs []ledger.Outcome
	for i, sub := range f.subs[:3] {
		o := ledger.Outcome{DeliveryID: rows[sub].ID, Owner: "w", Kind: ledger.OutcomeFailed, At: now, Code: 550, Reply: "550 5.1.1 user unknown", Bounce: ledger.HardBounce}
		if i == 2 {
			o = ledger.Outcome{DeliveryID: rows[sub].ID, Owner: "w", Kind: ledger.OutcomeSent, At: now, Code: 250}
		}
		outs = append(outs, o)
	}
	if err := f.s.Record(ctx, outs, ledger.BouncePolicy{}); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Suppress(ctx, "reader3@example.net", subscribers.Complained, subscribers.ViaComplaint, "abuse"); err != nil {
		t.Fatal(err)
	}
	if n, err := f.s.SendSuppressions(ctx, f.issueID); err != nil || n != 2 {
		t.Fatalf("send suppressions: %d, %v; want 2", n, err)
	}

	const why = "the mail server refuses our mail: 554 5.7.1 Relay access denied"
	if err := f.s.PauseSendFor(ctx, f.issueID, why); err != nil {
		t.Fatal(err)
	}
	if err := f.s.PauseSendFor(ctx, f.issueID, why); !errors.Is(err, ErrConflict) {
		t.Fatalf("pausing a paused send: %v, want ErrConflict", err)
	}
	iss, _ := f.s.Issue(ctx, f.issueID)
	if iss.Status != newsletter.Paused || iss.PauseReason != why {
		t.Fatalf("issue %s, reason %q", iss.Status, iss.PauseReason)
	}

	lift, err := f.s.LiftSendSuppressions(ctx, f.issueID, subscribers.ViaEditor, "lifted by ed@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(lift.Lifted, " ") != "reader0@example.net reader1@example.net" || lift.Requeued != 2 {
		t.Fatalf("lift: %+v", lift)
	}
	for _, sub := range f.subs[:2] {
		if st := f.scalar(t, `SELECT status FROM subscribers WHERE id = ?`, sub); st != "active" {
			t.Errorf("subscriber %d is %s after the lift", sub, st)
		}
		if st := f.scalar(t, `SELECT status FROM deliveries WHERE id = ?`, rows[sub].ID); st != "queued" {
			t.Errorf("row of %d is %s after the lift", sub, st)
		}
		if ev := f.scalar(t, `SELECT detail FROM subscriber_events WHERE subscriber_id = ? AND kind = 'lifted'`, sub); ev != "lifted by ed@example.org" {
			t.Errorf("event %q", ev)
		}
	}
	if st := f.scalar(t, `SELECT status FROM subscribers WHERE email = 'reader3@example.net'`); st != "complained" {
		t.Errorf("the complaint was lifted too: %s", st)
	}
	if again, err := f.s.LiftSendSuppressions(ctx, f.issueID, subscribers.ViaEditor, ""); err != nil || len(again.Lifted) != 0 {
		t.Errorf("second lift: %+v, %v", again, err)
	}

	if err := f.s.ResumeSend(ctx, f.issueID); err != nil {
		t.Fatal(err)
	}
	if iss, _ := f.s.Issue(ctx, f.issueID); iss.PauseReason != "" {
		t.Errorf("reason %q kept after the resume", iss.PauseReason)
	}
	if n, err := f.s.RefusedSends(ctx); err != nil || n["daily"] != 0 {
		t.Errorf("refused sends after the resume: %v, %v", n, err)
	}
	if _, err := f.s.LiftSendSuppressions(ctx, 999, subscribers.ViaEditor, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("lift of a missing issue: %v", err)
	}
}
