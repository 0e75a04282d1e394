package cli

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs masthead with args against db and returns exit code, stdout, stderr.
func runCLI(t *testing.T, db string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := map[string]string{"MASTHEAD_DB": db}
	code := Run(context.Background(), args, Env{
		Getenv: testGetenv(env),
		Stdin:  strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
	})
	return code, out.String(), errb.String()
}

// testGetenv is the environment of a command under test: env, and
// MASTHEAD_ALLOW_LOCAL_LINKS=1 unless env sets it, since the tests send over
// in-process SMTP servers with links to the loopback.
func testGetenv(env map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := env[k]; ok || k != "MASTHEAD_ALLOW_LOCAL_LINKS" {
			return v
		}
		return "1"
	}
}

func newDB(t *testing.T) string { return filepath.Join(t.TempDir(), "masthead.db") }

func setupPlanet(t *testing.T, db string) {
	t.Helper()
	code, out, errs := runCLI(t, db, "", "publication", "set", "--name", "The Daily Planet", "--from", "news@planet.example",
		"--address", "Metropolis", "--timezone", "America/New_York", "--volume-start", "2007-02-07", "--sections", "Front Page,News")
	if code != 0 {
		t.Fatalf("publication set: %d %s %s", code, out, errs)
	}
}

func TestPublicationSetRejectsBadSettings(t *testing.T) {
	db := newDB(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--name", "P", "--from", "not an address"}, "from: \"not an address\" is not an email address"},
		{[]string{"--name", "P", "--from", "a@b.org", "--timezone", "Nowhere/Special"}, "timezone: unknown time zone \"Nowhere/Special\""},
		{[]string{"--name", "P", "--from", "a@b.org", "--schedule", "61 * * * *"}, "schedule: invalid cron spec \"61 * * * *\""},
		{[]string{"--name", "P", "--from", "a@b.org", "--numbering", "roman"}, "numbering: \"roman\" must be calendar or sequential"},
		{[]string{"--name", "P", "--from", "a@b.org", "--volume-start", "07/02/2007"}, "--volume-start: date \"07/02/2007\" is not YYYY-MM-DD"},
	}
	for _, c := range cases {
		code, _, errs := runCLI(t, db, "", append([]string{"publication", "set"}, c.args...)...)
		if code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want it to mention %q", c.args, code, errs, c.want)
		}
	}
	if code, out, _ := runCLI(t, db, "", "publication", "list"); code != 0 || strings.Contains(out, "P\t") {
		t.Errorf("a rejected publication was stored: %s", out)
	}
}

