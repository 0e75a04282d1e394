// Package cli is masthead's command line: it turns flags and environment into a
// validated Config, opens what a command needs, and runs the subcommand. main only
// calls Run. Each command parses its arguments, calls an operation of package
// workspace (every change goes through it) or reads through workspace.Reads,
// and prints the result. wire.go is the one place that holds the store and
// builds the parts on it: the delivery engine, the scheduler and its workers,
// the confirmation queue, the web server with the admin and the API.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"time"
)

// Env is the outside world a command sees; tests pass their own.
type Env struct {
	Getenv func(string) string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Now is the clock (nil: time.Now); tests set it.
	Now func() time.Time
}

// command is one subcommand: "publication set", "issue send".
type command struct {
	name    string
	args    string // usage of positional arguments
	summary string
	run     func(ctx context.Context, a *app, args []string) error
}

// commands is the command table; each command's code is in its own file.
func commands() []command {
	return []command{
		{"publication set", "[SLUG]", "create or update a publication", runPublicationSet},
		{"publication list", "", "list publications", runPublicationList},
		{"publication show", "[SLUG]", "print every setting of a publication", runPublicationShow},
		{"form snippet", "", "print the HTML of a subscribe form for the newsroom's own site (--publication P --redirect URL)", runFormSnippet},
		{"article add", "[FILE|-]", "add an article (Markdown body from FILE or stdin)", runArticleAdd},
		{"article import", "PATH...", "import Markdown files with front matter (all or nothing)", runArticleImport},
		{"article list", "", "list articles", runArticleList},
		{"article show", "ID", "print an article as an article file (front matter and body; importing it updates the article)", runArticleShow},
		{"article edit", "ID", "change an article's fields (--title --deck --section --author --status --date --position --key --body-file F)", runArticleEdit},
		{"article delete", "ID", "delete an article", runArticleDelete},
		{"issue assemble", "", "assemble (or re-assemble) an issue", runIssueAssemble},
		{"issue preview", "", "print an issue as a recipient gets it (html, text or eml)", runIssuePreview},
		{"issue list", "", "list issues", runIssueList},
		{"issue subject", "[TEXT]", "show or set an issue's own subject line (--default: the publication's template)", runIssueSubject},
		{"issue extra", "", "add an extra edition to a date (--date D --title T [--subject S]); prints its id and edition", runIssueExtra},
		{"user add", "EMAIL", "add an editor's account (--role admin|editor; password asked, or read from stdin)", runUserAdd},
		{"user list", "", "list the accounts with their roles", runUserList},
		{"user remove", "EMAIL", "remove an account; its sessions and API tokens end (not the last admin)", runUserRemove},
		{"user role", "EMAIL", "change an account's role (--role admin|editor; not the last admin's)", runUserRole},
		{"user password", "EMAIL", "set an account's password (asked, or read from stdin); its sessions end", runUserPassword},
		{"token create", "", "create an API token for an account (--user EMAIL [--name N]); printed once", runTokenCreate},
		{"media add", "FILE|-", "put a picture into the library (--alt TEXT, --caption TEXT); prints its id and address", runMediaAdd},
		{"media list", "", "list the picture library, newest first", runMediaList},
		{"worker", "", "only send: deliver sending issues alongside other processes of the database", runWorker},
		{"dkim keygen", "FILE", "make a DKIM signing key (--type rsa|ed25519); with --selector, print its DNS record", runDKIMKeygen},
		{"dkim dns", "", "print the DNS TXT records of the --dkim-key/--dkim-selector pairs", runDKIMDNS},
		{"db copy", "", "copy a SQLite database into an empty PostgreSQL one or SQLite file (--from, --to), verified by row counts", runDBCopy},
		{"theme export", "DIR", "write the built-in theme's files to DIR, to start a publication's override (--templates DIR)", runThemeExport},
		{"db backup", "FILE", "write a consistent copy of the SQLite database to FILE, while serve runs (--force replaces FILE)", runDBBackup},
		{"serve", "", "run the web server, the scheduler and the delivery workers", runServe},
		{"issue schedule", "", "give an issue its own send time (--date D --at HH:MM)", runIssueSchedule},
		{"issue unschedule", "", "take an issue's own send time back (the daily schedule sends it)", runIssueUnschedule},
		{"issue hold", "", "keep an issue from going out until released", runIssueHold},
		{"issue release", "", "let a held issue go out", runIssueRelease},
		{"issue skip", "", "publish nothing on a date", runIssueSkip},
		{"issue send", "", "assemble if needed and deliver an issue, with progress; run again to resume", runIssueSend},
		{"issue status", "", "show an issue's delivery counts", runIssueStatus},
		{"issue report", "", "what readers did: each link's clicks and unique readers, automatic clicks apart (--format text|csv)", runIssueReport},
		{"issue pause", "", "pause an issue that is sending", runIssuePause},
		{"issue resume", "", "let a paused issue send again", runIssueResume},
		{"issue cancel", "", "stop an issue for good; rows not yet sent are cancelled", runIssueCancel},
		{"issue test", "", "send an issue to one address (--to ADDR), outside the ledger", runIssueTest},
		{"outbox list", "", "list the messages kept by the built-in outbox (no --smtp)", runOutboxList},
		{"outbox show", "ID", "print one outbox message decoded: headers and text (--format text|html|headers|raw)", runOutboxShow},
		{"subscriber add", "EMAIL", "add a subscriber: active at once (your consent), or --pending to ask them to confirm", runSubscriberAdd},
		{"subscriber set", "EMAIL", "change a subscriber: --timezone ZONE (an IANA name such as Europe/London; \"\" for the publication's)", runSubscriberSet},
		{"subscriber import", "FILE.csv", "import subscribers from CSV (columns email, name, status, timezone); bad rows reported by line, exit 3 if any", runSubscriberImport},
		{"subscriber export", "", "write subscribers as CSV to stdout", runSubscriberExport},
		{"subscriber list", "", "list subscribers, newest first, with counts per status", runSubscriberList},
		{"subscriber search", "TEXT", "list subscribers whose address or name contains TEXT", runSubscriberList},
		{"subscriber show", "EMAIL", "show a subscriber, their subscriptions and history", runSubscriberShow},
		{"subscriber unsubscribe", "EMAIL", "unsubscribe (from every publication unless --publication)", runSubscriberUnsubscribe},
		{"subscriber remove", "EMAIL", "the same as subscriber unsubscribe (the history is kept)", runSubscriberUnsubscribe},
		{"subscriber send-confirmations", "", "send the queued confirmation emails of pending subscribers now (serve sends them by itself)", runSubscriberConfirmationsSend},
		{"subscriber erase", "EMAIL", "erase a person (GDPR art. 17): address, name and history from every table; a keyed hash stays suppressed so the address is not added again", runSubscriberErase},
		{"subscriber lift", "EMAIL | --issue DATE", "lift a bounce or complaint suppression so the address may subscribe again; with --issue, every suppression that issue's send made", runSubscriberLift},
		{"webhook secret", "", "print the secret and URL of the bounce/complaint webhook (POST /webhooks/bounces)", runWebhookSecret},
		{"feed add", "URL", "take articles from a newsroom's RSS, Atom or JSON feed (--section, --status ready|draft, --content full|excerpt, --interval)", runFeedAdd},
		{"feed list", "", "list the feeds with their last poll, next poll and last error", runFeedList},
		{"feed remove", "ID", "stop taking a feed; the articles it made stay", runFeedRemove},
		{"feed poll", "[ID]", "poll one feed, or every feed, once, now: what is new, what changed, what failed", runFeedPoll},
		{"bounces poll", "", "apply bounce and complaint reports from an IMAP mailbox (--imap imaps://user:pass@host/INBOX)", runBouncesPoll},
		{"version", "", "print masthead's version (module version, commit, Go)", runVersion},
		{"bench", "", "measure delivery against the raw-bytes limit and a bare go-mail loop, and the web edition under load, on loopback (BENCHMARKS.md)", runBench},
	}
}

