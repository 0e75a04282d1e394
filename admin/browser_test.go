package admin

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"masthead/internal/testenv"
)

// journey drives one headless Chromium tab through the admin, keeping a
// screenshot of each step in the test's temp dir (listed when it fails).
type journey struct {
	t     *testing.T
	b     context.Context
	dir   string
	shots []string
}

func newJourney(t *testing.T) *journey {
	j := &journey{t: t, b: testenv.Browser(t), dir: t.TempDir()}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("screenshots of the journey: %s", strings.Join(j.shots, " "))
		}
	})
	return j
}

// shot keeps a screenshot of the page as it is.
func (j *journey) shot(name string) {
	// A page still loading has no size to capture yet.
	for range 40 {
		if ok, err := chromedp.Run(j.b, chromedp.Evaluate[bool](`document.readyState === "complete" && document.body !== null && document.body.scrollWidth > 0`)); err == nil && ok {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	j.shots = append(j.shots, testenv.Screenshot(j.t, j.b, j.dir, name))
}

// do runs a step's actions, failing the test with a screenshot.
func (j *journey) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	j.t.Helper()
	if err := chromedp.Do(j.b, actions...); err != nil {
		j.shot("failed-" + strings.ReplaceAll(step, " ", "-"))
		j.t.Fatalf("%s: %v", step, err)
	}
}

// wait polls a JavaScript condition until it holds.
func (j *journey) wait(step, cond string) {
	j.t.Helper()
	// Evaluate in a loop rather than Poll: a click that loads a new page
	// ends a Poll running in the old one.
	deadline := time.Now().Add(20 * time.Second)
	var err error
	for {
		var ok bool
		ok, err = chromedp.Run(j.b, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	j.shot("failed-" + strings.ReplaceAll(step, " ", "-"))
	body, _ := chromedp.Run(j.b, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	j.t.Fatalf("%s: %v\npage text:\n%.2000s", step, err, body)
}

// text is the text of the element sel selects.
func (j *journey) text(sel string) string {
	j.t.Helper()
	// A page still settling after a redirect can replace the node between
	// finding and reading it: read again, within a deadline.
	deadline := time.Now().Add(20 * time.Second)
	for {
		v, err := chromedp.Run(j.b, chromedp.Text(chromedp.CSS(sel)))
		if err == nil {
			return strings.TrimSpace(v)
		}
		if time.Now().After(deadline) {
			j.t.Fatalf("text of %s: %v", sel, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// signIn opens the admin and signs in as email.
func (j *journey) signIn(e *env, email string) {
	j.t.Helper()
	j.do("open the admin", chromedp.Navigate(e.url+"/admin/"), chromedp.WaitVisible(chromedp.ID("email")))
	j.do("sign in",
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.ID("signin")))
	j.wait("issues page after sign in", `document.querySelector("h1") !== null && document.querySelector("h1").textContent === "Issues"`)
}