func TestArticleAddImportAndPreview(t *testing.T) {
	db := newDB(t)
	setupPlanet(t, db)
	// Flags after the positional argument, body from stdin.
	code, out, errs := runCLI(t, db, "Temperatures climb.\n", "article", "add", "-", "--date", "2009-07-09", "--title", "Heat Wave", "--section", "Front Page")
	if code != 0 {
		t.Fatalf("article add: %d %s %s", code, out, errs)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "good.md")
	bad := filepath.Join(dir, "bad.md")
	os.WriteFile(good, []byte("---\ntitle: Bridge Vote\ndate: 2009-07-09\nsection: News\n---\nThe council voted.\n"), 0o644)
	os.WriteFile(bad, []byte("---\ntitle: Broken\ndate: 2009-07-32\nsection: News\n---\nx\n"), 0o644)
	code, _, errs = runCLI(t, db, "", "article", "import", good, bad)
	if code == 0 || !strings.Contains(errs, "bad.md:3: date:") || !strings.Contains(errs, "nothing imported") {
		t.Fatalf("import with a bad file: exit %d, %s", code, errs)
	}
	if _, out, _ := runCLI(t, db, "", "article", "list"); strings.Contains(out, "Bridge Vote") {
		t.Fatal("the good file of a failed import was stored")
	}
	for i := range 2 { // twice: the second import changes nothing
		code, out, errs = runCLI(t, db, "", "article", "import", good)
		if code != 0 {
			t.Fatalf("import: %s", errs)
		}
		if want := []string{"imported", "unchanged"}[i]; !strings.HasPrefix(out, want) {
			t.Errorf("import %d: %q, want %s", i+1, out, want)
		}
	}
	if _, out, _ := runCLI(t, db, "", "article", "list"); strings.Count(out, "Bridge Vote") != 1 {
		t.Errorf("importing twice made a copy:\n%s", out)
	}
	code, out, errs = runCLI(t, db, "", "issue", "preview", "--date", "2009-07-09", "--format", "text")
	if code != 0 {
		t.Fatalf("preview: %s", errs)
	}
	for _, s := range []string{"Volume 3, Number 153", "Thursday, July 9, 2009", "Heat Wave", "Bridge Vote"} {
		if !strings.Contains(out, s) {
			t.Errorf("text preview lacks %q", s)
		}
	}
	if strings.Index(out, "Heat Wave") > strings.Index(out, "Bridge Vote") {
		t.Error("Front Page article is not before News")
	}
	code, out, _ = runCLI(t, db, "", "issue", "preview", "--date", "2009-07-09", "--format", "html")
	if code != 0 || !strings.Contains(out, "<html") {
		t.Errorf("html preview: %d", code)
	}
	code, out, errs = runCLI(t, db, "", "issue", "preview", "--date", "2009-07-09", "--format", "eml")
	if code != 0 {
		t.Fatalf("eml preview: %s", errs)
	}
	for _, s := range []string{"Message-ID: <preview.", "List-Unsubscribe-Post: List-Unsubscribe=One-Click", "List-Id: ",
		"Content-Type: multipart/alternative", "Content-Type: text/plain", "Content-Type: text/html", "To: \"Reader\" <reader@example.org>"} {
		if !strings.Contains(out, s) {
			t.Errorf("eml preview lacks %q", s)
		}
	}
	if code, out, _ = runCLI(t, db, "", "issue", "assemble", "--date", "2009-07-10"); code != 3 ||
		!strings.Contains(out, "no ready articles, so no issue; the schedule skips the day") {
		t.Errorf("empty date: exit %d %q", code, out)
	}
	// The message follows the publication's empty-day setting.
	if code, _, errs := runCLI(t, db, "", "publication", "set", "--empty", "notice"); code != 0 {
		t.Fatalf("publication set --empty notice: %s", errs)
	}
	if code, out, _ = runCLI(t, db, "", "issue", "assemble", "--date", "2009-07-10"); code != 3 || !strings.Contains(out, "'no issue today' notice goes out") {
		t.Errorf("empty date with --empty notice: exit %d %q", code, out)
	}
}

func TestArticleAddRejectsBadInput(t *testing.T) {
	db := newDB(t)
	setupPlanet(t, db)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--date", "2009-07-09"}, "title: is required"},
		{[]string{"--title", "T", "--date", "yesterday"}, "--date: date \"yesterday\""},
		{[]string{"--title", "T", "--date", "2009-07-09", "--section", "Weather"}, "section: unknown section \"Weather\""},
		{[]string{"--title", "T", "--date", "2009-07-09", "/no/such/file.md"}, "article body: open /no/such/file.md"},
	}
	for _, c := range cases {
		code, _, errs := runCLI(t, db, "body", append([]string{"article", "add"}, c.args...)...)
		if code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %q", c.args, code, errs, c.want)
		}
	}
}

func TestSharedFlagsBeforeTheCommand(t *testing.T) {
	db := newDB(t)
	setupPlanet(t, db)
	var out, errb bytes.Buffer
	code := Run(context.Background(), []string{"--db", db, "publication", "list"}, Env{
		Getenv: func(string) string { return "" }, Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb})
	if code != 0 || !strings.Contains(out.String(), "the-daily-planet") {
		t.Fatalf("--db before the command: exit %d\n%s%s", code, out.String(), errb.String())
	}
	out.Reset()
	code = Run(context.Background(), []string{"--db=" + db, "--log-level", "warn", "article", "list", "--limit", "5"}, Env{
		Getenv: func(string) string { return "" }, Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb})
	if code != 0 || !strings.Contains(out.String(), "TITLE") {
		t.Fatalf("--db= and --log-level before the command: exit %d\n%s%s", code, out.String(), errb.String())
	}
}

