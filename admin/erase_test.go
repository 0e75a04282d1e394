package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"masthead/auth"
	"masthead/internal/smtptest"
	"masthead/store"
)

// TestEraseSubscriberInChromium is an admin erasing a person in a real
// browser: the subscriber page's button leads to a confirmation page that
// says what goes, and only its own button erases; the list then says what
// was done, the person is gone and the address stays suppressed.
func TestEraseSubscriberInChromium(t *testing.T) {
	e := newEnv(t, smtptest.Options{})
	e.subscribers(t, 2)
	e.user(t, "perry@planet.example", auth.Admin)
	ctx := context.Background()
	sub, err := e.st.SubscriberByEmail(ctx, "reader01@example.org")
	if err != nil {
		t.Fatal(err)
	}
	j := newJourney(t)
	j.signIn(e, "perry@planet.example")
	j.do("open the subscriber", chromedp.Navigate(fmt.Sprintf("%s/admin/subscribers/%d", e.url, sub.ID)), chromedp.WaitVisible(chromedp.ID("erase")))
	j.do("ask to erase", chromedp.Click(chromedp.ID("erase")))
	j.wait("the confirmation page", `document.getElementById("erase-confirm") !== null`)
	j.shot("erase-confirm")
	if page := j.text("main"); !strings.Contains(page, "cannot be undone") || !strings.Contains(page, "keyed hash") {
		t.Errorf("the confirmation page does not say what erasure does:\n%s", page)
	}
	if _, err := e.st.Subscriber(ctx, sub.ID); err != nil {
		t.Fatalf("the first click erased already: %v", err)
	}
	j.do("confirm", chromedp.Click(chromedp.ID("erase-confirm")))
	j.wait("back on the list", `document.querySelector(".flash") !== null && document.querySelector(".flash").textContent.indexOf("Erased reader01@example.org") >= 0`)
	j.shot("erased")
	if _, err := e.st.Subscriber(ctx, sub.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the subscriber is still there: %v", err)
	}
	if sup, err := e.st.IsSuppressed(ctx, "reader01@example.org"); err != nil || !sup {
		t.Errorf("the erased address is not suppressed: %v %v", sup, err)
	}
	if _, err := e.st.SubscriberByEmail(ctx, "reader02@example.org"); err != nil {
		t.Errorf("the other subscriber went too: %v", err)
	}
}

// Only an admin may erase; an editor's subscriber page offers no button and
// the route refuses them.
func TestEraseIsForAdmins(t *testing.T) {
	e := newEnv(t, smtptest.Options{})
	e.subscribers(t, 1)
	cookie, csrf := e.session(t, e.user(t, "lois@planet.example", auth.Editor))
	sub, err := e.st.SubscriberByEmail(context.Background(), "reader01@example.org")
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/admin/subscribers/%d", sub.ID)
	if page := e.page(t, path, cookie); strings.Contains(page, `id="erase"`) {
		t.Error("an editor is offered the erasure")
	}
	resp := e.request(t, "POST", path+"/erase", cookie, url.Values{"csrf": {csrf}, "confirm": {"yes"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("an editor's erasure: %d", resp.StatusCode)
	}
	if _, err := e.st.Subscriber(context.Background(), sub.ID); err != nil {
		t.Errorf("refused, yet erased: %v", err)
	}
}
