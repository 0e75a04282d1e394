package newsletter

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
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
