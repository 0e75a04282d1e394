package admin

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"masthead/auth"
	"masthead/internal/smtptest"
	"masthead/ledger"
	"masthead/newsletter"
)

// textWidth measures, in the page, whether the <pre> sel shows 78 columns
// of its own font without wrapping or scrolling: [its inner width, the
// width of 78 characters, its scroll width].
const textWidth = `((sel) => { const p = document.querySelector(sel); const s = document.createElement("span");
	s.textContent = "x".repeat(78); p.appendChild(s); const w = s.getBoundingClientRect().width; s.remove();
	const cs = getComputedStyle(p);
	return [p.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight), w, p.scrollWidth - p.clientWidth]; })`

// A message of a real send kept by the outbox, opened in Chromium as an
// editor: the headers decoded, the HTML part in a sandboxed frame served
// under its own policy, the text part at its 78 columns (and so in the
// issue's preview), the raw source one click away.
// MASTHEAD_SCREENSHOTS=dir keeps the screenshots.
func TestOutboxMessageInChromium(t *testing.T) {
	e := newEnv(t, smtptest.Options{})
	ctx := context.Background()
	if _, err := e.st.AddSubscriber(ctx, "zoe@example.org", "Zoë Ünter", e.pub.ID, "active", "editor"); err != nil {
		t.Fatal(err)
	}
	d := e.pub.Today(time.Now())
	if err := e.st.SaveArticles(ctx, &newsletter.Article{PublicationID: e.pub.ID, Date: d, Section: "News", Title: "Ça coûte cher",
		Body: "The council voted — at last — for the bridge, whose cost the city's engineers put at twelve million dollars.\n\n" +
			"Read [the forecast](https://weather.example/forecast).", Status: newsletter.Ready}); err != nil {
		t.Fatal(err)
	}
	iss, _, err := e.admin.work.SendNow(ctx, e.pub, d)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); e.smtp.Count() < 1; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("nothing was sent")
		}
	}
	sent := e.smtp.Messages()[0]
	// The outbox keeps what the send wrote, byte for byte.
	m := &ledger.OutboxMessage{IssueID: iss.ID, Recipient: "zoe@example.org", Subject: "kept", MessageID: sent.MessageID, Raw: sent.Data}
	if err := e.st.AddOutbox(ctx, m); err != nil {
		t.Fatal(err)
	}
	for _, enc := range []string{"=?UTF-8?q?", "Zo=C3=AB", "quoted-printable"} {
		if !strings.Contains(string(sent.Data), enc) {
			t.Fatalf("the message lacks %q: the page would have nothing to decode", enc)
		}
	}

	u := e.user(t, "editor@planet.example", auth.Editor)
	cookie, _ := e.session(t, u)
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/admin/outbox/%d/html", e.url, m.ID), nil)
	req.AddCookie(cookie)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if csp := res.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "sandbox; default-src 'none'; img-src https: data:; style-src 'unsafe-inline'") {
		t.Errorf("the HTML part's policy: %q", csp)
	}
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(body), "Ça coûte cher") || strings.Contains(string(body), "=3D") {
		t.Errorf("the HTML part: %d %s\n%.500s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}

	dir := os.Getenv("MASTHEAD_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	j := newJourney(t)
	j.dir = dir
	j.signIn(e, u.Email)
	j.do("open the outbox", chromedp.Navigate(e.url+"/admin/outbox"))
	j.do("open the message", chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="/admin/outbox/%d"]`, m.ID))))
	j.wait("the message's page", `document.getElementById("outbox-text") !== null && document.getElementById("outbox-html") !== null`)
	frame, err := chromedp.Run(j.b, chromedp.Evaluate[[]string](`(() => { const f = document.getElementById("outbox-html");
		return [f.getAttribute("sandbox"), f.getAttribute("src"), String(f.getBoundingClientRect().width)]; })()`))
	if err != nil {
		t.Fatal(err)
	}
	if frame[0] != "" || frame[1] != fmt.Sprintf("/admin/outbox/%d/html", m.ID) {
		t.Errorf("the HTML frame: sandbox=%q src=%q", frame[0], frame[1])
	}
	headers := j.text("#outbox-headers")
	for _, want := range []string{"Subject\t", " — The Daily Planet, Vol. ", "To\tZoë Ünter <zoe@example.org>", "List-Unsubscribe-Post\tList-Unsubscribe=One-Click"} {
		if !strings.Contains(headers, want) {
			t.Errorf("the headers lack %q:\n%s", want, headers)
		}
	}
	if strings.Contains(headers, "=?") {
		t.Errorf("a header is not decoded:\n%s", headers)
	}
	text := j.text("#outbox-text")
	if !strings.Contains(text, "The council voted — at last — for the bridge") || strings.Contains(text, "=C3") || strings.Contains(text, "=3D") {
		t.Errorf("the text part is not decoded:\n%s", text)
	}
	checkWidth := func(where, sel string) {
		t.Helper()
		w, err := chromedp.Run(j.b, chromedp.Evaluate[[]float64](textWidth+`("`+sel+`")`))
		if err != nil {
			t.Fatal(err)
		}
		if w[0] < w[1] || w[2] > 0 {
			t.Errorf("%s: the text pane is %.0f px inside, 78 columns are %.0f px, %.0f px scroll sideways", where, w[0], w[1], w[2])
		}
	}
	checkWidth("outbox", "#outbox-text")
	j.shot("outbox-message")

	// The frame draws the email (its page background, not the frame's
	// white). A full-page capture leaves out the sandboxed frame, which
	// runs in a process of its own: capture the viewport with it in view.
	rect, err := chromedp.Run(j.b, chromedp.Evaluate[[]float64](`(() => { const f = document.getElementById("outbox-html");
		f.scrollIntoView(); const r = f.getBoundingClientRect(); return [r.left, r.top]; })()`))
	if err != nil {
		t.Fatal(err)
	}
	var shot []byte
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if shot, err = chromedp.Run(j.b, chromedp.CaptureScreenshot()); err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(shot))
		if err != nil {
			t.Fatal(err)
		}
		r, g, b, _ := img.At(int(rect[0])+20, int(rect[1])+20).RGBA()
		if r != g || g != b || r < 0xf000 { // not white or grey
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("the HTML frame shows nothing: its corner is rgb(%d, %d, %d)", r>>8, g>>8, b>>8)
			break
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "outbox-html-frame.png"), shot, 0o644); err == nil {
		j.shots = append(j.shots, filepath.Join(dir, "outbox-html-frame.png"))
	}

	j.do("open the raw source", chromedp.Click(chromedp.ID("outbox-raw")))
	j.wait("the raw source", `document.body !== null && document.body.innerText.includes("Content-Transfer-Encoding: quoted-printable")`)

	j.do("open the issue", chromedp.Navigate(e.url+"/admin/issues/"+d.String()))
	j.wait("the issue's preview", `document.getElementById("preview-text") !== null`)
	if got := j.text("#preview-text"); !strings.Contains(got, "The council voted — at last — for the bridge") {
		t.Errorf("the issue's text preview:\n%s", got)
	}
	checkWidth("issue preview", "#preview-text")
	j.shot("issue-preview")
	t.Logf("screenshots: %s", strings.Join(j.shots, " "))
}
