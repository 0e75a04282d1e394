package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"masthead/auth"
	"masthead/store"
)

// runUserAdd creates an editor's account: masthead user add EMAIL [--role
// admin|editor]. The password is asked for twice on a terminal, or read from
// the first line of stdin (for scripts: echo "$PW" | masthead user add ...).
func runUserAdd(ctx context.Context, a *app, args []string) error {
	fs := a.flags()
	role := fs.String("role", "editor", "editor (write, arrange, send, subscribers) or admin (also users, settings, export)")
	email, err := a.parseOne(fs, args, "EMAIL")
	if err != nil {
		return err
	}
	r, err := auth.ParseRole(*role)
	if err != nil {
		return usageErr("--role: %v", err)
	}
	password, err := a.readPassword()
	if err != nil {
		return err
	}
	work, err := a.workspace(ctx, nil)
	if err != nil {
		return err
	}
	u, err := work.AddUser(ctx, email, password, r)
	if errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("%s already has an account", email)
	}
	if err != nil {
		return err
	}
	at, known := a.serverAddress(ctx)
	fmt.Fprintf(a.env.Stdout, "added %s (%s); sign in at %s/admin/", u.Email, u.Role, at)
	if !known {
		fmt.Fprint(a.env.Stdout, " (masthead serve's default address; --base-url says where it runs)")
	}
	fmt.Fprintln(a.env.Stdout)
	return nil
}

// readPassword prompts on a terminal (twice, without echo) or reads one line
// from stdin.
func (a *app) readPassword() (string, error) {
	if f, ok := a.env.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(a.env.Stderr, "Password: ")
		p1, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.env.Stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(a.env.Stderr, "Again: ")
		p2, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.env.Stderr)
		if err != nil {
			return "", err
		}
		if string(p1) != string(p2) {
			return "", errors.New("the two passwords differ")
		}
		return string(p1), nil
	}
	line, err := bufio.NewReader(io.LimitReader(a.env.Stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from stdin: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on stdin (pipe it in, or run on a terminal to be asked)")
	}
	return line, nil
}
