package admin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
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
	// maxImport bounds the subscriber import form, its CSV file included
	// (streamed as it arrives, see upload).
	maxImport = 64 << 20
)

// bodyLimit is the most a request to the route may send.
func bodyLimit(pattern string) int64 {
	switch pattern {
	case "POST /admin/subscribers/import":
		return maxImport
	case "POST /admin/media":
		return maxPicture
	}
	return maxForm
}

// parseForm reads a POST's form (URL-encoded or multipart) within the body
// limit, so that the CSRF check and the handler find it parsed; on failure it
// has answered, 413 for a body over the limit. A multipart form with a file
// is read up to its file only, which the handler then streams (upload): a
// subscriber list is never held in memory nor copied to a temporary file.
func (a *Admin) parseForm(w http.ResponseWriter, r *http.Request, p *httpauth.Principal, limit int64) (*http.Request, bool) {
	var err error
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		r, err = parseUploadHead(r)
	} else {
		err = r.ParseForm()
	}
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return r, true
	case errors.As(err, &tooBig):
		a.tooLarge(w, r, p, limit)
	default:
		a.log.Info("unreadable admin form", "path", r.URL.Path, "err", err)
		a.errorPage(w, r, p, http.StatusBadRequest, "The form could not be read. Go back, reload the page and try again.")
	}
	return r, false
}

// uploadKey is the context key of a form's file part (see upload).
type uploadKey struct{}

// parseUploadHead reads a multipart form's fields up to its first file (the
// CSRF token and the options come first in the admin's forms) into
// r.PostForm, and leaves the file to be read by the handler, through upload.
func parseUploadHead(r *http.Request) (*http.Request, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return r, err
	}
	r.PostForm = url.Values{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return r, err
		}
		if part.FileName() != "" {
			return r.WithContext(context.WithValue(r.Context(), uploadKey{}, &uploaded{mr, part})), mergeForm(r)
		}
		v, err := io.ReadAll(io.LimitReader(part, 64<<10))
		if err != nil {
			return r, err
		}
		r.PostForm.Add(part.FormName(), string(v))
	}
	return r, mergeForm(r)
}

// mergeForm makes r.Form the query's values and the form's, as ParseForm does.
func mergeForm(r *http.Request) error {
	r.Form = url.Values{}
	for k, v := range r.URL.Query() {
		r.Form[k] = append(r.Form[k], v...)
	}
	for k, v := range r.PostForm {
		r.Form[k] = append(r.Form[k], v...)
	}
	return nil
}

// uploaded is a multipart form's rest from its first file on.
type uploaded struct {
	mr   *multipart.Reader
	part *multipart.Part
}

// upload is the form's file field name, unread, for the handler to stream;
// other files before it are read past. nil when the form has no such file.
// Fields after the file are not read (the admin's forms put them first). An
// error is the body's (*http.MaxBytesError over the limit).
func upload(r *http.Request, name string) (*multipart.Part, error) {
	u, _ := r.Context().Value(uploadKey{}).(*uploaded)
	if u == nil {
		return nil, nil
	}
	for u.part != nil && u.part.FormName() != name {
		if _, err := io.Copy(io.Discard, u.part); err != nil {
			return nil, err
		}
		var err error
		if u.part, err = u.mr.NextPart(); errors.Is(err, io.EOF) {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
	}
	return u.part, nil
}

// tooLarge answers 413 with a page that says the limit.
func (a *Admin) tooLarge(w http.ResponseWriter, r *http.Request, p *httpauth.Principal, limit int64) {
	a.log.Warn("admin request body over the limit refused", "path", r.URL.Path, "limit", limit, "content_length", r.ContentLength)
	msg := fmt.Sprintf("What you sent is larger than %d MiB, the most this form takes. Nothing was changed.", limit>>20)
	if limit == maxPicture {
		msg = "The image is too large: the limit is 20 MB. Nothing was added: save it smaller (a column shows 1200 pixels at most) and upload it again."
	}
	if limit == maxImport {
		msg = fmt.Sprintf("The file is larger than %d MiB, the most one import takes. Nothing was imported: split the file and import the parts.", limit>>20)
	}
	a.errorPage(w, r, p, http.StatusRequestEntityTooLarge, msg)
}
