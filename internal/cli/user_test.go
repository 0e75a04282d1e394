package cli

import (
	"context"
	"net/http/httptest"
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
	req := httptest.NewRequest("GET", "/api/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	p, err := auth.New(st, auth.Options{}).Authenticate(req)
	if err != nil || p.User.Email != "perry@planet.example" || p.User.Role != auth.Admin {
		t.Fatalf("the printed token does not authenticate: %+v %v", p, err)
	}
	if p.Token.TokenHash == token || p.Token.Name != "ci" {
		t.Errorf("stored token %+v", p.Token)
	}
	u, err := st.UserByEmail(ctx, "perry@planet.example")
	if err != nil || strings.Contains(u.PasswordHash, "a-long-password") || !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
		t.Errorf("stored password hash %q, %v", u.PasswordHash, err)
	}
}
