package cli

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"masthead/auth"
	"masthead/store"
)

func TestUserAddAndTokenCreate(t *testing.T) {
	db := newDB(t)
	if code, out, errs := runCLI(t, db, "a-long-password\n", "user", "add", "perry@planet.example", "--role", "admin"); code != 0 ||
		!strings.Contains(out, "added perry@planet.example (admin)") {
		t.Fatalf("user add: %d %q %q", code, out, errs)
	}
	for _, c := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"a-long-password\n", []string{"user", "add", "perry@planet.example"}, "already has an account"},
		{"short\n", []string{"user", "add", "lois@planet.example"}, "at least 10 characters"},
		{"", []string{"user", "add", "lois@planet.example"}, "no password on stdin"},
		{"a-long-password\n", []string{"user", "add", "lois@planet.example", "--role", "root"}, "want editor or admin"},
		{"", []string{"token", "create"}, "--user EMAIL is required"},
		{"", []string{"token", "create", "--user", "nobody@planet.example"}, "no account nobody@planet.example"},
	} {
		if code, _, errs := runCLI(t, db, c.stdin, c.args...); code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %q", c.args, code, errs, c.want)
		}
	}
	code, out, errs := runCLI(t, db, "", "token", "create", "--name", "ci", "--user", "perry@planet.example")
	token := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(token, auth.TokenPrefix) {
		t.Fatalf("token create: %d %q %q", code, out, errs)
	}

	// The token works, and the database holds only its hash.
	ctx := context.Background()
	st, err := store.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tok, who, err := auth.New(st, auth.Options{}).Token(ctx, token)
	if err != nil || who.Email != "perry@planet.example" || who.Role != auth.Admin {
		t.Fatalf("the printed token does not authenticate: %+v %v", who, err)
	}
	if tok.TokenHash == token || tok.Name != "ci" {
		t.Errorf("stored token %+v", tok)
	}
	u, err := st.UserByEmail(ctx, "perry@planet.example")
	if err != nil || strings.Contains(u.PasswordHash, "a-long-password") || !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
		t.Errorf("stored password hash %q, %v", u.PasswordHash, err)
	}
}

