package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
)

// Config is what every command shares, from flags first, then MASTHEAD_*
// environment variables, then defaults. It is validated once in parse.
type Config struct {
	DB       string // --db / MASTHEAD_DB: SQLite path or postgres:// URL
	SMTP     string // --smtp / MASTHEAD_SMTP: smtp[s]:// URL; empty: the built-in outbox
	BaseURL  string // --base-url / MASTHEAD_BASE_URL: public address for links
	Addr     string // --addr / MASTHEAD_ADDR: where serve listens
	LogLevel string // --log-level / MASTHEAD_LOG_LEVEL: debug, info, warn, error
	Secret   string // MASTHEAD_SECRET: signs links; empty: one kept in the database
	// AllowLocalLinks (--allow-local-links / MASTHEAD_ALLOW_LOCAL_LINKS=1)
	// lets an issue go out over SMTP with links that are not https on a
	// public host: for testing against a local mail server only.
	AllowLocalLinks bool
	// AddressGiven: --base-url or --addr (or their variables) was given, so
	// BaseURL is the user's, not the default http://127.0.0.1:8080.
	AddressGiven bool
}

// flags makes the FlagSet of the running command with the shared flags on it.
func (a *app) flags() *flag.FlagSet {
	fs := flag.NewFlagSet("masthead "+a.cmd.name, flag.ContinueOnError)
	fs.SetOutput(a.env.Stderr)
	env := func(name, def string) string {
		if v := a.env.Getenv(name); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&a.cfg.DB, "db", env("MASTHEAD_DB", "masthead.db"), "database: SQLite file or postgres:// URL (MASTHEAD_DB)")
	fs.StringVar(&a.cfg.SMTP, "smtp", env("MASTHEAD_SMTP", ""), "SMTP server smtp[s]://[user:pass@]host:port[?tls=none|opportunistic|required]; unset: built-in outbox (MASTHEAD_SMTP)")
	fs.StringVar(&a.cfg.BaseURL, "base-url", env("MASTHEAD_BASE_URL", ""), "public address for links, e.g. https://news.example.org (MASTHEAD_BASE_URL; default http://ADDR)")
	fs.StringVar(&a.cfg.Addr, "addr", env("MASTHEAD_ADDR", "127.0.0.1:8080"), "address the web server listens on (MASTHEAD_ADDR)")
	fs.StringVar(&a.cfg.LogLevel, "log-level", env("MASTHEAD_LOG_LEVEL", "info"), "log level: debug, info, warn, error (MASTHEAD_LOG_LEVEL)")
	fs.BoolVar(&a.cfg.AllowLocalLinks, "allow-local-links", envBool(a.env.Getenv("MASTHEAD_ALLOW_LOCAL_LINKS")), "send over SMTP even when a publication's links are not https on a public host: local testing only (MASTHEAD_ALLOW_LOCAL_LINKS=1)")
	a.cfg.Secret = a.env.Getenv("MASTHEAD_SECRET")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: masthead %s [flags] %s\n\n%s\n\nFlags:\n", a.cmd.name, a.cmd.args, a.cmd.summary)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args with flags allowed before and after positional arguments
// ("--" ends flags), validates the shared config and sets up logging.
func (a *app) parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	// A bad flag is reported once, by Run, with a pointer to --help, not
	// followed by every flag the command has; --help prints them on stdout.
	fs.SetOutput(io.Discard)
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(a.env.Stdout)
				fs.Usage()
				return nil, err
			}
			return nil, usageErr("%v", err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "base-url" || f.Name == "addr" {
			a.cfg.AddressGiven = true
		}
	})
	if a.env.Getenv("MASTHEAD_BASE_URL") != "" || a.env.Getenv("MASTHEAD_ADDR") != "" {
		a.cfg.AddressGiven = true
	}
	if err := a.validate(); err != nil {
		return nil, usageErr("%v", err)
	}
	return pos, nil
}

// parseOne parses args for a command that takes exactly one positional
// argument, named what in the usage error.
func (a *app) parseOne(fs *flag.FlagSet, args []string, what string) (string, error) {
	pos, err := a.parse(fs, args)
	if err != nil {
		return "", err
	}
	if len(pos) != 1 {
		return "", usageErr("want one %s, got %d arguments", what, len(pos))
	}
	return pos[0], nil
}

func (a *app) validate() error {
	c := &a.cfg
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return fmt.Errorf("--log-level %q: use debug, info, warn or error", c.LogLevel)
	}
	a.log = slog.New(slog.NewTextHandler(a.env.Stderr, &slog.HandlerOptions{Level: level}))
	if c.DB == "" {
		return errors.New("--db is empty")
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--base-url %q: want http(s)://host[:port][/path]", c.BaseURL)
	}
	c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
	if c.SMTP != "" {
		u, err := url.Parse(c.SMTP)
		if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			return errors.New("--smtp: want smtp://[user:pass@]host:port or smtps://... (the value is not shown because it may hold a password)")
		}
	}
	return nil
}

// createsDatabase are the commands that may start a new SQLite file; the
// others refuse a path where there is none, so that a mistyped --db shows an
// error rather than an empty list.
var createsDatabase = map[string]bool{"serve": true, "worker": true, "publication set": true, "user add": true, "bench": true}

// input opens a positional FILE argument, "-" or none meaning stdin.
func (a *app) input(name string) (io.ReadCloser, string, error) {
	if name == "" || name == "-" {
		return io.NopCloser(a.env.Stdin), "stdin", nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, name, err
	}
	return f, name, nil
}

// envBool reads a yes/no environment variable: 1, true, yes or on is yes.
func envBool(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}
