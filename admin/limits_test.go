package admin

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"masthead/auth"
	"masthead/internal/smtptest"
	"masthead/store"
)

// TestBodyLimits: every admin request's body is limited before anything
// parses it, the CSRF check included: a 70 MiB import (the padding in a part
// before the CSV file, as a browser might send it) and a 4 MiB form are
// refused with 413 and a page that says why, and nothing is imported.
func TestBodyLimits(t *testing.T) {
	e := newEnv(t, smtptest.Options{})
	ad := e.user(t, "perry@planet.example", auth.Admin)
	cookie, csrf := e.session(t, ad)
	send := func(path, ctype string, body io.Reader) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", e.url+path, body)
		req.Header.Set("Content-Type", ctype)
		req.AddCookie(cookie)
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		defer resp.Body.Close()
		page, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(page)
	}

	// Streamed (no Content-Length): only a limit on the reader stops it.
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		mw.WriteField("csrf", csrf)
		pad, _ := mw.CreateFormFile("padding", "padding.bin")
		chunk := bytes.Repeat([]byte{'x'}, 1<<20)
		for range 70 {
			if _, err := pad.Write(chunk); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		f, _ := mw.CreateFormFile("file", "list.csv")
		io.WriteString(f, "email,name\nsneaky@example.org,Sneaky\n")
		pw.CloseWithError(mw.Close())
	}()
	code, page := send("/admin/subscribers/import", mw.FormDataContentType(), pr)
	pr.CloseWithError(io.ErrClosedPipe)
	if code != http.StatusRequestEntityTooLarge || !strings.Contains(page, "larger than 64 MiB") {
		t.Errorf("a 70 MiB import: %d\n%.600s", code, page)
	}
	if _, err := e.st.SubscriberByEmail(context.Background(), "sneaky@example.org"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the oversized import's file: %v, want not imported", err)
	}

	// A file over the limit sent without a length is read as it comes: the
	// rows before the limit are imported, and the page says so.
	pr2, pw2 := io.Pipe() // the first upload's writer may still be at work
	mw2 := multipart.NewWriter(pw2)
	go func() {
		mw2.WriteField("csrf", csrf)
		f, _ := mw2.CreateFormFile("file", "list.csv")
		io.WriteString(f, "email,name\nearly@example.org,Early\n")
		row := []byte(strings.Repeat("x", 1000) + "@example.org,Padding\n")
		for range 70 << 10 {
			if _, err := f.Write(row); err != nil {
				pw2.CloseWithError(err)
				return
			}
		}
		pw2.CloseWithError(mw2.Close())
	}()
	code, page = send("/admin/subscribers/import", mw2.FormDataContentType(), pr2)
	pr2.CloseWithError(io.ErrClosedPipe)
	if code != http.StatusRequestEntityTooLarge || !strings.Contains(page, "the rows before were imported") {
		t.Errorf("a 70 MiB file: %d\n%.600s", code, page)
	}
	if _, err := e.st.SubscriberByEmail(context.Background(), "early@example.org"); err != nil {
		t.Errorf("the row before the limit: %v, want imported", err)
	}

	// A declared length over the limit is refused before reading.
	big := url.Values{"csrf": {csrf}, "title": {"Long"}, "body": {strings.Repeat("word ", 800_000)}}.Encode()
	code, page = send("/admin/articles", "application/x-www-form-urlencoded", strings.NewReader(big))
	if code != http.StatusRequestEntityTooLarge || !strings.Contains(page, "larger than 3 MiB") {
		t.Errorf("a 4 MiB article form: %d\n%.600s", code, page)
	}
}
