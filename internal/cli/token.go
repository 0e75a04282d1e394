package cli

import (
	"context"
	"errors"
	"fmt"

	"masthead/store"
)

// runTokenCreate makes an API token for an account and prints it; it is shown
// this once (only its hash is kept).
func runTokenCreate(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	user := fs.String("user", "", "the account the token acts as (required)")
	name := fs.String("name", "", "what the token is for, e.g. \"import script\"")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErr("no arguments expected, got %d", len(pos))
	}
	if *user == "" {
		return usageErr("--user EMAIL is required")
	}
	st, err := a.reads(ctx)
	if err != nil {
		return err
	}
	u, err := st.UserByEmail(ctx, *user)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no account %s (add it with 'masthead user add %s')", *user, *user)
	}
	if err != nil {
		return err
	}
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}
	token, _, err := work.CreateToken(ctx, u, *name)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.env.Stderr, "API token for", u.Email, "(shown once; use it as Authorization: Bearer TOKEN):")
	fmt.Fprintln(a.env.Stdout, token)
	return nil
}
