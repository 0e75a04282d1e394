package auth_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"masthead/auth"
	"masthead/store"
	"masthead/store/storetest"
)

// TestUsersOnEveryBackend runs accounts, sessions and tokens on SQLite and
// PostgreSQL.
func TestUsersOnEveryBackend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := auth.New(st, auth.Options{})
		u, err := svc.CreateUser(ctx, "lois@planet.example", "a-long-password", auth.Editor)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateUser(ctx, "lois@planet.example", "a-long-password", auth.Editor); !errors.Is(err, store.ErrConflict) {
			t.Errorf("duplicate account: %v", err)
		}
		if _, err := st.UserByEmail(ctx, "nobody@planet.example"); !errors.Is(err, store.ErrNotFound) || !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("unknown account: %v", err)
		}
		rec := httptest.NewRecorder()
		if _, err := svc.StartSession(ctx, rec, u); err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest("GET", "/admin/", nil)
		req.AddCookie(rec.Result().Cookies()[0])
		if p, err := svc.Authenticate(req); err != nil || p.User.ID != u.ID {
			t.Fatalf("session: %+v %v", p, err)
		}
		token, tok, err := svc.CreateToken(ctx, u.ID, "ci")
		if err != nil {
			t.Fatal(err)
		}
		req = httptest.NewRequest("GET", "/api/me", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		if p, err := svc.Authenticate(req); err != nil || p.Token.ID != tok.ID {
			t.Fatalf("token: %+v %v", p, err)
		}
		if err := st.SetUserPassword(ctx, u.ID, "$argon2id$v=19$m=19456,t=2,p=1$x$y"); err != nil {
			t.Fatal(err)
		}
		req = httptest.NewRequest("GET", "/admin/", nil)
		req.AddCookie(rec.Result().Cookies()[0])
		if _, err := svc.Authenticate(req); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("a password change keeps the old session: %v", err)
		}
		if err := st.DeleteUser(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if list, err := st.APITokens(ctx, 0); err != nil || len(list) != 0 {
			t.Errorf("tokens outlive their account: %d %v", len(list), err)
		}
		if n, err := st.CountUsers(ctx); err != nil || n != 0 {
			t.Errorf("CountUsers = %d, %v", n, err)
		}
	})
}
