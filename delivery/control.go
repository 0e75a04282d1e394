package delivery

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"

	"masthead/ledger"
	"masthead/newsletter"
)

// Start snapshots an issue's audience and moves it to sending (or resumes a
// paused one): an editor's "send now", from any status that
// newsletter.IssueStatus.EditorCanStart. The send records this engine's
// transport; an issue already sending through another one gives a
// *ledger.TransportError (ledger.ErrOtherTransport). Run then delivers it.
func (e *Engine) Start(ctx context.Context, issueID int64) (ledger.StartResult, error) {
	return e.StartFrom(ctx, issueID, newsletter.Statuses(newsletter.IssueStatus.EditorCanStart))
}

// StartFrom is Start only if the issue's status is one of from (else
// ledger.ErrConflict): the scheduler's fires start only issues still waiting
// for them (newsletter.IssueStatus.FireStarts).
func (e *Engine) StartFrom(ctx context.Context, issueID int64, from []newsletter.IssueStatus) (ledger.StartResult, error) {
	if err := e.checkLinks(ctx, issueID); err != nil {
		return ledger.StartResult{}, err
	}
	res, err := e.ledger.StartSend(ctx, issueID, from, e.cfg.Transport)
	if err == nil {
		e.started()
	}
	return res, err
}

// Pause stops the issue's workers (in this and every other process) from
// claiming more rows; messages in flight finish and are recorded.
func (e *Engine) Pause(ctx context.Context, issueID int64) error {
	return e.ledger.PauseSend(ctx, issueID)
}

// Resume lets a paused issue be claimed again; call Run to deliver it.
func (e *Engine) Resume(ctx context.Context, issueID int64) error {
	err := e.ledger.ResumeSend(ctx, issueID)
	if err == nil {
		e.started()
	}
	return err
}

// DueNow makes every row of a sending or paused issue that waits for its
// reader's local time due at once (an editor's "deliver the waiting copies
// now") and wakes the process's workers; it returns how many rows it moved.
func (e *Engine) DueNow(ctx context.Context, issueID int64) (int, error) {
	n, err := e.ledger.DueNow(ctx, issueID)
	if err == nil {
		e.started()
	}
	return n, err
}

// started tells the process's workers that a send may be waiting for them.
func (e *Engine) started() {
	if e.cfg.Started != nil {
		e.cfg.Started()
	}
}

// Cancel stops an issue for good; rows not yet sent become cancelled.
func (e *Engine) Cancel(ctx context.Context, issueID int64) error {
	return e.ledger.CancelSend(ctx, issueID)
}

// TestSend sends an issue to one address, as its subscribers get it but with
// a Message-ID of its own and an unsubscribe link that names no subscriber.
// The ledger is not touched.
func (e *Engine) TestSend(ctx context.Context, issueID int64, addr string) error {
	if err := e.checkLinks(ctx, issueID); err != nil {
		return err
	}
	comp, err := e.Composer(ctx, issueID)
	if err != nil {
		return err
	}
	var b [6]byte
	rand.Read(b[:])
	domain := comp.from.Address[strings.LastIndexByte(comp.from.Address, '@')+1:]
	mid := fmt.Sprintf("<test.%d.%s@%s>", issueID, hex.EncodeToString(b[:]), domain)
	msg, err := comp.Compose(Recipient{Email: addr, MessageID: mid}, &Buffers{})
	if err != nil {
		return err
	}
	conn, err := e.sender.Open(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	m := &Message{Mail: msg, To: addr, Subject: comp.subject, MessageID: mid}
	err = conn.Send(ctx, m)
	if res := classify(err, m); res.verdict != accepted {
		return fmt.Errorf("test send to %s: %w", addr, err)
	}
	return nil
}

// reclaimDead ends at once the leases of owners on this host whose process
// has exited (a run that crashed or was killed), so a restarted send need not
// wait for them to expire. An owner's name is "host/pid/random"; a process is
// taken for dead only when this host has no process with its pid.
func (e *Engine) reclaimDead(ctx context.Context, issueID int64) {
	owners, err := e.ledger.LeaseOwners(ctx, issueID)
	if err != nil {
		e.log.Warn("listing lease owners failed", "issue", issueID, "err", err)
		return
	}
	host, _ := os.Hostname()
	for _, o := range owners {
		parts := strings.Split(o, "/")
		if o == e.owner || len(parts) != 3 || parts[0] != host {
			continue
		}
		pid, err := strconv.Atoi(parts[1])
		if err != nil || pid == os.Getpid() || processAlive(pid) {
			continue
		}
		n, err := e.ledger.ExpireLeases(ctx, issueID, o)
		if err != nil {
			e.log.Warn("reclaiming rows of a dead owner failed", "issue", issueID, "dead", o, "err", err)
			continue
		}
		e.log.Info("reclaimed rows of a dead run", "issue", issueID, "dead", o, "rows", n)
	}
}
