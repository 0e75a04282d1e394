package newsletter

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxKey is the longest article key, in characters: room for a feed's
// prefix and a GUID that is a long URL.
const MaxKey = 500

// AssignedKey is the key masthead gives an article stored without one: "a"
// and its ID. No two articles can share it: a key of that form is refused
// for any other article (IsAssignedKey).
func AssignedKey(id int64) string { return "a" + strconv.FormatInt(id, 10) }

var assignedKeyRE = regexp.MustCompile(`^a[0-9]+$`)

// IsAssignedKey reports whether key has the form of the keys masthead
// assigns ("a" and digits), and if so the article ID it stands for.
func IsAssignedKey(key string) (int64, bool) {
	if !assignedKeyRE.MatchString(key) {
		return 0, false
	}
	id, err := strconv.ParseInt(key[1:], 10, 64)
	return id, err == nil
}

// AssignedKeyProblem says why key, of the form masthead assigns, cannot be
// the key of article id (0: a new article), "" if it can: it must be the
// key assigned to that article.
func AssignedKeyProblem(key string, id int64) string {
	n, ok := IsAssignedKey(key)
	switch {
	case !ok || n == id:
		return ""
	case id == 0:
		return fmt.Sprintf("%q has the form of the keys masthead assigns (a and an article number) and no article of this publication has it; choose another key", key)
	}
	return fmt.Sprintf("%q has the form of the keys masthead assigns (a and an article number) and is not this article's; choose another key", key)
}

// KeyProblem says what is wrong with an article key, "" if nothing (an empty
// key is fine: one is assigned).
func KeyProblem(key string) string {
	if problem := OneLineProblem(key); problem != "" {
		return problem
	}
	if utf8.RuneCountInString(key) > MaxKey {
		return fmt.Sprintf("is longer than %d characters", MaxKey)
	}
	return ""
}

// FileKey is the key of an article file that gives none: the date and the
// file's name without its extension, as a slug ("2026-12-03/letters" for
// letters.md dated 2026-12-03). Importing the same file again updates the
// same article, whatever its headline; the date keeps a file name reused
// every day (editorial.md) from replacing yesterday's article.
func FileKey(path string, d Date) string {
	base := filepath.Base(path)
	base = strings.TrimSuffix(base, filepath.Ext(base))
	return d.String() + "/" + Slug(base)
}

// Slug is s in lower case with every run of characters other than letters
// and digits made one hyphen, trimmed of hyphens ("Letters to the Editor!"
// is "letters-to-the-editor"); "article" when nothing is left.
func Slug(s string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
			continue
		}
		hyphen = true
	}
	if b.Len() == 0 {
		return "article"
	}
	return b.String()
}

// ArticleChange is what storing an article by its key did.
type ArticleChange string

const (
	// ArticleCreated: no article had the key; one was made.
	ArticleCreated ArticleChange = "created"
	// ArticleUpdated: the article with the key was changed.
	ArticleUpdated ArticleChange = "updated"
	// ArticleUnchanged: the article with the key already said all that.
	ArticleUnchanged ArticleChange = "unchanged"
	// ArticleFrozen: the article with the key (or the date it would go to)
	// belongs to an issue that went out or is going out; it was left alone.
	ArticleFrozen ArticleChange = "frozen"
)
