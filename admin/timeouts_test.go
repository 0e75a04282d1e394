package admin

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"masthead/auth"
	"masthead/internal/smtptest"
	"masthead/web/httpauth"
)

// TestBulkRoutesOutliveServerTimeouts: subscriber import and export, in the
// admin and the API, extend their deadlines beyond the server's read and
// write timeouts (here cut to a millisecond, so that any read or write after
// the headers would fail without the extension).
func TestBulkRoutesOutliveServerTimeouts(t *testing.T) {
	e := newEnv(t, smtptest.Options{})
	srv := httptest.NewUnstartedServer(e.srv.Config.Handler)
	srv.Config.ReadHeaderTimeout = 10 * time.Second
	srv.Config.ReadTimeout = time.Millisecond
	srv.Config.WriteTimeout = time.Millisecond
	srv.Start()
	defer srv.Close()
	ad := e.user(t, "perry@planet.example", auth.Admin)
	cookie, csrf := e.session(t, ad)
	token, _, err := e.auth.CreateToken(context.Background(), ad.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	var csv bytes.Buffer
	csv.WriteString("email,name\n")
	for i := range 20000 {
		fmt.Fprintf(&csv, "reader%05d@example.org,Reader %d\n", i, i)
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	do := func(req *http.Request) (int, string) {
		t.Helper()
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("%s %s: reading the answer: %v", req.Method, req.URL.Path, err)
		}
		return resp.StatusCode, string(body)
	}

	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, _ := mw.CreateFormFile("file", "list.csv")
	fw.Write(csv.Bytes())
	mw.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/admin/subscribers/import", &form)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set(httpauth.CSRFHeader, csrf)
	req.AddCookie(cookie)
	if code, body := do(req); code != http.StatusOK || !strings.Contains(body, "20000") {
		t.Fatalf("admin import: %d\n%.500s", code, body)
	}

	req, _ = http.NewRequest("POST", srv.URL+"/api/subscribers/import", bytes.NewReader(csv.Bytes()))
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+token)
	if code, body := do(req); code != http.StatusOK {
		t.Fatalf("API import: %d\n%.500s", code, body)
	}

	for _, path := range []string{"/admin/subscribers/export", "/api/subscribers/export"} {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.AddCookie(cookie)
		req.Header.Set("Authorization", "Bearer "+token)
		if code, body := do(req); code != http.StatusOK || strings.Count(body, "@example.org") != 20000 {
			t.Errorf("%s: %d, %d addresses", path, code, strings.Count(body, "@example.org"))
		}
	}
}
