package newsletter

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A directory gives its Markdown files in name order; a set with one bad
// file gives no article and names each problem with its file and line.
func TestReadArticleFiles(t *testing.T) {
	p := validPublication()
	p.ID = 7
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	b := write("b.markdown", "---\ntitle: Second\ndate: 2009-07-09\n---\nTwo.\n")
	a := write("a.md", "---\ntitle: First\ndate: 2009-07-09\n---\nOne.\n")
	write("notes.txt", "not an article")
	files, err := ArticleFiles([]string{dir})
	if err != nil || !slices.Equal(files, []string{a, b}) {
		t.Fatalf("ArticleFiles = %v, %v; want [%s %s]", files, err, a, b)
	}
	got, err := ReadArticleFiles(files, p)
	if err != nil || len(got) != 2 || got[0].Title != "First" || got[1].Title != "Second" || got[1].PublicationID != 7 {
		t.Fatalf("ReadArticleFiles = %v, %v", got, err)
	}

	bad := write("c.md", "---\ntitle: Third\ndate: 2009-13-45\n---\n")
	got, err = ReadArticleFiles([]string{a, bad, filepath.Join(dir, "gone.md")}, p)
	if got != nil || err == nil {
		t.Fatalf("a bad set gave %v, %v", got, err)
	}
	for _, want := range []string{bad + ":3: date:", filepath.Join(dir, "gone.md") + ": cannot read: no such file or directory"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if _, err := ArticleFiles([]string{t.TempDir()}); err == nil || !strings.Contains(err.Error(), "no .md files") {
		t.Errorf("an empty directory: %v", err)
	}
}
