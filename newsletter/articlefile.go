package newsletter

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Article files: Markdown with YAML front matter (frontmatter.go), read from
// disk by 'masthead article import' and by whatever else imports articles.

// ReadArticleFiles reads and checks every file as an article of p
// (ParseArticleFile) and returns them in order, or every problem found in
// any of them (Errors), each naming its file and line: a set of files is
// taken whole or not at all. A file without a key: gets its FileKey; two
// files with one key are refused, naming both.
func ReadArticleFiles(files []string, p *Publication) ([]*Article, error) {
	var errs Errors
	var out []*Article
	keyFile := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: cannot read: %w", f, errors.Unwrap(err)))
			continue
		}
		ar, err := ParseArticleFile(f, data, p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ar.PublicationID = p.ID
		if ar.Key == "" {
			ar.Key = FileKey(f, ar.Date)
		}
		if first, ok := keyFile[ar.Key]; ok {
			errs = append(errs, &FieldError{Source: f, Field: "key", Msg: fmt.Sprintf(
				"%q is also the key of %s; one import cannot hold two articles with one key (give one of them another key:)", ar.Key, first)})
			continue
		}
		keyFile[ar.Key] = f
		out = append(out, ar)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// ArticleFiles expands paths into the article files to read: a file is
// itself, a directory its .md and .markdown files, sorted by name.
func ArticleFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, errors.Unwrap(err))
		}
		if !fi.IsDir() {
			out = append(out, p)
			continue
		}
		var found []string
		for _, pat := range []string{"*.md", "*.markdown"} {
			m, _ := filepath.Glob(filepath.Join(p, pat))
			found = append(found, m...)
		}
		sort.Strings(found)
		if len(found) == 0 {
			return nil, fmt.Errorf("%s: no .md files in this directory", p)
		}
		out = append(out, found...)
	}
	return out, nil
}

// ArticleFilesError names, in err, the file and line of each problem with
// an article read from files (ReadArticleFiles, in that order): an
// ArticleError's field errors become "file:line: field: ...", the line
// the field's in the file's front matter (none when the file does not
// write the field). Other errors are left as they are.
func ArticleFilesError(err error, files []string) error {
	var list Errors
	if !errors.As(err, &list) {
		list = Errors{err}
	}
	located := false
	out := make(Errors, 0, len(list))
	for _, e := range list {
		var ae *ArticleError
		if !errors.As(e, &ae) || ae.Index < 0 || ae.Index >= len(files) {
			out = append(out, e)
			continue
		}
		out = append(out, inFile(ae.Err, files[ae.Index])...)
		located = true
	}
	if !located {
		return err
	}
	return out
}

// inFile is err, a problem with the article of file, with the file and the
// line of each field error's field.
func inFile(err error, file string) Errors {
	var list Errors
	if !errors.As(err, &list) {
		list = Errors{err}
	}
	data, _ := os.ReadFile(file) // a file gone since: no lines
	header := string(data)
	if i := strings.Index(header, "\n---"); i >= 0 {
		header = header[:i]
	}
	out := make(Errors, 0, len(list))
	for _, e := range list {
		var fe *FieldError
		if !errors.As(e, &fe) {
			out = append(out, fmt.Errorf("%s: %w", file, e))
			continue
		}
		located := *fe
		located.Source = file
		if located.Field != "" {
			n := lineOf(header, located.Field+":")
			if n == 0 && located.Field == "key" {
				n = lineOf(header, "id:") // key:'s other name
			}
			if n > 0 {
				located.Line = n
			}
		}
		out = append(out, &located)
	}
	return out
}
