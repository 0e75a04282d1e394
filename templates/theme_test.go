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
	writeFile(t, dir, "unrelated.txt", "{{ broken")
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

func TestLoadMissingDir(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Error("Load of a missing override directory succeeded")
	}
}
