package api

import (
	"net/http"
	"net/url"
	"strconv"
)

// Pagination: ?page=N (from 1) and ?per_page=M (1 to maxPerPage). A list
// answers {"data": [...], "next": URL} where next is the next page's URL, or
// empty on the last page.
const (
	defaultPerPage = 50
	maxPerPage     = 200
)

type page struct {
	num, size int
}

// readPage reads the page parameters; on bad values it has answered 400.
func readPage(w http.ResponseWriter, r *http.Request) (page, bool) {
	p := page{num: 1, size: defaultPerPage}
	q := r.URL.Query()
	for name, dst := range map[string]*int{"page": &p.num, "per_page": &p.size} {
		v := q.Get(name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || (name == "per_page" && n > maxPerPage) {
			badRequest(w, name+" must be a whole number from 1"+map[bool]string{true: " to " + strconv.Itoa(maxPerPage)}[name == "per_page"])
			return p, false
		}
		*dst = n
	}
	return p, true
}

// limit and offset ask the store for one row more than a page, to know
// whether another page follows.
func (p page) limit() int  { return p.size + 1 }
func (p page) offset() int { return (p.num - 1) * p.size }

// list is a page of results.
type list struct {
	Data any    `json:"data"`
	Next string `json:"next"`
}

// nextURL is the request's URL with one query value changed, or "" when
// there is no more.
func nextURL(r *http.Request, more bool, key, value string) string {
	if !more {
		return ""
	}
	q := r.URL.Query()
	q.Set(key, value)
	u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
	return u.String()
}

// trim cuts a store result of limit() rows to the page and says if more follow.
func trim[T any](rows []T, p page) ([]T, bool) {
	if len(rows) > p.size {
		return rows[:p.size], true
	}
	if rows == nil {
		rows = []T{}
	}
	return rows, false
}

func pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeError(w, http.StatusNotFound, "not_found", "not found")
		return 0, false
	}
	return id, true
}

func itoa(n int) string { return strconv.Itoa(n) }
