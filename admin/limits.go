package admin

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"time"

	"masthead/web/httpauth"
)

// The server's timeouts (web.Server.HTTPServer: a minute to read a request,
// two to answer) suit every page but the two that move a whole subscriber
// list; those extend their own deadlines once the request is known to come
// from an editor. No admin route streams: the live progress view polls.

// bulkDeadline is how long a subscriber import or export may take.
const bulkDeadline = 30 * time.Minute

// bulk reports whether the route moves a whole subscriber list.
func bulk(pattern string) bool {
	switch pattern {
	case "POST /admin/subscribers/import", "GET /admin/subscribers/export":
		return true
	}
	return false
}

// extendDeadlines lets a bulk request read and write for bulkDeadline,
// beyond the server's timeouts. (Writers that cannot, such as a test's
// recorder, have no deadline to extend.)
func extendDeadlines(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	at := time.Now().Add(bulkDeadline)
	_ = rc.SetReadDeadline(at)
	_ = rc.SetWriteDeadline(at)
}

// Request body limits, applied by guard before anything reads the body.
const (
	// maxForm bounds a form: an article of 1 MiB of Markdown, URL-encoded,
	// with room to spare.
	maxForm = 3 << 20
	// maxImport bounds the subscriber import form, its CSV file included.
	maxImport = 64 << 20
	// multipartMemory is how much of a multipart form is kept in memory; the
	// rest of a file goes to a temporary file, removed after the request.
	multipartMemory = 8 << 20
)

// bodyLimit is the most a request to the route may send.
func bodyLimit(pattern string) int64 {
	if pattern == "POST /admin/subscribers/import" {
		return maxImport
	}
	return maxForm
}

// parseForm reads a POST's form (URL-encoded or multipart) within the body
// limit, so that the CSRF check and the handler find it parsed; on failure it
// has answered, 413 for a body over the limit.
func (a *Admin) parseForm(w http.ResponseWriter, r *http.Request, p *httpauth.Principal, limit int64) bool {
	var err error
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		err = r.ParseMultipartForm(multipartMemory)
	} else {
		err = r.ParseForm()
	}
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return true
	case errors.As(err, &tooBig):
		a.tooLarge(w, r, p, limit)
	default:
		a.log.Info("unreadable admin form", "path", r.URL.Path, "err", err)
		a.errorPage(w, r, p, http.StatusBadRequest, "The form could not be read. Go back, reload the page and try again.")
	}
	return false
}

// tooLarge answers 413 with a page that says the limit.
func (a *Admin) tooLarge(w http.ResponseWriter, r *http.Request, p *httpauth.Principal, limit int64) {
	a.log.Warn("admin request body over the limit refused", "path", r.URL.Path, "limit", limit, "content_length", r.ContentLength)
	msg := fmt.Sprintf("What you sent is larger than %d MiB, the most this form takes. Nothing was changed.", limit>>20)
	if limit == maxImport {
		msg = fmt.Sprintf("The file is larger than %d MiB, the most one import takes. Nothing was imported: split the file and import the parts.", limit>>20)
	}
	a.errorPage(w, r, p, http.StatusRequestEntityTooLarge, msg)
}
