package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"masthead/newsletter"
	"masthead/store"
)

// An editor exports the built-in theme, edits the text email, and points the
// publication at the directory by a relative path; the path is stored
// absolute and shown by publication show and list, the API and the admin;
// a serve started in another directory sends the scheduled issue with the
// edited template. A broken template and a missing directory are refused.
func TestThemeExportThenScheduledSendFromAnotherDirectory(t *testing.T) {
	ctx := context.Background()
	db := newDB(t)
	st := openStoreAt(t, db)
	p, _ := servePublication(t, st, 2)
	work := t.TempDir()
	t.Chdir(work)

	code, out, errs := runCLI(t, db, "", "theme", "export", "tpl")
	if code != 0 || !strings.Contains(out, "email.txt") || !strings.Contains(out, "masthead publication set --templates "+filepath.Join(work, "tpl")) {
		t.Fatalf("theme export: exit %d\n%s%s", code, out, errs)
	}
	txt := filepath.Join(work, "tpl", "email.txt")
	orig, err := os.ReadFile(txt)
	if err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCLI(t, db, "", "theme", "export", "tpl"); code == 0 || !strings.Contains(errs, "tpl is not empty") {
		t.Errorf("theme export into a full directory: exit %d %s", code, errs)
	}
	if err := os.WriteFile(txt, append([]byte("PRINTED IN METROPOLIS\n"), orig...), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(work, "tpl", "site-home.html")); err != nil { // from the built-in theme
		t.Fatal(err)
	}

	// Refusals: a broken template names its file and line; no directory.
	os.Mkdir("bad", 0o755)
	os.WriteFile(filepath.Join("bad", "email.html"), []byte("<p>\n<p>\n{{.Volume | nosuchfunc}}\n"), 0o644)
	code, _, errs = runCLI(t, db, "", "publication", "set", "--templates", "bad")
	if code == 0 || !strings.Contains(errs, "publication planet not saved: templates of planet: "+filepath.Join(work, "bad", "email.html")+":3:") ||
		!strings.Contains(errs, "nosuchfunc") || strings.Contains(errs, "template: ") || strings.Count(errs, "templates") != 1 {
		t.Errorf("a broken template: exit %d %s", code, errs)
	}
	code, _, errs = runCLI(t, db, "", "publication", "set", "--templates", "tlp")
	if code == 0 || !strings.Contains(errs, "--templates tlp: no such directory") || !strings.Contains(errs, "masthead theme export tlp") {
		t.Errorf("a missing directory: exit %d %s", code, errs)
	}
	if got, _ := st.PublicationBySlug(ctx, p.Slug); got.TemplateDir != "" {
		t.Fatalf("a refused --templates was stored: %q", got.TemplateDir)
	}

	if code, out, errs := runCLI(t, db, "", "publication", "set", "--templates", "tpl"); code != 0 {
		t.Fatalf("publication set --templates: exit %d %s%s", code, out, errs)
	}
	abs := filepath.Join(work, "tpl")
	if got, _ := st.PublicationBySlug(ctx, p.Slug); got.TemplateDir != abs {
		t.Errorf("stored template directory %q, want %q", got.TemplateDir, abs)
	}
	if _, out, _ := runCLI(t, db, "", "publication", "show"); !strings.Contains(out, "templates:               "+abs) &&
		!strings.Contains(strings.Join(strings.Fields(out), " "), "templates: "+abs) {
		t.Errorf("publication show:\n%s", out)
	}
	if _, out, _ := runCLI(t, db, "", "publication", "list"); !strings.Contains(out, "TEMPLATES") || !strings.Contains(out, abs) {
		t.Errorf("publication list:\n%s", out)
	}

	// From another directory: serve, the API and the admin, and the send.
	t.Chdir(t.TempDir())
	if code, out, errs := runCLI(t, db, "a-long-password\n", "user", "add", "perry@planet.example", "--role", "admin"); code != 0 {
		t.Fatal(out, errs)
	}
	_, out, _ = runCLI(t, db, "", "token", "create", "--user", "perry@planet.example")
	token := strings.TrimSpace(out)
	at := time.Now().Add(3 * time.Second).Truncate(time.Second)
	if code, out, errs := runCLI(t, db, "", "issue", "schedule", "--at", at.Format(time.RFC3339)); code != 0 {
		t.Fatalf("issue schedule: %d %s %s", code, out, errs)
	}
	s := serveInProcess(t, db)
	base := "http://" + s.addr
	waitHTTP(t, s, base+"/readyz")
	req, _ := http.NewRequest("GET", base+"/api/publications/"+p.Slug, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	var pj struct{ Templates string }
	if err := json.Unmarshal([]byte(readAll(do(t, http.DefaultClient, req))), &pj); err != nil || pj.Templates != abs {
		t.Errorf("the API's publication has templates %q (%v), want %q", pj.Templates, err, abs)
	}
	admin := signIn(t, base, "perry@planet.example", "a-long-password")
	if page := readAll(get(t, admin, base+"/admin/settings")); !strings.Contains(page, "<code>"+abs+"</code>") {
		t.Errorf("the admin's settings do not show the template directory %s", abs)
	}
	iss, err := st.IssueByDate(ctx, p.ID, p.Today(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	waitStatus(t, st, iss.ID, newsletter.Sent, 30*time.Second, s.log)
	s.stop(t)
	msgs, err := st.Outbox(ctx, store.OutboxFilter{IssueID: iss.ID})
	if err != nil || len(msgs) != 2 {
		t.Fatalf("outbox: %d messages, %v", len(msgs), err)
	}
	m, err := st.OutboxByID(ctx, msgs[0].ID)
	if err != nil || !strings.Contains(string(m.Raw), "PRINTED IN METROPOLIS") {
		t.Errorf("the scheduled send did not use the edited template (%v):\n%.600s", err, m.Raw)
	}
}

// A database from before template directories were stored absolute holds
// the path as it was typed: it is resolved against the database file's
// directory, wherever the command runs.
func TestRelativeTemplateDirFromTheDatabaseDirectory(t *testing.T) {
	ctx := context.Background()
	db := newDB(t)
	st := openStoreAt(t, db)
	p, d := servePublication(t, st, 1)
	dbDir := filepath.Dir(db)
	t.Chdir(dbDir)
	if code, _, errs := runCLI(t, db, "", "theme", "export", "theme"); code != 0 {
		t.Fatal(errs)
	}
	os.WriteFile(filepath.Join(dbDir, "theme", "email.txt"), []byte("OLD THEME {{.PublicationName}}\n"), 0o644)
	p.TemplateDir = "theme" // as older versions stored it
	if err := st.SavePublication(ctx, p); err != nil {
		t.Fatal(err)
	}

	t.Chdir(t.TempDir())
	if got, _ := st.PublicationBySlug(ctx, p.Slug); got.TemplateDir != filepath.Join(dbDir, "theme") {
		t.Errorf("the relative directory reads as %q, want it under the database's directory %s", got.TemplateDir, dbDir)
	}
	code, out, errs := runCLI(t, db, "", "issue", "preview", "--date", d.String(), "--format", "text")
	if code != 0 || !strings.Contains(out, "OLD THEME The Daily Planet") {
		t.Errorf("preview from another directory: exit %d\n%s%s", code, out, errs)
	}
}
