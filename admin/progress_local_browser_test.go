package admin

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"masthead/auth"
)

// TestWaitingLineStaysLiveInTheBrowser: the issue page's live progress, in
// Chromium, writes the rows waiting for their readers' local time in the
// words and on the clock the server wrote them.
func TestWaitingLineStaysLiveInTheBrowser(t *testing.T) {
	e, day, want := waitingSend(t)
	e.user(t, "lois@planet.example", auth.Editor)
	j := newJourney(t)
	do, wait := j.do, j.wait
	do("sign in", chromedp.Navigate(e.url+"/admin/"), chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "lois@planet.example"),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.ID("signin")))
	wait("issues page", `document.querySelector("h1") !== null && document.querySelector("h1").textContent === "Issues"`)
	// The server's sentence is wiped: only the page's own polling can write
	// it back.
	do("the issue's page", chromedp.Navigate(e.url+"/admin/issues/"+day.String()), chromedp.WaitVisible(chromedp.ID("p-waiting")),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("p-waiting").textContent = ""; document.getElementById("p-eta").textContent = ""`))
	wait("the live sentence", fmt.Sprintf(`document.getElementById("p-waiting").textContent === %q && document.getElementById("p-eta").textContent === "waiting for local time"`, want))
	j.shot("waiting-for-local-time")
}
