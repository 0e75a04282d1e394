package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"text/tabwriter"

	"masthead/auth"
	"masthead/store"
	"masthead/workspace"
)

// The account commands beyond user add: list, remove, role and password.

// runUserList prints every account: masthead user list.
func runUserList(ctx context.Context, a *app, args []string) error {
	pos, err := a.parse(a.flags(), args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErr("user list takes no arguments, got %q", pos[0])
	}
	st, err := a.reads(ctx)
	if err != nil {
		return err
	}
	users, err := st.Users(ctx)
	if err != nil {
		return err
	}
	tokens, err := st.APITokens(ctx, 0)
	if err != nil {
		return err
	}
	perUser := map[int64]int{}
	for _, t := range tokens {
		perUser[t.UserID]++
	}
	tw := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tROLE\tAPI TOKENS\tSINCE")
	for _, u := range users {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", u.Email, u.Role, perUser[u.ID], u.CreatedAt.Format("2006-01-02"))
	}
	return tw.Flush()
}

// runUserRemove deletes an account with its sessions and API tokens:
// masthead user remove EMAIL. The last admin cannot be removed.
func runUserRemove(ctx context.Context, a *app, args []string) error {
	u, work, err := a.userArg(ctx, a.flags(), args)
	if err != nil {
		return err
	}
	tokens, err := work.Reads().APITokens(ctx, u.ID)
	if err != nil {
		return err
	}
	if err := work.RemoveUser(ctx, u); err != nil {
		return accountErr(err)
	}
	fmt.Fprintf(a.env.Stdout, "removed %s; its sessions ended and its %d API tokens stopped working\n", u.Email, len(tokens))
	return nil
}

// runUserRole changes an account's role: masthead user role EMAIL --role
// admin|editor. The last admin cannot be demoted.
func runUserRole(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	role := fs.String("role", "", "editor or admin (required)")
	u, work, err := a.userArg(ctx, fs, args)
	if err != nil {
		return err
	}
	if *role == "" {
		return usageErr("--role admin|editor is required")
	}
	r, err := auth.ParseRole(*role)
	if err != nil {
		return usageErr("--role: %v", err)
	}
	if err := work.SetRole(ctx, u, r); err != nil {
		return accountErr(err)
	}
	fmt.Fprintf(a.env.Stdout, "%s is now %s\n", u.Email, r)
	return nil
}

// runUserPassword sets an account's password (asked twice on a terminal, or
// the first line of stdin) and ends all its sessions: masthead user password
// EMAIL.
func runUserPassword(ctx context.Context, a *app, args []string) error {
	u, work, err := a.userArg(ctx, a.flags(), args)
	if err != nil {
		return err
	}
	password, err := a.readPassword()
	if err != nil {
		return err
	}
	if err := work.SetPassword(ctx, u, password, ""); err != nil {
		return err
	}
	fmt.Fprintf(a.env.Stdout, "password of %s changed; its sessions ended (API tokens still work)\n", u.Email)
	return nil
}

// userArg parses fs over args, wants one EMAIL argument and finds its
// account; the operations layer changes it.
func (a *app) userArg(ctx context.Context, fs *flag.FlagSet, args []string) (*auth.User, *workspace.Service, error) {
	email, err := a.parseOne(fs, args, "EMAIL")
	if err != nil {
		return nil, nil, err
	}
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	u, err := work.Reads().UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, fmt.Errorf("no account %s (see 'masthead user list')", email)
	}
	if err != nil {
		return nil, nil, err
	}
	return u, work, nil
}

// accountErr says what to do about a refused account change.
func accountErr(err error) error {
	if errors.Is(err, auth.ErrLastAdmin) {
		return fmt.Errorf("refused: %w", err)
	}
	return err
}
