package newsletter

import (
	"errors"
	"fmt"
	"strings"
)

// ErrEmptyIssue is returned when a date has no ready articles: there is nothing to send.
var ErrEmptyIssue = errors.New("no ready articles for this date")

// ErrFrozen is returned when an issue that has started sending would change.
var ErrFrozen = errors.New("issue has already been sent or is sending; it can no longer change")

// FieldError says which field of which input is wrong.
type FieldError struct {
	Source string // file name or other origin; may be empty
	Line   int    // 1-based line in Source; 0 when unknown
	Field  string
	Msg    string
}

func (e *FieldError) Error() string {
	var b strings.Builder
	if e.Source != "" {
		b.WriteString(e.Source)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is a list of validation problems reported together.
type Errors []error

func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// orNil returns es as an error, or nil when it is empty.
func (es Errors) orNil() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// ArticleError is a problem with one article of a set stored together (an
// import), by its place in the set, so that whoever read the set can say
// where the article came from (ArticleFilesError).
type ArticleError struct {
	Index int // 0-based place in the set
	Title string
	Err   error
}

func (e *ArticleError) Error() string {
	return fmt.Sprintf("article %d (%q): %v", e.Index+1, e.Title, e.Err)
}

func (e *ArticleError) Unwrap() error { return e.Err }
