package cli

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"masthead/internal/smtptest"
	"masthead/newsletter"
	"masthead/store"
)

// db backup while serve is in the middle of a send (the mail server holds
// it after ten messages) and the API is adding articles: the copy is a sound
// database at the current schema with everything committed before the backup
// began: the send's whole audience, every message recorded sent, every
// article the API had answered for.
func TestDBBackupWhileServeSends(t *testing.T) {
	ctx := context.Background()
	db := newDB(t)
	planetWithReaders(t, db, 120)
	if code, out, errs := runCLI(t, db, "a-long-password\n", "user", "add", "perry@planet.example", "--role", "admin"); code != 0 {
		t.Fatal(out, errs)
	}
	_, out, _ := runCLI(t, db, "", "token", "create", "--user", "perry@planet.example")
	token := strings.TrimSpace(out)
	if code, out, errs := runCLI(t, db, "", "issue", "assemble", "--date", "2009-07-10"); code != 0 {
		t.Fatal(out, errs)
	}

	release := make(chan struct{})
	var once sync.Once
	open := func() { once.Do(func() { close(release) }) }
	defer open()
	var seen atomic.Int64
	srv, err := smtptest.Start(smtptest.Options{Latency: 2 * time.Millisecond,
		Inject: func(stage smtptest.Stage, _, _ string) *smtptest.Fault {
			if stage == smtptest.StageData && seen.Add(1) > 10 {
				<-release
			}
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	s := serveInProcess(t, db, "--smtp=smtp://"+srv.Addr+"?tls=none")
	base := "http://" + s.addr
	waitHTTP(t, s, base+"/readyz")

	st := openStoreAt(t, db)
	p, err := st.PublicationBySlug(ctx, "the-daily-planet")
	if err != nil {
		t.Fatal(err)
	}
	iss, err := st.IssueByDate(ctx, p.ID, newsletter.Date{Year: 2009, Month: 7, Day: 10})
	if err != nil {
		t.Fatal(err)
	}
	api := func(method, path, body string) *http.Response {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		return do(t, http.DefaultClient, req)
	}
	if res := api("POST", fmt.Sprintf("/api/issues/%d/send", iss.ID), ""); res.StatusCode != http.StatusOK {
		t.Fatalf("send: %d %s", res.StatusCode, readAll(res))
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, _ := st.Counts(ctx, iss.ID); c.Sent >= 10 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the send did not get going\n%s", s.log())
		}
	}

	// The API adds articles, one after the other, until the backup is done.
	var mu sync.Mutex
	var answered []string // titles the API answered 201 for
	stop := make(chan struct{})
	writer := make(chan error, 1)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				writer <- nil
				return
			default:
			}
			title := fmt.Sprintf("Late Edition %d", i)
			req, _ := http.NewRequest("POST", base+"/api/articles", strings.NewReader(
				`{"date":"2009-07-11","section":"News","title":"`+title+`","body":"Body.","status":"ready"}`))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				writer <- err
				return
			}
			res.Body.Close()
			if res.StatusCode != http.StatusCreated {
				writer <- fmt.Errorf("article %d: status %d", i, res.StatusCode)
				return
			}
			mu.Lock()
			answered = append(answered, title)
			mu.Unlock()
		}
	}()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		n := len(answered)
		mu.Unlock()
		if n >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the API added no articles")
		}
	}

	// What was committed before the backup began.
	mu.Lock()
	before := append([]string(nil), answered...)
	mu.Unlock()
	sentBefore, err := st.Counts(ctx, iss.ID)
	if err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	code, out, errs := runCLI(t, db, "", "db", "backup", backup)
	close(stop)
	if err := <-writer; err != nil {
		t.Fatal(err)
	}
	if code != 0 || !strings.Contains(out, "backed up") {
		t.Fatalf("db backup: exit %d\n%s%s", code, out, errs)
	}
	if c, _ := st.Counts(ctx, iss.ID); c.Sent != sentBefore.Sent || c.Pending() == 0 {
		t.Fatalf("the send was not held during the backup: %+v before, %+v after", sentBefore, c)
	}
	open()

	// The copy is a sound database at this build's schema version.
	raw, err := sql.Open("sqlite3", "file:"+backup+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var check string
	if err := raw.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check of the copy: %q, %v", check, err)
	}
	var version int
	if err := raw.QueryRow(`SELECT MAX(version) FROM schema_version`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if want, _ := st.SchemaVersion(ctx); version != want {
		t.Errorf("the copy is at schema version %d, the database at %d", version, want)
	}
	raw.Close()

	cp := openStoreAt(t, backup)
	c, err := cp.Counts(ctx, iss.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Total != 120 || c.Sent < sentBefore.Sent {
		t.Errorf("the copy's send: %+v; want 120 rows, at least the %d sent before the backup", c, sentBefore.Sent)
	}
	list, err := cp.Articles(ctx, store.ArticleFilter{PublicationID: p.ID, Date: newsletter.Date{Year: 2009, Month: 7, Day: 11}})
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, a := range list {
		have[a.Title] = true
	}
	for _, title := range before {
		if !have[title] {
			t.Errorf("the copy lacks %q, added by the API before the backup began", title)
		}
	}
	waitStatus(t, st, iss.ID, newsletter.Sent, 60*time.Second, s.log)
	s.stop(t)
}

// db backup refuses to replace a file unless --force, refuses a database in
// use as its target, and on PostgreSQL points to pg_dump.
func TestDBBackupRefusals(t *testing.T) {
	db := newDB(t)
	setupPlanet(t, db)
	dir := t.TempDir()
	target := filepath.Join(dir, "old.db")
	if err := os.WriteFile(target, []byte("yesterday's backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCLI(t, db, "", "db", "backup", target)
	if code == 0 || !strings.Contains(errs, "the backup file exists: "+target+" (--force replaces it)") {
		t.Errorf("backup over a file: exit %d %s", code, errs)
	}
	if b, _ := os.ReadFile(target); string(b) != "yesterday's backup" {
		t.Errorf("the refused backup changed the file: %q", b)
	}
	if code, out, errs := runCLI(t, db, "", "db", "backup", "--force", target); code != 0 {
		t.Fatalf("backup --force: exit %d %s%s", code, out, errs)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the backups left files behind: %v", entries)
	}
	cp := openStoreAt(t, target)
	if p, err := cp.PublicationBySlug(context.Background(), "the-daily-planet"); err != nil || p.Name != "The Daily Planet" {
		t.Errorf("the forced backup holds %v, %v", p, err)
	}
	if code, _, errs := runCLI(t, db, "", "db", "backup", db); code == 0 || !strings.Contains(errs, "is a database in use") {
		t.Errorf("backup onto the database itself: exit %d %s", code, errs)
	}
	// A directory that is not there is named, not a temporary file's name.
	nodir := filepath.Join(dir, "nodir")
	if code, _, errs := runCLI(t, db, "", "db", "backup", filepath.Join(nodir, "x.db")); code == 0 ||
		!strings.Contains(errs, "backup: cannot write "+filepath.Join(nodir, "x.db")+": directory "+nodir+" does not exist") || strings.Contains(errs, ".tmp") {
		t.Errorf("backup into a missing directory: exit %d %s", code, errs)
	}
	if code, _, errs := runCLI(t, db, "", "db", "backup", filepath.Join(target, "x.db")); code == 0 ||
		!strings.Contains(errs, "backup: cannot write "+filepath.Join(target, "x.db")+": "+target+" is not a directory") {
		t.Errorf("backup under a file: exit %d %s", code, errs)
	}

	code, _, errs = runCLI(t, "postgres://postgres@127.0.0.1:1/none?sslmode=disable", "", "db", "backup", filepath.Join(dir, "pg.db"))
	if code == 0 || !strings.Contains(errs, "back up PostgreSQL with pg_dump") || !strings.Contains(errs, "pg_restore") {
		t.Errorf("backup of PostgreSQL: exit %d %s", code, errs)
	}
}
