package cli

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"masthead/internal/testenv"
	"masthead/templates"
)

// longURL is a 150-character URL with no place to break.
var longURL = "https://www.sdjewishworld.example/" + strings.Repeat("a", 150-len("https://www.sdjewishworld.example/"))

// seedIssue is a day of a newsroom's daily, sent to mailpit as its
// readers get it: San Diego Jewish World of 2009-07-09, Volume 3, Number
// 153, with a long unbroken URL, an external 1200-pixel photo in a body and
// an article in Hebrew. It returns mailpit and the message's ID.
func seedIssue(t *testing.T, extra ...string) (*testenv.Mailpit, string) {
	t.Helper()
	mp := testenv.StartMailpit(t)
	db := newDB(t)
	env := map[string]string{"MASTHEAD_DB": db, "MASTHEAD_BASE_URL": "https://news.sdjewishworld.example",
		"MASTHEAD_SMTP": "smtp://" + mp.SMTPAddr + "?tls=none", "MASTHEAD_SECRET": "a test secret of thirty-two bytes!"}
	run := func(args ...string) {
		t.Helper()
		if code, out := runEnv(t, env, args...); code != 0 {
			t.Fatalf("%v: %d\n%s", args, code, out)
		}
	}
	run(append([]string{"publication", "set", "--name", "San Diego Jewish World", "--from", "San Diego Jewish World <editor@sdjewishworld.example>",
		"--tagline", "An \"online newspaper\" for the Jewish community of San Diego", "--address", "P.O. Box 19363, San Diego, CA 92159",
		"--timezone", "America/Los_Angeles", "--volume-start", "2007-02-07", "--sections", "Front Page,Commentary,Israel"}, extra...)...)
	dir := t.TempDir()
	articles := map[string]string{
		"lead.md": "---\ntitle: Gaza's \"new\" crossing opens\ndate: 2009-07-09\nsection: Front Page\nauthor: Donald H. Harrison\n" +
			"deck: Trucks wait at the border -- for a second day\n---\n" +
			"JERUSALEM -- The crossing opened on Thursday, officials said. The full statement is at " + longURL + " and\n" +
			"it runs to \"several pages\".\n\n![Trucks at the crossing](https://www.sdjewishworld.example/photos/crossing-1200.jpg)\n\n" +
			"More trucks are expected.\n",
		"column.md": "---\ntitle: Letter from the editor\ndate: 2009-07-09\nsection: Commentary\n---\nA short column, with a [link](https://example.org/column).\n",
		"hebrew.md": "---\ntitle: שלום מירושלים\ndate: 2009-07-09\nsection: Israel\n---\nזהו מאמר בעברית, שנכתב מימין לשמאל.\n",
	}
	var files []string
	for name, src := range articles {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	run(append([]string{"article", "import"}, files...)...)
	run("issue", "test", "--date", "2009-07-09", "--to", "reader@example.org")
	var msgs []testenv.MailpitMessage
	for deadline := time.Now().Add(10 * time.Second); len(msgs) == 0 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		msgs = mp.Search(t, "to:reader@example.org")
	}
	if len(msgs) != 1 {
		t.Fatalf("mailpit has %d messages", len(msgs))
	}
	return mp, msgs[0].ID
}

// htmlCheck is mailpit's HTML compatibility check of one message.
type htmlCheck struct {
	Total struct {
		Supported, Partial, Unsupported float64
		Nodes, Tests                    int
	}
	Warnings []struct {
		Slug, Title, Category string
		Score                 struct{ Found, Supported, Partial, Unsupported float64 }
	}
}

func mailpitHTMLCheck(t *testing.T, mp *testenv.Mailpit, id string) (htmlCheck, string) {
	t.Helper()
	resp, err := http.Get(mp.APIURL + "/api/v1/message/" + id + "/html-check")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil || resp.StatusCode != 200 {
		t.Fatalf("html-check: %d %v", resp.StatusCode, err)
	}
	var c htmlCheck
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c, string(raw)
}

// The HTML part as received, at a phone's 375 pixels in Chromium: no
// wider than the screen with a 150-character URL in a body; every image
// with a width attribute no wider than the column; the Hebrew article
// right to left; lang from the publication.
func TestSeedIssueLayout(t *testing.T) {
	mp, id := seedIssue(t, "--language", "en-US")
	_, html := mailpitBody(t, mp, id)
	if !strings.Contains(html, longURL) || !strings.Contains(html, `<html lang="en-US" dir="ltr">`) {
		t.Fatalf("the received HTML lacks the long URL or its lang:\n%.2000s", html)
	}
	imgs := regexp.MustCompile(`<img [^>]*>`).FindAllString(html, -1)
	if len(imgs) == 0 {
		t.Fatal("no image in the received HTML")
	}
	for _, img := range imgs {
		m := regexp.MustCompile(` width="(\d+)"`).FindStringSubmatch(img)
		if m == nil {
			t.Errorf("an image without a width attribute: %s", img)
			continue
		}
		if w, _ := strconv.Atoi(m[1]); w > templates.ColumnWidth || strings.Contains(img, "crossing-1200.jpg") && w != templates.ColumnWidth {
			t.Errorf("image width %d: %s", w, img)
		}
	}
	page := filepath.Join(t.TempDir(), "issue.html")
	if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	b := testenv.Browser(t)
	if err := chromedp.Do(b, chromedp.EmulateViewport(375, 800), chromedp.Navigate("file://"+page)); err != nil {
		t.Fatal(err)
	}
	width, err := chromedp.Run(b, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := chromedp.Run(b, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".body")).map(e => getComputedStyle(e).direction)`))
	if err != nil {
		t.Fatal(err)
	}
	if width > 375 {
		t.Errorf("at 375 pixels the email is %d pixels wide (%s)", width, testenv.Screenshot(t, b, t.TempDir(), "375"))
	}
	if strings.Count(strings.Join(dirs, " "), "rtl") != 1 || strings.Count(strings.Join(dirs, " "), "ltr") != 2 {
		t.Errorf("the bodies' directions: %v, want the Hebrew one rtl", dirs)
	}
}

// htmlCheckFloor is mailpit's (v1.33.1) "supported" figure for the seed
// issue, as README's "How the email reads" gives it.
const htmlCheckFloor = 92.7

// Mailpit's HTML check of the seed issue: at least the figure README
// gives, and the features taken out for it stay out (text-decoration on
// every link; overflow-wrap and word-break on more than the one outer
// cell; margins where padding does).
func TestSeedIssueHTMLCheck(t *testing.T) {
	mp, id := seedIssue(t)
	c, raw := mailpitHTMLCheck(t, mp, id)
	t.Logf("mailpit's HTML check: %.2f%% supported, %.2f%% partial, %.2f%% unsupported", c.Total.Supported, c.Total.Partial, c.Total.Unsupported)
	if c.Total.Supported < htmlCheckFloor {
		t.Errorf("mailpit's HTML check: %.2f%% supported, want at least %.1f%%\n%s", c.Total.Supported, htmlCheckFloor, raw)
	}
	found := map[string]float64{}
	for _, w := range c.Warnings {
		found[w.Slug] = w.Score.Found
	}
	for slug, most := range map[string]float64{"css-text-decoration": 0, "css-overflow-wrap": 1, "css-word-break": 1, "css-margin": 12} {
		if found[slug] > most {
			t.Errorf("%s on %v elements, want at most %v", slug, found[slug], most)
		}
	}
}