// errUsage marks an error as the user's: Run prints usage help with it.
var errUsage = errors.New("usage")

func usageErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

// Run runs the command named by args and returns the process exit code.
func Run(ctx context.Context, args []string, env Env) int {
	a := &app{env: env, now: time.Now}
	if env.Now != nil {
		a.now = env.Now
	}
	defer a.close()
	if len(args) == 1 && args[0] == "--version" {
		args = []string{"version"}
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		a.usage(env.Stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	args = globalFlagsLast(args)
	cmd, rest, ok := lookup(args)
	if !ok {
		if group := groupOf(args[0]); len(group) > 0 {
			// "masthead issue", "masthead issue --help", "masthead issue sned"
			help := len(args) > 1 && (args[1] == "-h" || args[1] == "--help" || args[1] == "help")
			w := env.Stderr
			if help {
				w = env.Stdout
			} else if len(args) > 1 && !strings.HasPrefix(args[1], "-") {
				fmt.Fprintf(w, "masthead: unknown command %q\n\n", args[0]+" "+args[1])
			}
			fmt.Fprintf(w, "masthead %s commands:\n", args[0])
			for _, c := range group {
				fmt.Fprintf(w, "  %-36s %s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
			}
			fmt.Fprintf(w, "\nrun 'masthead %s COMMAND --help' for its flags\n", args[0])
			if help {
				return 0
			}
			return 2
		}
		fmt.Fprintf(env.Stderr, "masthead: unknown command %q\n\n", strings.Join(args[:min(2, len(args))], " "))
		a.usage(env.Stderr)
		return 2
	}
	a.cmd = cmd
	err := cmd.run(ctx, a, rest)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(env.Stderr, "masthead %s: %s\n", cmd.name, strings.TrimPrefix(err.Error(), "usage: "))
		fmt.Fprintf(env.Stderr, "run 'masthead %s --help' for its flags\n", cmd.name)
		return 2
	case errors.Is(err, errExit):
		return exitCode(err)
	default:
		fmt.Fprintf(env.Stderr, "masthead %s: %v\n", cmd.name, err)
		return 1
	}
}

// errExit carries a non-zero exit code without more to print.
var errExit = errors.New("exit")

type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }
func (e exitError) Unwrap() error { return errExit }

func exitCode(err error) int {
	var e exitError
	if errors.As(err, &e) {
		return e.code
	}
	return 1
}

// globalFlagsLast moves shared flags written before the command
// ("masthead --db x.db issue list") after it, where the command's flag set
// parses them.
func globalFlagsLast(args []string) []string {
	var lead []string
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && args[0] != "-" && args[0] != "--" &&
		args[0] != "-h" && args[0] != "--help" {
		lead = append(lead, args[0])
		if !strings.Contains(args[0], "=") && len(args) > 1 {
			lead = append(lead, args[1]) // every shared flag takes a value
			args = args[1:]
		}
		args = args[1:]
	}
	if len(lead) == 0 {
		return args
	}
	out := make([]string, 0, len(args)+len(lead))
	n := 0
	for n < len(args) && n < 2 && !strings.HasPrefix(args[n], "-") {
		n++
	}
	out = append(out, args[:n]...)
	out = append(out, lead...)
	return append(out, args[n:]...)
}

// groupOf lists the commands whose name starts with the word group
// ("issue": issue assemble, issue list, ...), sorted by name.
func groupOf(group string) []command {
	var out []command
	for _, c := range commands() {
		if strings.HasPrefix(c.name, group+" ") {
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// lookup finds the longest command name that args start with.
func lookup(args []string) (command, []string, bool) {
	for _, n := range []int{2, 1} {
		if len(args) < n {
			continue
		}
		name := strings.Join(args[:n], " ")
		for _, c := range commands() {
			if c.name == name {
				return c, args[n:], true
			}
		}
	}
	return command{}, nil, false
}

func (a *app) usage(w io.Writer) {
	fmt.Fprintln(w, "masthead — a self-hosted daily email newsletter")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: masthead COMMAND [flags] [args]")
	fmt.Fprintln(w)
	cmds := commands()
	sort.SliceStable(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-36s %s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Every command takes --db (MASTHEAD_DB, default masthead.db); see 'masthead COMMAND --help'.")
}

// app holds what a running command has opened.
type app struct {
	env    Env
	cmd    command
	cfg    Config
	log    *slog.Logger
	wiring // the database and what is built on it (wire.go)
	now    func() time.Time
	// closers run when the command ends, last opened first.
	closers []func()
}

func (a *app) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
}