// TestUserManage: list, role, password and remove, with the last admin kept.
func TestUserManage(t *testing.T) {
	db := newDB(t)
	for _, c := range [][]string{{"perry@planet.example", "admin"}, {"lois@planet.example", "editor"}} {
		if code, out, errs := runCLI(t, db, "a-long-password\n", "user", "add", c[0], "--role", c[1]); code != 0 {
			t.Fatalf("user add %s: %d %q %q", c[0], code, out, errs)
		}
	}
	if code, _, errs := runCLI(t, db, "", "token", "create", "--user", "lois@planet.example"); code != 0 {
		t.Fatalf("token create: %s", errs)
	}
	code, out, errs := runCLI(t, db, "", "user", "list")
	if code != 0 || !regexp.MustCompile(`(?m)^lois@planet.example\s+editor\s+1\s`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^perry@planet.example\s+admin\s+0\s`).MatchString(out) {
		t.Fatalf("user list: %d %q %q", code, out, errs)
	}
	for _, c := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"", []string{"user", "role", "perry@planet.example", "--role", "editor"}, "last admin"},
		{"", []string{"user", "remove", "perry@planet.example"}, "last admin"},
		{"", []string{"user", "role", "perry@planet.example"}, "--role admin|editor is required"},
		{"", []string{"user", "role", "perry@planet.example", "--role", "root"}, "want editor or admin"},
		{"", []string{"user", "remove", "nobody@planet.example"}, "no account nobody@planet.example"},
		{"", []string{"user", "remove"}, "want one EMAIL"},
		{"short\n", []string{"user", "password", "lois@planet.example"}, "at least 10 characters"},
		{"", []string{"user", "password", "lois@planet.example"}, "no password on stdin"},
	} {
		if code, _, errs := runCLI(t, db, c.stdin, c.args...); code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %q", c.args, code, errs, c.want)
		}
	}

	ctx := context.Background()
	st, err := store.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := auth.New(st, auth.Options{})
	lois, err := st.UserByEmail(ctx, "lois@planet.example")
	if err != nil {
		t.Fatal(err)
	}
	session, _, err := svc.StartSession(ctx, lois)
	if err != nil {
		t.Fatal(err)
	}
	signedIn := func() bool {
		_, _, err := svc.Session(ctx, session)
		return err == nil
	}
	if code, out, errs := runCLI(t, db, "new-long-password\n", "user", "password", "lois@planet.example"); code != 0 ||
		!strings.Contains(out, "password of lois@planet.example changed") {
		t.Fatalf("user password: %d %q %q", code, out, errs)
	}
	if signedIn() {
		t.Error("a session outlived the password change")
	}
	if _, err := svc.Login(ctx, "lois@planet.example", "new-long-password", "192.0.2.1"); err != nil {
		t.Errorf("login with the new password: %v", err)
	}
	if code, out, errs := runCLI(t, db, "", "user", "role", "lois@planet.example", "--role", "admin"); code != 0 ||
		!strings.Contains(out, "lois@planet.example is now admin") {
		t.Fatalf("user role: %d %q %q", code, out, errs)
	}
	if code, out, errs := runCLI(t, db, "", "user", "remove", "lois@planet.example"); code != 0 ||
		!strings.Contains(out, "removed lois@planet.example; its sessions ended and its 1 API tokens stopped working") {
		t.Fatalf("user remove: %d %q %q", code, out, errs)
	}
	if list, err := st.APITokens(ctx, 0); err != nil || len(list) != 0 {
		t.Errorf("tokens after removing their account: %d %v", len(list), err)
	}
	if code, out, errs := runCLI(t, db, "", "user", "list"); code != 0 || strings.Contains(out, "lois@") {
		t.Errorf("user list after remove: %d %q %q", code, out, errs)
	}
}

// user add says where to sign in: the address given to it, else the one
// the database's serve runs on, else serve's default, said to be one.
func TestUserAddSaysWhereServeRuns(t *testing.T) {
	db := newDB(t)
	add := func(email string, args ...string) string {
		t.Helper()
		code, out, errs := runCLI(t, db, "a-long-password\n", append([]string{"user", "add", email}, args...)...)
		if code != 0 {
			t.Fatalf("user add: %d %s%s", code, out, errs)
		}
		return out
	}
	if out := add("a@planet.example"); !strings.Contains(out, "sign in at http://127.0.0.1:8080/admin/ (masthead serve's default address") {
		t.Errorf("before any serve: %q", out)
	}
	if out := add("b@planet.example", "--addr", "127.0.0.1:9191"); !strings.Contains(out, "sign in at http://127.0.0.1:9191/admin/\n") {
		t.Errorf("with --addr: %q", out)
	}
	s := serveInProcess(t, db, "--base-url", "https://news.planet.example")
	waitHTTP(t, s, "http://"+s.addr+"/healthz")
	s.stop(t)
	if out := add("c@planet.example"); !strings.Contains(out, "sign in at https://news.planet.example/admin/\n") {
		t.Errorf("after serve --base-url: %q", out)
	}
	if out := add("d@planet.example", "--base-url", "https://other.example/"); !strings.Contains(out, "sign in at https://other.example/admin/\n") {
		t.Errorf("with --base-url: %q", out)
	}
}

// publication set --language sets the readers' language, shown by
// publication show; a tag that is no language is refused by name.
func TestPublicationLanguage(t *testing.T) {
	db := newDB(t)
	setupPlanet(t, db)
	if code, _, errs := runCLI(t, db, "", "publication", "set", "--language", "not a tag"); code == 0 || !strings.Contains(errs, "language") {
		t.Errorf("--language 'not a tag': exit %d %s", code, errs)
	}
	if code, out, errs := runCLI(t, db, "", "publication", "set", "--language", "he"); code != 0 {
		t.Fatalf("--language he: %d %s%s", code, out, errs)
	}
	if _, out, _ := runCLI(t, db, "", "publication", "show"); !regexp.MustCompile(`language:\s+he`).MatchString(out) {
		t.Errorf("show:\n%s", out)
	}
}
