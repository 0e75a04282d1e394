package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// An editor's path through importing by key: two letters with one headline
// on one date are two articles; fixing a headline updates the article in
// place; two files with one key are refused, naming both, and nothing is
// imported.
func TestArticleImportMatchesByKey(t *testing.T) {
	db := newDB(t)
	setupPlanet(t, db)
	dir := t.TempDir()
	write := func(name, text string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	first := write("letters-1.md", "---\ntitle: Letters to the editor\ndate: 2009-07-09\nsection: News\n---\nFirst letter.\n")
	second := write("letters-2.md", "---\ntitle: Letters to the editor\ndate: 2009-07-09\nsection: News\n---\nSecond letter.\n")
	code, out, errs := runCLI(t, db, "", "article", "import", first, second)
	if code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}
	for _, want := range []string{
		`imported ` + first + `: article 1 "Letters to the editor" for 2009-07-09 (key 2009-07-09/letters-1)`,
		`imported ` + second + `: article 2 "Letters to the editor" for 2009-07-09 (key 2009-07-09/letters-2)`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("import output lacks %q:\n%s", want, out)
		}
	}
	// The headline fixed in the file: the same article, updated in place.
	write("letters-1.md", "---\ntitle: Letters to the Editor\ndate: 2009-07-09\nsection: News\n---\nFirst letter.\n")
	code, out, errs = runCLI(t, db, "", "article", "import", dir)
	if code != 0 {
		t.Fatalf("import again: %d %s", code, errs)
	}
	if !strings.Contains(out, "updated "+first+": article 1 \"Letters to the Editor\"") ||
		!strings.Contains(out, "unchanged "+second+": article 2") {
		t.Errorf("import again:\n%s", out)
	}
	_, out, _ = runCLI(t, db, "", "article", "list")
	if n := len(regexp.MustCompile(`(?m)^\d+ `).FindAllString(out, -1)); n != 2 {
		t.Errorf("%d articles, want 2:\n%s", n, out)
	}
	if !strings.Contains(out, "Letters to the Editor") || !strings.Contains(out, "KEY") || !strings.Contains(out, "2009-07-09/letters-2") {
		t.Errorf("article list:\n%s", out)
	}
	// A key given in the front matter wins over the file name; one key in two
	// files is refused, naming both, and nothing is imported.
	other := t.TempDir()
	a := filepath.Join(other, "a.md")
	b := filepath.Join(other, "b.md")
	os.WriteFile(a, []byte("---\ntitle: Weather\nkey: weather\ndate: 2009-07-10\n---\nSun.\n"), 0o644)
	os.WriteFile(b, []byte("---\ntitle: Forecast\nid: weather\ndate: 2009-07-10\n---\nRain.\n"), 0o644)
	code, out, errs = runCLI(t, db, "", "article", "import", a, b)
	if code == 0 || !strings.Contains(errs, "nothing imported") || !strings.Contains(errs, a) || !strings.Contains(errs, b) {
		t.Fatalf("one key in two files: exit %d, %s %s; want a refusal naming %s and %s", code, out, errs, a, b)
	}
	if _, out, _ := runCLI(t, db, "", "article", "list", "--date", "2009-07-10"); strings.Contains(out, "Weather") || strings.Contains(out, "Forecast") {
		t.Errorf("a refused import stored articles:\n%s", out)
	}
	// Renamed and moved: the key: keeps it the same article.
	code, out, errs = runCLI(t, db, "", "article", "import", a)
	if code != 0 || !strings.Contains(out, "(key weather)") {
		t.Fatalf("import a: %d %s %s", code, out, errs)
	}
	os.WriteFile(a, []byte("---\ntitle: Weather, revised\nkey: weather\ndate: 2009-07-11\n---\nSun.\n"), 0o644)
	code, out, errs = runCLI(t, db, "", "article", "import", a)
	if code != 0 || !strings.HasPrefix(out, "updated "+a+": article 3 \"Weather, revised\" for 2009-07-11 (key weather)") {
		t.Errorf("renamed and moved: %d %s %s", code, out, errs)
	}
}

