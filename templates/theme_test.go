package templates

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, dir, name, src string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadDefault(t *testing.T) {
	th, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if got := th.PageNames(); !strings.Contains(strings.Join(got, ","), "issue") {
		t.Errorf("PageNames() = %v, want issue among them", got)
	}
	if css := th.Stylesheet(); !bytes.Contains(css, []byte("prefers-color-scheme")) {
		t.Errorf("Stylesheet() lacks dark mode: %.80s", css)
	}
	if err := th.Page(&bytes.Buffer{}, "nope", nil); err == nil {
		t.Error("Page(nope) succeeded")
	}
	// A page checked against data lacking a field it uses fails, naming it.
	err = th.Check("issue", struct{ Title string }{})
	if err == nil || !strings.Contains(err.Error(), "theme/issue.html:") {
		t.Errorf("Check(issue, wrong data) = %v, want an error naming theme/issue.html", err)
	}
}

func TestLoadOverride(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "email.txt", "{{.PublicationName}} in plain words.\nBye: {{slot \"unsubscribe\"}}\n")
	writeFile(t, dir, "style.css", "body { color: teal }")
	writeFile(t, dir, ".DS_Store", "{{ broken") // hidden files are let be
	th, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	html, text, err := th.RenderEmail(sampleIssue())
	if err != nil {
		t.Fatal(err)
	}
	if want := "The Daily Planet in plain words.\nBye: [[MH:unsubscribe]]\n"; text != want {
		t.Errorf("text = %q, want %q", text, want)
	}
	if !strings.Contains(html, "Volume 3, Number 153") {
		t.Error("default email.html not used beside the override")
	}
	if got := string(th.Stylesheet()); got != "body { color: teal }" {
		t.Errorf("Stylesheet() = %q", got)
	}
}

func TestLoadBroken(t *testing.T) {
	tests := []struct {
		name, file, src string
		line            string // ":LINE" expected after the file's path
	}{
		{"unclosed action", "email.html", "<!DOCTYPE html>\n<p>\n{{ .Nope </p>\n", ":3"},
		{"missing field", "email.html", "<!DOCTYPE html>\n<p>{{.PublicationName}}</p>\n<p>{{.Nope}}</p>\n", ":3"},
		{"missing article field", "email.html", "<p>\n{{range .Articles}}\n{{.Body}}{{end}}</p>\n", ":3"},
		{"unknown slot", "email.html", "<p>{{slot \"age\"}}</p>\n", ":1"},
		{"text missing field", "email.txt", "Hi\n\n{{.Subscriber}}\n", ":3"},
		{"text bad syntax", "email.txt", "Hi {{if}}\n", ":1"},
		{"web page missing field", "issue.html", "{{define \"content\"}}\n{{.Nope}}{{end}}\n", ":2"},
		{"web page with slot", "issue.html", "{{define \"content\"}}{{slot \"name\"}}{{end}}\n", ":1"},
		{"rewritten url", "email.html", "<a href=\"{{.Tagline | printf \"javascript:%s\"}}\">x</a>\n", ""},
		{"layout", "layout.html", "<html>\n{{block \"content\" .}}{{end}\n", ":2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := writeFile(t, dir, tt.file, tt.src)
			th, err := Load(dir)
			if err == nil {
				t.Fatalf("Load succeeded: %v", th)
			}
			if !strings.Contains(err.Error(), p+tt.line) {
				t.Errorf("Load error %q does not name %s%s", err, p, tt.line)
			}
		})
	}
}

// An override that would be served wrong or ignored is refused at load,
// saying which file and why: a page without its "content", a file of no
// known name, a symbolic link.
func TestLoadRefusesMisfits(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string
	}{
		{"a page without content", func(t *testing.T, dir string) {
			writeFile(t, dir, "issue.html", "<h1>{{.PublicationName}}</h1>\n")
		}, `issue.html: a web page must define its body with {{define "content"}}`},
		{"an unknown file", func(t *testing.T, dir string) {
			writeFile(t, dir, "isue.html", `{{define "content"}}x{{end}}`)
		}, `"isue.html" is not a file of the theme (they are: email.html, email.txt, issue.html`},
		{"a symbolic link", func(t *testing.T, dir string) {
			outside := writeFile(t, t.TempDir(), "secret.txt", "{{.PublicationName}}\n")
			if err := os.Symlink(outside, filepath.Join(dir, "email.txt")); err != nil {
				t.Skip(err)
			}
		}, "email.txt is not a regular file (a symbolic link or a directory)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			c.setup(t, dir)
			_, err := Load(dir)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Load: %v\nwant an error containing %q", err, c.want)
			}
		})
	}
}

func TestLoadMissingDir(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Error("Load of a missing override directory succeeded")
	}
}
