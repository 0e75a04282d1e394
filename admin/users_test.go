package admin

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"masthead/auth"
	"masthead/internal/smtptest"
)

// TestManageAccounts: an admin changes roles, resets passwords and removes
// accounts on the Accounts page; the last admin stays.
func TestManageAccounts(t *testing.T) {
	e := newEnv(t, smtptest.Options{})
	ctx := context.Background()
	perry := e.user(t, "perry@planet.example", auth.Admin)
	lois := e.user(t, "lois@planet.example", auth.Editor)
	cookie, csrf := e.session(t, perry)
	otherPerry, _ := e.session(t, perry)
	loisCookie, _ := e.session(t, lois)
	if _, _, err := e.auth.CreateToken(ctx, lois.ID, "ci"); err != nil {
		t.Fatal(err)
	}
	post := func(u *auth.User, action string, form url.Values) (int, string) {
		t.Helper()
		form.Set("csrf", csrf)
		req, _ := http.NewRequest("POST", e.url+"/admin/users/"+strconv.FormatInt(u.ID, 10)+"/"+action, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(cookie)
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	signedIn := func(c *http.Cookie) bool {
		return e.request(t, "GET", "/admin/issues", c, nil).StatusCode == http.StatusOK
	}

	// The page offers the three changes for each account.
	req, _ := http.NewRequest("GET", e.url+"/admin/users", nil)
	req.AddCookie(cookie)
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, action := range []string{"role", "password", "delete"} {
		if !strings.Contains(string(page), `action="/admin/users/`+strconv.FormatInt(lois.ID, 10)+`/`+action+`"`) {
			t.Errorf("the Accounts page has no %s form for lois", action)
		}
	}

	// The last admin is neither demoted nor removed.
	for _, c := range []struct {
		action string
		form   url.Values
	}{{"role", url.Values{"role": {"editor"}}}, {"delete", url.Values{}}} {
		if code, body := post(perry, c.action, c.form); code != http.StatusConflict || !strings.Contains(body, "is the last admin") {
			t.Errorf("%s of the last admin: %d\n%.300s", c.action, code, body)
		}
	}
	if u, _ := e.st.User(ctx, perry.ID); u.Role != auth.Admin {
		t.Errorf("the last admin became %s", u.Role)
	}

	if code, _ := post(lois, "role", url.Values{"role": {"admin"}}); code != http.StatusSeeOther {
		t.Errorf("make lois admin: %d", code)
	}
	if u, _ := e.st.User(ctx, lois.ID); u.Role != auth.Admin {
		t.Errorf("lois is %s, want admin", u.Role)
	}
	if code, _ := post(lois, "role", url.Values{"role": {"root"}}); code != http.StatusUnprocessableEntity {
		t.Errorf("an unknown role: %d", code)
	}

	// A reset ends the account's sessions; one's own keeps the current one.
	if code, body := post(lois, "password", url.Values{"password": {"short"}}); code != http.StatusUnprocessableEntity {
		t.Errorf("a short password: %d %.300s", code, body)
	}
	if code, _ := post(lois, "password", url.Values{"password": {"lois-new-password"}}); code != http.StatusSeeOther {
		t.Errorf("reset lois's password: %d", code)
	}
	if signedIn(loisCookie) {
		t.Error("lois's session outlived the reset")
	}
	if _, err := e.auth.Login(ctx, "lois@planet.example", "lois-new-password", "192.0.2.7"); err != nil {
		t.Errorf("lois with the new password: %v", err)
	}
	if code, _ := post(perry, "password", url.Values{"password": {"perry-new-password"}}); code != http.StatusSeeOther {
		t.Errorf("reset own password: %d", code)
	}
	if !signedIn(cookie) || signedIn(otherPerry) {
		t.Errorf("after changing one's own password: this session %v (want true), the other %v (want false)", signedIn(cookie), signedIn(otherPerry))
	}

	// Removing an account ends its tokens.
	if code, _ := post(lois, "delete", url.Values{}); code != http.StatusSeeOther {
		t.Errorf("remove lois: %d", code)
	}
	if _, err := e.st.User(ctx, lois.ID); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("lois after removal: %v", err)
	}
	if list, _ := e.st.APITokens(ctx, 0); len(list) != 0 {
		t.Errorf("%d tokens outlive their account", len(list))
	}
	if code, _ := post(lois, "delete", url.Values{}); code != http.StatusNotFound {
		t.Errorf("remove a removed account: %d", code)
	}
}