// An article shown, edited and deleted from the command line; what show
// prints imports back over the same article.
func TestArticleShowEditDelete(t *testing.T) {
	db := newDB(t)
	setupPlanet(t, db)
	code, out, errs := runCLI(t, db, "Temperatures climb.\n", "article", "add", "-", "--date", "2009-07-09",
		"--title", "Heat Wave", "--section", "Front Page", "--author", "Lois Lane")
	if code != 0 || !strings.Contains(out, "added article 1 \"Heat Wave\" for 2009-07-09 (key a1)") {
		t.Fatalf("article add: %d %s %s", code, out, errs)
	}
	code, shown, errs := runCLI(t, db, "", "article", "show", "1")
	want := "---\ntitle: Heat Wave\ndate: \"2009-07-09\"\nsection: Front Page\nauthor: Lois Lane\nposition: 1\nstatus: ready\nkey: a1\n---\nTemperatures climb.\n"
	if code != 0 || shown != want {
		t.Fatalf("article show: %d %s\n%q\nwant\n%q", code, errs, shown, want)
	}
	// Edit: the flags given change, the others stay.
	body := filepath.Join(t.TempDir(), "body.md")
	os.WriteFile(body, []byte("Temperatures climb past 100.\n"), 0o644)
	code, out, errs = runCLI(t, db, "", "article", "edit", "1", "--title", "Heat Wave Arrives", "--section", "News",
		"--status", "draft", "--body-file", body, "--key", "heat-wave")
	if code != 0 || !strings.Contains(out, `updated article 1 "Heat Wave Arrives" for 2009-07-09 (key heat-wave)`) {
		t.Fatalf("article edit: %d %s %s", code, out, errs)
	}
	_, shown, _ = runCLI(t, db, "", "article", "show", "1")
	for _, s := range []string{"title: Heat Wave Arrives\n", "section: News\n", "author: Lois Lane\n", "status: draft\n", "key: heat-wave\n", "---\nTemperatures climb past 100.\n"} {
		if !strings.Contains(shown, s) {
			t.Errorf("after the edit, show lacks %q:\n%s", s, shown)
		}
	}
	// A bad edit is refused, naming the field, and changes nothing.
	code, _, errs = runCLI(t, db, "", "article", "edit", "1", "--section", "Comics", "--title", "Lost")
	if code == 0 || !strings.Contains(errs, "section: unknown section \"Comics\"") {
		t.Errorf("edit into an unknown section: exit %d, %s", code, errs)
	}
	if _, out, _ = runCLI(t, db, "", "article", "list"); strings.Contains(out, "Lost") {
		t.Errorf("a refused edit was stored:\n%s", out)
	}
	// The key of another article is refused, naming it.
	runCLI(t, db, "x\n", "article", "add", "-", "--date", "2009-07-09", "--title", "Bridge Vote", "--section", "News")
	code, _, errs = runCLI(t, db, "", "article", "edit", "2", "--key", "heat-wave")
	if code == 0 || !strings.Contains(errs, `"heat-wave" is already the key of article 1`) {
		t.Errorf("edit to a taken key: exit %d, %s", code, errs)
	}
	// What show prints imports back over the same article.
	file := filepath.Join(t.TempDir(), "shown.md")
	os.WriteFile(file, []byte(strings.Replace(shown, "Heat Wave Arrives", "Heat Wave Arrives Early", 1)), 0o644)
	code, out, errs = runCLI(t, db, "", "article", "import", file)
	if code != 0 || !strings.HasPrefix(out, "updated "+file+": article 1 \"Heat Wave Arrives Early\"") {
		t.Errorf("import of show's output: %d %s %s", code, out, errs)
	}
	// Delete.
	code, out, errs = runCLI(t, db, "", "article", "delete", "1")
	if code != 0 || !strings.Contains(out, `deleted article 1 "Heat Wave Arrives Early"`) {
		t.Fatalf("article delete: %d %s %s", code, out, errs)
	}
	if code, _, errs = runCLI(t, db, "", "article", "show", "1"); code == 0 || !strings.Contains(errs, "has no article 1") {
		t.Errorf("show after delete: exit %d, %s", code, errs)
	}
	if code, _, errs = runCLI(t, db, "", "article", "delete", "1"); code == 0 || !strings.Contains(errs, "has no article 1") {
		t.Errorf("delete twice: exit %d, %s", code, errs)
	}
	if _, out, _ = runCLI(t, db, "", "article", "list"); strings.Contains(out, "Heat Wave") || !strings.Contains(out, "Bridge Vote") {
		t.Errorf("list after delete:\n%s", out)
	}
}

// A file whose key: has the form masthead assigns but is no stored
// article's is refused naming the file and the key's line, as other bad
// files are, and nothing is imported; the same key of a stored article
// (what 'article show' prints) imports over it.
func TestArticleImportAssignedKeyNamesFile(t *testing.T) {
	db := newDB(t)
	setupPlanet(t, db)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.md")
	bad := filepath.Join(dir, "bad.md")
	os.WriteFile(good, []byte("---\ntitle: Weather\ndate: 2009-07-09\n---\nSun.\n"), 0o644)
	os.WriteFile(bad, []byte("---\ntitle: Heat Wave\ndate: 2009-07-09\nkey: a1\n---\nHot.\n"), 0o644)
	code, out, errs := runCLI(t, db, "", "article", "import", good, bad)
	if code == 0 || !strings.Contains(errs, "nothing imported:\n"+bad+`:4: key: "a1" has the form of the keys masthead assigns`) {
		t.Fatalf("key a1 of no article: exit %d, %s%s", code, out, errs)
	}
	if _, out, _ := runCLI(t, db, "", "article", "list"); strings.Contains(out, "Weather") {
		t.Errorf("a refused import stored an article:\n%s", out)
	}
	// id: is key:'s other name: its line is named.
	os.WriteFile(bad, []byte("---\ntitle: Heat Wave\nid: a7\ndate: 2009-07-09\n---\nHot.\n"), 0o644)
	if _, _, errs := runCLI(t, db, "", "article", "import", bad); !strings.Contains(errs, bad+`:3: key: "a7"`) {
		t.Errorf("id: a7: %s", errs)
	}
	// Article 1 made, its assigned key a1 imports over it.
	runCLI(t, db, "Hot.\n", "article", "add", "-", "--date", "2009-07-09", "--title", "Heat Wave")
	os.WriteFile(bad, []byte("---\ntitle: Heat Wave Arrives\ndate: 2009-07-09\nkey: a1\n---\nHot.\n"), 0o644)
	if code, out, errs := runCLI(t, db, "", "article", "import", bad); code != 0 || !strings.Contains(out, "updated "+bad+`: article 1 "Heat Wave Arrives"`) {
		t.Errorf("import over article 1 by its key: %d %s%s", code, out, errs)
	}
}
