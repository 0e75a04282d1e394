package auth_test

import (
	"context"
	"errors"
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
		session, _, err := svc.StartSession(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if _, who, err := svc.Session(ctx, session); err != nil || who.ID != u.ID {
			t.Fatalf("session: %+v %v", who, err)
		}
		token, tok, err := svc.CreateToken(ctx, u.ID, "ci")
		if err != nil {
			t.Fatal(err)
		}
		if got, _, err := svc.Token(ctx, token); err != nil || got.ID != tok.ID {
			t.Fatalf("token: %+v %v", got, err)
		}
		if err := st.SetUserPassword(ctx, u.ID, "$argon2id$v=19$m=19456,t=2,p=1$x$y", ""); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Session(ctx, session); !errors.Is(err, auth.ErrUnauthenticated) {
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

// TestManageAccountsOnEveryBackend: a password change ends the other
// sessions; removing an account ends its sessions and tokens (the foreign
// keys cascade); the last admin can be neither removed nor demoted.
func TestManageAccountsOnEveryBackend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := auth.New(st, auth.Options{})
		perry, err := svc.CreateUser(ctx, "perry@planet.example", "a-long-password", auth.Admin)
		if err != nil {
			t.Fatal(err)
		}
		lois, err := svc.CreateUser(ctx, "lois@planet.example", "a-long-password", auth.Editor)
		if err != nil {
			t.Fatal(err)
		}
		signIn := func(u *auth.User) (string, *auth.Session) {
			token, se, err := svc.StartSession(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			return token, se
		}
		valid := func(session string) bool {
			_, _, err := svc.Session(ctx, session)
			return err == nil
		}

		here, se := signIn(perry)
		there, _ := signIn(perry)
		if err := svc.SetPassword(ctx, perry, "another-long-password", se.TokenHash); err != nil {
			t.Fatal(err)
		}
		if !valid(here) || valid(there) {
			t.Errorf("after a password change: this session valid %v (want true), the other %v (want false)", valid(here), valid(there))
		}
		if _, err := svc.Login(ctx, "perry@planet.example", "another-long-password", "192.0.2.1"); err != nil {
			t.Errorf("login with the new password: %v", err)
		}

		if err := svc.SetRole(ctx, perry, auth.Editor); !errors.Is(err, auth.ErrLastAdmin) {
			t.Errorf("demoting the last admin: %v", err)
		}
		if err := svc.RemoveUser(ctx, perry); !errors.Is(err, auth.ErrLastAdmin) {
			t.Errorf("removing the last admin: %v", err)
		}
		if u, _ := st.UserByEmail(ctx, "perry@planet.example"); u == nil || u.Role != auth.Admin {
			t.Errorf("the last admin changed: %+v", u)
		}

		if err := svc.SetRole(ctx, lois, auth.Admin); err != nil {
			t.Fatal(err)
		}
		if err := svc.SetRole(ctx, perry, auth.Editor); err != nil {
			t.Errorf("demoting one of two admins: %v", err)
		}
		loisCookie, _ := signIn(lois)
		token, _, err := svc.CreateToken(ctx, lois.ID, "ci")
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.RemoveUser(ctx, lois); !errors.Is(err, auth.ErrLastAdmin) {
			t.Errorf("removing the admin left: %v", err)
		}
		if err := svc.SetRole(ctx, perry, auth.Admin); err != nil {
			t.Fatal(err)
		}
		if err := svc.RemoveUser(ctx, lois); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Token(ctx, token); !errors.Is(err, auth.ErrUnauthenticated) || valid(loisCookie) {
			t.Errorf("a removed account's token (%v) or session (%v) still works", err, valid(loisCookie))
		}
		if err := svc.RemoveUser(ctx, lois); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("removing a removed account: %v", err)
		}
	})
}
