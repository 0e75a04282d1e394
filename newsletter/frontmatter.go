package newsletter

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// frontMatter is the YAML header of an article file.
type frontMatter struct {
	Title    string `yaml:"title"`
	Deck     string `yaml:"deck"`
	Summary  string `yaml:"summary"`
	Date     string `yaml:"date"`
	Section  string `yaml:"section"`
	Author   string `yaml:"author"`
	Position *int   `yaml:"position"`
	Status   string `yaml:"status"`
	Key      string `yaml:"key"`
	ID       string `yaml:"id"` // another name for key
	// Image is the lead image: a library picture's id or SHA-256 (or its
	// first characters); ImageAlt what it shows.
	Image    string `yaml:"image"`
	ImageAlt string `yaml:"image_alt"`
}

var (
	yamlLineRE    = regexp.MustCompile(`line (\d+)`)
	yamlUnknownRE = regexp.MustCompile(`field (\S+) not found in type [\w.]+`)
)

// ParseArticleFile reads an article from a Markdown file with YAML front matter
// between "---" lines. Errors name src and, where known, the line in the file.
func ParseArticleFile(src string, data []byte, p *Publication) (*Article, error) {
	if !utf8.Valid(data) {
		return nil, &FieldError{Source: src, Msg: "file is not valid UTF-8"}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	// CRLF and a lone CR (which YAML also takes for a line break) end lines
	// as LF does, so that the lines errors name are the file's.
	text := strings.ReplaceAll(strings.ReplaceAll(string(data), "\r\n", "\n"), "\r", "\n")
	if !strings.HasPrefix(text, "---\n") {
		return nil, &FieldError{Source: src, Line: 1, Msg: `no front matter: the file must start with a "---" line, then title:, date: ..., then "---"`}
	}
	rest := text[4:]
	var header, body string
	switch end := strings.Index(rest, "\n---\n"); {
	case strings.HasPrefix(rest, "---\n") || rest == "---":
		body = strings.TrimPrefix(rest, "---") // an empty front matter, closed
		body = strings.TrimPrefix(body, "\n")
	case end >= 0:
		header, body = rest[:end+1], rest[end+5:]
	case strings.HasSuffix(rest, "\n---"):
		header, body = rest[:len(rest)-3], ""
	default:
		return nil, &FieldError{Source: src, Line: 1, Msg: `front matter is not closed by a "---" line`}
	}
	var fm frontMatter
	dec := yaml.NewDecoder(strings.NewReader(header))
	dec.KnownFields(true)
	if err := dec.Decode(&fm); err != nil && !errors.Is(err, io.EOF) {
		return nil, yamlError(src, header, err)
	}
	a := &Article{Title: fm.Title, Deck: fm.Deck, Section: fm.Section, Author: fm.Author,
		Body: strings.TrimLeft(body, "\n"), Status: ArticleStatus(fm.Status), LeadImage: fm.Image, LeadAlt: fm.ImageAlt}
	if a.Deck == "" {
		a.Deck = fm.Summary
	}
	a.Key = strings.TrimSpace(fm.Key)
	if id := strings.TrimSpace(fm.ID); id != "" {
		if a.Key != "" && a.Key != id {
			return nil, &FieldError{Source: src, Line: lineOf(header, "id:") + 1, Field: "id",
				Msg: fmt.Sprintf("is %q but key: is %q; id: is another name for key:, give one", id, a.Key)}
		}
		a.Key = id
	}
	if fm.Position != nil {
		a.Position = *fm.Position
	}
	if fm.Date != "" {
		d, err := ParseDate(fm.Date)
		if err != nil {
			return nil, &FieldError{Source: src, Line: lineOf(header, "date:") + 1, Field: "date", Msg: err.Error()}
		}
		a.Date = d
	}
	if err := a.Validate(p, src); err != nil {
		return nil, withLines(err, header)
	}
	return a, nil
}

// yamlError is a front matter yaml.v3 refused, with the file's line of each
// line it names (the header starts on the file's second line), or the line
// of the character it refuses when it names none.
func yamlError(src, header string, err error) error {
	msg := err.Error()
	// yaml.v3 numbers its parser's errors (not its scanner's) from 0.
	shift := 1
	if strings.Contains(msg, "did not find expected") {
		shift = 2
	}
	line := 0
	msg = yamlLineRE.ReplaceAllStringFunc(msg, func(m string) string {
		n, _ := strconv.Atoi(strings.TrimPrefix(m, "line "))
		n += shift
		if line == 0 {
			line = n
		}
		return "line " + strconv.Itoa(n)
	})
	if line == 0 {
		// "control characters are not allowed" names no line: find it.
		if i := strings.IndexFunc(header, func(r rune) bool { return r != '\n' && unicode.IsControl(r) }); i >= 0 {
			line = strings.Count(header[:i], "\n") + 2
			r, _ := utf8.DecodeRuneInString(header[i:])
			msg += fmt.Sprintf(" (%U on line %d)", r, line)
		}
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	msg = strings.ReplaceAll(msg, "\n  ", "; ")
	msg = yamlUnknownRE.ReplaceAllString(msg, `unknown field "$1" (known: title, date, section, author, position, deck, status, key, image, image_alt)`)
	return &FieldError{Source: src, Line: line, Msg: "front matter: " + msg}
}

// withLines adds the front-matter line of each field error's field, where the
// field is written in the header.
func withLines(err error, header string) error {
	var errs Errors
	if !errors.As(err, &errs) {
		return err
	}
	for _, e := range errs {
		var fe *FieldError
		if errors.As(e, &fe) && fe.Line == 0 {
			if n := lineOf(header, fe.Field+":"); n > 0 {
				fe.Line = n + 1
			} else {
				fe.Line = 1
				fe.Msg += fmt.Sprintf(" (add %s: to the front matter)", fe.Field)
			}
		}
	}
	return errs
}

// lineOf is the 1-based line of header starting with key, or 0.
func lineOf(header, key string) int {
	for i, l := range strings.Split(header, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), key) {
			return i + 1
		}
	}
	return 0
}
