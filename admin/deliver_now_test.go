package admin

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"masthead/auth"
)

// TestIssuePageSendsTheWaitingCopiesNow: the issue page of a send at each
// reader's hour offers "Send the waiting copies now"; a GET or a post
// without the session's CSRF token changes nothing, the form's post makes
// every copy due and the workers deliver them all; the button is gone then.
func TestIssuePageSendsTheWaitingCopiesNow(t *testing.T) {
	ctx := context.Background()
	e, day, _ := waitingSend(t)
	cookie, csrf := e.session(t, e.user(t, "lois@planet.example", auth.Editor))
	path := "/admin/issues/" + day.String()
	form := `<form method="post" action="` + path + `/deliver-now" class="inline" id="deliver-now"><input type="hidden" name="csrf" value="` + csrf + `"><button`
	page := e.page(t, path, cookie)
	if !strings.Contains(page, form) || !strings.Contains(page, "Send the waiting copies now</button>") {
		t.Fatalf("the issue page lacks the form %q:\n%s", form, excerpt(page, `id="progress"`))
	}
	iss, err := e.admin.work.Reads().IssueByEdition(ctx, e.pub.ID, day, 0)
	if err != nil {
		t.Fatal(err)
	}
	waiting := func() int {
		t.Helper()
		c, err := e.st.Counts(ctx, iss.ID)
		if err != nil {
			t.Fatal(err)
		}
		return c.Waiting
	}

	resp := e.request(t, "GET", path+"/deliver-now", cookie, nil)
	resp.Body.Close()
	if resp.StatusCode == http.StatusSeeOther || waiting() != 3 {
		t.Fatalf("a GET: %d, %d waiting; want nothing done, 3 waiting", resp.StatusCode, waiting())
	}
	resp = e.request(t, "POST", path+"/deliver-now", cookie, url.Values{})
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || waiting() != 3 {
		t.Fatalf("a post without the CSRF token: %d, %d waiting; want 403, 3 waiting", resp.StatusCode, waiting())
	}

	resp = e.request(t, "POST", path+"/deliver-now", cookie, url.Values{"csrf": {csrf}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") == "" {
		t.Fatalf("the form's post: %d, want a redirect back", resp.StatusCode)
	}
	if n := waiting(); n != 0 {
		t.Fatalf("%d copies still wait after the post", n)
	}
	for deadline := time.Now().Add(20 * time.Second); e.smtp.Count() < 3 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
	}
	if n := e.smtp.Count(); n != 3 {
		t.Fatalf("%d of the 3 copies reached the mail server", n)
	}
	if page := e.page(t, path, cookie); strings.Contains(page, `id="deliver-now"`) {
		t.Errorf("the button is still offered with nothing waiting:\n%s", excerpt(page, `id="progress"`))
	}
}