// A mistyped flag is named once, with a pointer to --help, and exits 2;
// --help lists the command's flags on stdout and exits 0.
func TestFlagErrorsAndHelp(t *testing.T) {
	db := newDB(t)
	code, out, errs := runCLI(t, db, "", "issue", "preview", "--text")
	if code != 2 || strings.Count(errs, "-text") != 1 || !strings.Contains(errs, "run 'masthead issue preview --help'") ||
		strings.Contains(errs+out, "Flags:") {
		t.Errorf("unknown flag: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	code, out, errs = runCLI(t, db, "", "issue", "preview", "--help")
	if code != 0 || !strings.Contains(out, "Usage: masthead issue preview") || !strings.Contains(out, "-format") || errs != "" {
		t.Errorf("--help: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
}

// A command group alone lists its commands; with --help, on stdout with exit 0;
// with a mistyped command, that command is named first.
func TestCommandGroups(t *testing.T) {
	db := newDB(t)
	code, out, errs := runCLI(t, db, "", "issue")
	if code != 2 || !strings.Contains(errs, "masthead issue commands:") || !strings.Contains(errs, "issue send") || strings.Contains(errs, "publication set") {
		t.Errorf("masthead issue: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = runCLI(t, db, "", "subscriber", "--help")
	if code != 0 || !strings.Contains(out, "subscriber import") || errs != "" {
		t.Errorf("masthead subscriber --help: exit %d\n%s%s", code, out, errs)
	}
	code, _, errs = runCLI(t, db, "", "issue", "sned")
	if code != 2 || !strings.Contains(errs, `unknown command "issue sned"`) || !strings.Contains(errs, "issue send") {
		t.Errorf("masthead issue sned: exit %d\n%s", code, errs)
	}
}

// A command that only reads refuses a database file that is not there (a
// mistyped --db) instead of creating an empty one and listing nothing.
func TestMistypedDatabaseIsNotCreated(t *testing.T) {
	dir := t.TempDir()
	typo := filepath.Join(dir, "typo.db")
	for _, args := range [][]string{{"outbox", "list"}, {"issue", "list"}, {"subscriber", "list"}} {
		code, out, errs := runCLI(t, typo, "", args...)
		if code != 1 || !strings.Contains(errs, "no database at "+typo) || out != "" {
			t.Errorf("%v on a missing database: exit %d\n%s%s", args, code, out, errs)
		}
	}
	code, _, errs := runCLI(t, typo, "", "db", "copy", "--to", filepath.Join(dir, "copy.db"))
	if code != 1 || !strings.Contains(errs, "source: no database at "+typo) {
		t.Errorf("db copy from a missing database: exit %d %s", code, errs)
	}
	if _, err := os.Stat(typo); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the mistyped database was created: %v", err)
	}
	// The commands that start a database still do.
	if code, _, errs := runCLI(t, typo, "", "publication", "set", "--name", "The Daily Planet", "--from", "news@planet.example"); code != 0 {
		t.Fatalf("publication set on a new database: %s", errs)
	}
	if code, _, errs := runCLI(t, typo, "", "issue", "list"); code != 0 {
		t.Errorf("issue list once the database exists: %s", errs)
	}
}

// 'masthead version' and 'masthead --version' say what the binary is.
func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		var stdout, stderr bytes.Buffer
		env := map[string]string{"MASTHEAD_BASE_URL": "not a URL"} // refused by every other command
		code := Run(context.Background(), args, Env{Getenv: testGetenv(env),
			Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr})
		out, errs := stdout.String(), stderr.String()
		if code != 0 || !strings.HasPrefix(out, "masthead ") || !strings.Contains(out, ", go1.") || errs != "" {
			t.Errorf("%v: exit %d %q %q", args, code, out, errs)
		}
	}
}
