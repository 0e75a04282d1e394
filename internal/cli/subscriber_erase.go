package cli

import (
	"context"
	"errors"
	"fmt"

	"masthead/store"
)

// runSubscriberErase is 'masthead subscriber erase EMAIL': the person's
// right to erasure (GDPR art. 17). Everything that holds the address or the
// name goes, in one transaction; a keyed hash of the address stays on the
// suppression list so that it is not added again.
func runSubscriberErase(ctx context.Context, a *app, args []string) error {
	email, err := a.parseOne(a.flags(), args, "EMAIL")
	if err != nil {
		return err
	}
	if _, err := a.secret(ctx); err != nil { // the hash's key: refuse a bad MASTHEAD_SECRET before erasing
		return err
	}
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}
	e, err := work.EraseSubscriber(ctx, email, "the command line")
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%s: nothing to erase: no subscriber, delivery, outbox copy, bounce report or suppression holds the address (erased before?)", email)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(a.env.Stdout, e.Summary())
	return nil
}
