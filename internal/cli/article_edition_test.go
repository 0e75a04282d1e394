package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An editor imports a story into an extra, fixes it and imports the folder
// again without --edition: the article stays in the extra (and the message
// names it) rather than moving into the daily issue, which went out; an
// article added to that sent daily issue gets a note that reads well.
func TestArticleImportKeepsEdition(t *testing.T) {
	db := newDB(t)
	setupPlanet(t, db)
	run := func(want int, stdin string, args ...string) (string, string) {
		t.Helper()
		code, out, errs := runCLI(t, db, stdin, args...)
		if code != want {
			t.Fatalf("%v: exit %d, want %d\n%s%s", args, code, want, out, errs)
		}
		return out, errs
	}
	run(0, "The council voted.\n", "article", "add", "-", "--date", "2009-07-09", "--title", "Bridge Vote", "--section", "News")
	run(0, "", "subscriber", "add", "lois@example.org")
	run(0, "", "issue", "send", "--date", "2009-07-09")
	run(0, "", "issue", "extra", "--date", "2009-07-09", "--title", "Breaking news")
	run(0, "", "issue", "extra", "--date", "2009-07-09", "--title", "Later news")

	dir := filepath.Join(t.TempDir(), "ex")
	os.Mkdir(dir, 0o755)
	file := filepath.Join(dir, "e.md")
	os.WriteFile(file, []byte("---\ntitle: Bridge Closed\ndate: 2009-07-09\nsection: News\n---\nClosed.\n"), 0o644)
	if out, _ := run(0, "", "article", "import", "--edition", "2", dir); !strings.Contains(out, `imported `+file+`: article 2 "Bridge Closed" for 2009-07-09-extra-2`) {
		t.Fatalf("import into the extra: %s", out)
	}
	os.WriteFile(file, []byte("---\ntitle: Bridge Closed Until Friday\ndate: 2009-07-09\nsection: News\n---\nClosed.\n"), 0o644)
	out, errs := run(0, "", "article", "import", dir)
	if !strings.Contains(out, `updated `+file+`: article 2 "Bridge Closed Until Friday" for 2009-07-09-extra-2`) || strings.Contains(errs, "note:") {
		t.Errorf("import again without --edition: %s%s", out, errs)
	}
	if out, _ := run(0, "", "issue", "preview", "--date", "2009-07-09", "--edition", "2", "--format", "text"); !strings.Contains(out, "Bridge Closed Until Friday") {
		t.Errorf("the extra lost its article:\n%s", out)
	}
	// --edition 0 given: the editor moves it into the daily issue, and is told
	// that issue went out.
	out, errs = run(0, "", "article", "import", "--edition", "0", dir)
	if !strings.Contains(out, `updated `+file+`: article 2 "Bridge Closed Until Friday" for 2009-07-09 `) ||
		!strings.Contains(errs, "note: the-daily-planet's issue of 2009-07-09 is sent; this article is not in it") || strings.Contains(errs, "the the-") {
		t.Errorf("import with --edition 0: %s%s", out, errs)
	}
	// An edition the date lacks is refused, naming the file.
	if _, errs := run(1, "", "article", "import", "--edition", "3", file); !strings.Contains(errs, file+": edition: 2009-07-09 has no extra edition 3") {
		t.Errorf("import into a missing extra: %s", errs)
	}
	// A new file without --edition belongs to the daily issue.
	other := filepath.Join(dir, "f.md")
	os.WriteFile(other, []byte("---\ntitle: Weather\ndate: 2009-07-10\n---\nSun.\n"), 0o644)
	if out, _ := run(0, "", "article", "import", other); !strings.Contains(out, `imported `+other+`: article 3 "Weather" for 2009-07-10 `) {
		t.Errorf("new article without --edition: %s", out)
	}
}

// 'article list --date D' shows every edition of the date with an EDITION
// column; --edition N shows only that one; a bad --edition is refused.
func TestArticleListEditions(t *testing.T) {
	db := newDB(t)
	setupPlanet(t, db)
	run := func(want int, stdin string, args ...string) string {
		t.Helper()
		code, out, errs := runCLI(t, db, stdin, args...)
		if code != want {
			t.Fatalf("%v: exit %d, want %d\n%s%s", args, code, want, out, errs)
		}
		return out + errs
	}
	run(0, "The council voted.\n", "article", "add", "-", "--date", "2009-07-09", "--title", "Bridge Vote", "--section", "News")
	run(0, "", "issue", "extra", "--date", "2009-07-09", "--title", "Breaking news")
	run(0, "Closed.\n", "article", "add", "-", "--date", "2009-07-09", "--edition", "1", "--title", "Bridge Closed", "--section", "News")
	run(0, "Sun.\n", "article", "add", "-", "--date", "2009-07-10", "--title", "Weather", "--section", "News")

	out := run(0, "", "article", "list", "--date", "2009-07-09")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], "EDITION") ||
		!strings.Contains(lines[1], "daily") || !strings.Contains(lines[1], "Bridge Vote") ||
		!strings.Contains(lines[2], "extra-1") || !strings.Contains(lines[2], "Bridge Closed") {
		t.Errorf("article list --date: want the daily's article, then the extra's:\n%s", out)
	}
	out = run(0, "", "article", "list", "--date", "2009-07-09", "--edition", "1")
	if !strings.Contains(out, "Bridge Closed") || strings.Contains(out, "Bridge Vote") || strings.Contains(out, "Weather") {
		t.Errorf("article list --edition 1:\n%s", out)
	}
	out = run(0, "", "article", "list", "--date", "2009-07-09", "--edition", "0")
	if !strings.Contains(out, "Bridge Vote") || strings.Contains(out, "Bridge Closed") {
		t.Errorf("article list --edition 0:\n%s", out)
	}
	if out := run(0, "", "article", "list"); !strings.Contains(out, "Weather") || !strings.Contains(out, "Bridge Closed") {
		t.Errorf("article list:\n%s", out)
	}
	if out := run(2, "", "article", "list", "--edition", "1"); !strings.Contains(out, "--edition needs --date") {
		t.Errorf("--edition without --date: %s", out)
	}
	if out := run(2, "", "article", "list", "--date", "2009-07-09", "--edition", "x"); !strings.Contains(out, "--edition") {
		t.Errorf("bad --edition: %s", out)
	}
}
