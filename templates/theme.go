package templates

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	texttemplate "text/template"
)

//go:embed theme
var defaultTheme embed.FS

// The theme's files. Every other *.html file of the theme is a web page,
// rendered inside layout.html by Page.
const (
	fileEmailHTML = "email.html"
	fileEmailText = "email.txt"
	fileLayout    = "layout.html"
	fileStyle     = "style.css"
	pageIssue     = "issue"
)

// Theme is a parsed, checked set of templates: the default theme with a
// publication's overrides. It is read-only after Load and safe for
// concurrent use.
type Theme struct {
	md        *Markdowner
	emailHTML *template.Template
	emailText *texttemplate.Template
	pages     map[string]*template.Template // by name without ".html", each with the layout
	style     []byte
}

// Load parses the embedded default theme. If overrideDir is not empty, each
// file found there replaces the default file of the same name (files with
// other names are ignored). Every template is then executed against a sample
// issue, so that a broken template or one referring to a missing field fails
// here, with its file and line in the error, and not when an issue is sent.
func Load(overrideDir string) (*Theme, error) {
	files, err := themeFiles(overrideDir)
	if err != nil {
		return nil, err
	}
	t := &Theme{md: NewMarkdown(), pages: map[string]*template.Template{}}
	style := files[fileStyle]
	t.style = []byte(style.src)

	f := files[fileEmailHTML]
	t.emailHTML, err = template.New(f.path).Funcs(emailFuncs()).Parse(f.src)
	if err != nil {
		return nil, parseError(err)
	}
	f = files[fileEmailText]
	t.emailText, err = texttemplate.New(f.path).Funcs(textFuncs()).Parse(f.src)
	if err != nil {
		return nil, parseError(err)
	}
	f = files[fileLayout]
	layout, err := template.New(f.path).Funcs(webFuncs()).Parse(f.src)
	if err != nil {
		return nil, parseError(err)
	}
	for name, f := range files {
		if !strings.HasSuffix(name, ".html") || name == fileEmailHTML || name == fileLayout {
			continue
		}
		page, err := layout.Clone()
		if err == nil {
			_, err = page.New(f.path).Parse(f.src)
		}
		if err != nil {
			return nil, parseError(err)
		}
		if err := definesContent(f); err != nil {
			return nil, err
		}
		t.pages[strings.TrimSuffix(name, ".html")] = page
	}
	if err := t.check(); err != nil {
		return nil, err
	}
	return t, nil
}

// check runs the issue templates against a sample issue.
func (t *Theme) check() error {
	iss := sampleIssue()
	html, _, err := t.RenderEmail(iss)
	if err != nil {
		return err
	}
	for _, mangled := range []string{"ZgotmplZ", "%5b%5bMH:", "%5B%5BMH:"} {
		if strings.Contains(html, mangled) {
			return fmt.Errorf("templates: %s: html/template rewrote a value to %q: a slot or URL is in a context it does not accept",
				t.emailHTML.Name(), mangled)
		}
	}
	return t.Check(pageIssue, iss)
}

// Check executes the web page name against sample data, as the code that
// renders the page with its own data type should do once at start: a page
// that refers to a field its data lacks then fails there, naming the file
// and line.
func (t *Theme) Check(name string, sample any) error {
	return t.Page(io.Discard, name, sample)
}

