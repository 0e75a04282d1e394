package auth_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"masthead/auth"
	"masthead/store"
	"masthead/store/storetest"
)

func openStore(t *testing.T) *store.Store { return storetest.Open(t, storetest.SQLite) }

func TestPasswordHash(t *testing.T) {
	h, err := auth.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not an argon2id PHC string", h)
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batterY": false, "": false} {
		if ok, err := auth.CheckPassword(h, pw); err != nil || ok != want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	h2, _ := auth.HashPassword("correct horse battery")
	if h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
	if _, err := auth.HashPassword("short"); !errors.Is(err, auth.ErrWeakPassword) {
		t.Errorf("short password: %v", err)
	}
	if _, err := auth.CheckPassword("$2a$10$bcrypt", "x"); err == nil {
		t.Error("a foreign hash is accepted")
	}
}

// TestLoginRateLimit: brute force from one client is stopped, on one account
// and across accounts, but failures from elsewhere never lock the owner out:
// they only slow the account down.
func TestLoginRateLimit(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	var waits []time.Duration
	// The default limits with smaller counts, to keep the test short.
	limits := auth.LoginLimits{PerClientAccount: 3, PerClient: 8, SlowAccount: 6}
	svc := auth.New(st, auth.Options{Limits: limits, Sleep: func(_ context.Context, d time.Duration) error {
		waits = append(waits, d)
		return nil
	}})
	if _, err := svc.CreateUser(ctx, "jimmy@planet.example", "camera-flash-1", auth.Editor); err != nil {
		t.Fatal(err)
	}
	const attacker, owner = "198.51.100.7", "203.0.113.9"
	for i := range 3 {
		if _, err := svc.Login(ctx, "jimmy@planet.example", "guess", attacker); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	// The attacker is stopped: even the right password is refused from there.
	if _, err := svc.Login(ctx, "jimmy@planet.example", "camera-flash-1", attacker); !errors.Is(err, auth.ErrRateLimited) {
		t.Errorf("after 3 failures, the same client: %v", err)
	}
	// The owner, elsewhere, signs in.
	if _, err := svc.Login(ctx, "jimmy@planet.example", "camera-flash-1", owner); err != nil {
		t.Errorf("the owner from another client after an attacker's failures: %v", err)
	}

	// Many attackers: the account is slowed, never refused to its owner.
	for i := range 4 {
		client := fmt.Sprintf("192.0.2.%d", i+1)
		for range 3 {
			if _, err := svc.Login(ctx, "jimmy@planet.example", "guess", client); !errors.Is(err, auth.ErrBadCredentials) {
				t.Fatalf("client %s: %v", client, err)
			}
		}
	}
	waits = nil
	if _, err := svc.Login(ctx, "jimmy@planet.example", "camera-flash-1", owner); err != nil {
		t.Errorf("the owner after 15 failures from 5 clients: %v", err)
	}
	// 15 failures, 6 before slowing: (15-6+1) s, capped at 10 s.
	if len(waits) != 1 || waits[0] != 10*time.Second {
		t.Errorf("the owner's try on an account under attack waited %v, want [10s]", waits)
	}

	// Spraying from one client: refused after 8 failures over any accounts.
	const sprayer = "2001:db8:1:2::/64"
	for i := range 8 {
		if _, err := svc.Login(ctx, fmt.Sprintf("user%d@planet.example", i), "guess", sprayer); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("spray %d: %v", i+1, err)
		}
	}
	if _, err := svc.Login(ctx, "jimmy@planet.example", "camera-flash-1", sprayer); !errors.Is(err, auth.ErrRateLimited) {
		t.Errorf("after spraying 8 accounts: %v", err)
	}
}

func TestRoles(t *testing.T) {
	if !auth.Admin.Allows(auth.Editor) || !auth.Admin.Allows(auth.Admin) || !auth.Editor.Allows(auth.Editor) ||
		auth.Editor.Allows(auth.Admin) || auth.Role("").Allows(auth.Editor) {
		t.Error("role order is wrong")
	}
	if _, err := auth.ParseRole("root"); err == nil {
		t.Error("unknown role accepted")
	}
}
