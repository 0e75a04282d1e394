package cli

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"masthead/internal/testenv"
)

// uploadSize is the subscriber CSV the memory figures are taken with: one
// line of 60 MB (under the 64 MiB limit) and a good row after it.
const uploadSize = 60 << 20

// uploadCSV streams the upload: a header, the 60 MB line, a good row.
func uploadCSV() io.Reader {
	return io.MultiReader(strings.NewReader("email,name\n"),
		io.LimitReader(repeatByte('x'), uploadSize), strings.NewReader("@example.org,Long\nr1@example.org,One\n"))
}

type repeatByte byte

func (r repeatByte) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// peakRSS is the process's peak resident memory in MiB (VmHWM), which
// resetPeak sets back to what it holds now (VmRSS, which it returns).
func peakRSS(t *testing.T, pid int) int { return procStatus(t, pid, "VmHWM:") }

func procStatus(t *testing.T, pid int, field string) int {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return kb >> 10
		}
	}
	t.Fatal("no " + field)
	return 0
}

func resetPeak(t *testing.T, pid int) int {
	t.Helper()
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0); err != nil {
		t.Skipf("cannot reset the peak RSS: %v", err)
	}
	return procStatus(t, pid, "VmRSS:")
}

// A 60 MB single-line CSV through the API and through the admin's upload
// form: serve streams both with a bounded line, reports the line and imports
// the row after it. The peak RSS of the serve process during each upload is
// logged (a figure for the notes, not asserted).
func testServeUploadMemory(t *testing.T, bin string) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "masthead.db")
	setupPlanet(t, db)
	if code, out, errs := runCLI(t, db, "a-long-password\n", "user", "add", "perry@planet.example", "--role", "admin"); code != 0 {
		t.Fatalf("user add: %d %s %s", code, out, errs)
	}
	_, out, _ := runCLI(t, db, "", "token", "create", "--name", "uploads", "--user", "perry@planet.example")
	token := strings.TrimSpace(out)
	addr := testenv.Addr(testenv.FreePort(t))
	base := "http://" + addr
	s := startServe(t, bin, dir, []string{"MASTHEAD_DB=" + db}, "serve", "--addr", addr, "--no-sample")
	waitHTTP(t, s, base+"/healthz")
	pid := s.cmd.Process.Pid
	idle := peakRSS(t, pid)

	// The API: a text/csv body.
	apiBefore := resetPeak(t, pid)
	req, _ := http.NewRequest("POST", base+"/api/subscribers/import", uploadCSV())
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "text/csv")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`"added": 1`)) || !bytes.Contains(body, []byte("longer than 65536 bytes")) {
		t.Fatalf("API import: %d %.500s", resp.StatusCode, body)
	}
	apiPeak := peakRSS(t, pid)

	// The admin: sign in, then the upload form (multipart, with the CSRF token).
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	get := func(path string) []byte {
		t.Helper()
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		page, _ := io.ReadAll(resp.Body)
		if csrf.Find(page) == nil {
			t.Fatalf("no CSRF token on %s: %.300s", path, page)
		}
		return csrf.FindSubmatch(page)[1]
	}
	resp, err = c.PostForm(base+"/admin/login", url.Values{"csrf": {string(get("/admin/login"))},
		"email": {"perry@planet.example"}, "password": {"a-long-password"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	token = string(get("/admin/subscribers"))
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		mw.WriteField("csrf", token)
		f, _ := mw.CreateFormFile("file", "list.csv")
		io.Copy(f, uploadCSV())
		pw.CloseWithError(mw.Close())
	}()
	adminBefore := resetPeak(t, pid) // after the sign-in's password hash (19 MiB of Argon2id)
	req, _ = http.NewRequest("POST", base+"/admin/subscribers/import", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", base)
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(page, []byte("longer than 65536 bytes")) {
		t.Fatalf("admin import: %d %s", resp.StatusCode, page)
	}
	adminPeak := peakRSS(t, pid)
	t.Logf("serve RSS: %d MiB peak when idle; a %d MB single-line CSV through the API: peak %d MiB (from %d MiB); "+
		"through the admin's upload form: peak %d MiB (from %d MiB)", idle, uploadSize>>20, apiPeak, apiBefore, adminPeak, adminBefore)
	s.stop(t)
}