// Page renders the web page name ("issue", or "issue.html") inside the common
// web layout. The page's file defines the layout's blocks: "title" and
// "content" (and "head" for extra <head> elements). Nothing is written to w
// if the page fails.
func (t *Theme) Page(w io.Writer, name string, data any) error {
	page, ok := t.pages[strings.TrimSuffix(name, ".html")]
	if !ok {
		return fmt.Errorf("templates: no page %q (have %s)", name, strings.Join(t.PageNames(), ", "))
	}
	var buf bytes.Buffer
	if err := page.Execute(&buf, data); err != nil {
		return fmt.Errorf("templates: page %s: %w", name, err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// PageNames lists the theme's web pages, sorted.
func (t *Theme) PageNames() []string {
	names := make([]string, 0, len(t.pages))
	for n := range t.pages {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Stylesheet is the web pages' style sheet, which layout.html links as
// /static/style.css.
func (t *Theme) Stylesheet() []byte { return t.style }

// Markdown renders an article body with the theme's Markdowner; see
// Markdowner.Markdown.
func (t *Theme) Markdown(src string) (html template.HTML, text string, err error) {
	return t.md.Markdown(src)
}

type themeFile struct {
	path string // shown in errors: "theme/email.html" or the override's path
	src  string
}

// themeFiles reads the default theme and the overrides that replace its files.
func themeFiles(overrideDir string) (map[string]themeFile, error) {
	entries, err := fs.ReadDir(defaultTheme, "theme")
	if err != nil {
		return nil, fmt.Errorf("templates: default theme: %w", err)
	}
	if overrideDir != "" {
		if fi, err := os.Stat(overrideDir); err != nil {
			return nil, fmt.Errorf("templates: theme override: %w", err)
		} else if !fi.IsDir() {
			return nil, fmt.Errorf("templates: theme override %s is not a directory", overrideDir)
		}
	}
	if err := checkOverrideNames(overrideDir, entries); err != nil {
		return nil, err
	}
	files := map[string]themeFile{}
	for _, e := range entries {
		name := e.Name()
		if overrideDir != "" {
			p := filepath.Join(overrideDir, name)
			if fi, err := os.Lstat(p); err == nil && !fi.Mode().IsRegular() {
				return nil, fmt.Errorf("templates: theme override %s is not a regular file (a symbolic link or a directory): "+
					"copy the file itself into %s", p, overrideDir)
			}
			src, err := os.ReadFile(p)
			if err == nil {
				files[name] = themeFile{path: p, src: string(src)}
				continue
			}
			if !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("templates: theme override: %w", err)
			}
		}
		src, err := defaultTheme.ReadFile("theme/" + name)
		if err != nil {
			return nil, fmt.Errorf("templates: default theme: %w", err)
		}
		files[name] = themeFile{path: "theme/" + name, src: string(src)}
	}
	return files, nil
}

// definesContent refuses a web page whose file does not define the layout's
// "content" block: the layout's empty default would serve the page blank,
// with 200, instead of failing at start.
func definesContent(f themeFile) error {
	probe, err := template.New(f.path).Funcs(webFuncs()).Parse(f.src)
	if err != nil {
		return parseError(err)
	}
	if probe.Lookup("content") == nil {
		return fmt.Errorf(`templates: %s: a web page must define its body with {{define "content"}} ... {{end}} (the layout puts it in <main>)`, f.path)
	}
	return nil
}

// checkOverrideNames refuses a file in the override directory that is not
// one of the theme's (a misspelt name would otherwise be ignored in
// silence); hidden files (".DS_Store", editors' backups) are let be.
func checkOverrideNames(dir string, theme []fs.DirEntry) error {
	if dir == "" {
		return nil
	}
	have, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("templates: theme override: %w", err)
	}
	known := map[string]bool{}
	var names []string
	for _, e := range theme {
		known[e.Name()] = true
		names = append(names, e.Name())
	}
	for _, e := range have {
		if n := e.Name(); !known[n] && !strings.HasPrefix(n, ".") {
			return fmt.Errorf("templates: theme override %s: %q is not a file of the theme (they are: %s)",
				dir, n, strings.Join(names, ", "))
		}
	}
	return nil
}

// parseError is a template's parse or execution error under this package's
// one prefix: "templates: FILE:LINE: ...", without text/template's own
// "template: ".
func parseError(err error) error {
	return &prefixedError{msg: "templates: " + strings.TrimPrefix(err.Error(), "template: "), err: err}
}

type prefixedError struct {
	msg string
	err error
}

func (e *prefixedError) Error() string { return e.msg }
func (e *prefixedError) Unwrap() error { return e.err }
