package workspace

import (
	"context"

	"masthead/ledger"
)

// WakeOnStart wraps a Sends so that starting or resuming a send also calls
// wake (the delivery workers' Wake), so the messages go out at once rather
// than at the workers' next poll.
func WakeOnStart(s Sends, wake func()) Sends { return waking{s, wake} }

type waking struct {
	Sends
	wake func()
}

func (w waking) Start(ctx context.Context, issueID int64) (ledger.StartResult, error) {
	res, err := w.Sends.Start(ctx, issueID)
	if err == nil {
		w.wake()
	}
	return res, err
}

func (w waking) Resume(ctx context.Context, issueID int64) error {
	err := w.Sends.Resume(ctx, issueID)
	if err == nil {
		w.wake()
	}
	return err
}
