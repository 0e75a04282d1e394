package cli

import (
	"context"
	"fmt"

	"masthead/internal/plural"
	"masthead/workspace"
)

// runSubscriberConfirmationsSend is 'masthead subscriber send-confirmations':
// send the confirmation queue now, without serve: one email per subscriber
// with a pending subscription whose confirmation has not gone out (added with
// --pending, imported as pending, or from the API or the admin pages),
// through --smtp or the built-in outbox, with links on --base-url; then the
// welcome emails of subscriptions confirmed since the last run.
func runSubscriberConfirmationsSend(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErr("unexpected argument %q", pos[0])
	}
	st, err := a.reads(ctx)
	if err != nil {
		return err
	}
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}
	queue, via, err := a.confirmations(ctx, workerOptions{}, work.Assembler())
	if err != nil {
		return err
	}
	rep, err := queue.SendAll(ctx)
	fmt.Fprintf(a.env.Stdout, "%s sent via %s with links to %s", plural.Count(rep.Sent, "confirmation email", "confirmation emails"), via, a.cfg.BaseURL)
	if rep.Welcomes > 0 {
		fmt.Fprintf(a.env.Stdout, ", %s", plural.Count(rep.Welcomes, "welcome email", "welcome emails"))
	}
	if rep.Refused > 0 {
		fmt.Fprintf(a.env.Stdout, ", %d refused by the server", rep.Refused)
	}
	fmt.Fprintln(a.env.Stdout)
	if err != nil {
		due, _ := st.ConfirmationsDue(context.WithoutCancel(ctx))
		return fmt.Errorf("stopped with %d still queued (run it again, or keep 'masthead serve' running): %w", due, err)
	}
	return nil
}

// printConfirmationsDue tells an editor who queued confirmations where they
// go out from.
func (a *app) printConfirmationsDue(ctx context.Context, st workspace.Reads) {
	due, err := st.ConfirmationsDue(ctx)
	if err != nil || due == 0 {
		return
	}
	who := fmt.Sprintf("%d subscribers wait for their confirmation email: a running 'masthead serve' sends it", due)
	if due == 1 {
		who = "1 subscriber waits for their confirmation email: a running 'masthead serve' sends it"
	}
	fmt.Fprintln(a.env.Stdout, who+", or send it now with 'masthead subscriber send-confirmations'; only those who confirm get issues")
}
