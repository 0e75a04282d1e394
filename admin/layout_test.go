package admin

import (
	"testing"

	"github.com/chromedp/chromedp"

	"masthead/internal/smtptest"
	"masthead/internal/testenv"
)

// TestCodeWrapsBetweenWords: the first-run page's command, in its narrow
// card on a phone-sized screen, may wrap but never inside a word (it once
// showed "adm in"). Each word of the <pre> must lie on one line.
func TestCodeWrapsBetweenWords(t *testing.T) {
	e := newEnv(t, smtptest.Options{})
	b := testenv.Browser(t)
	for _, width := range []int64{320, 1024} {
		if err := chromedp.Do(b, chromedp.EmulateViewport(width, 800), chromedp.Navigate(e.url+"/admin/login"),
			chromedp.WaitVisible(chromedp.CSS("pre"))); err != nil {
			t.Fatal(err)
		}
		split, err := chromedp.Run(b, chromedp.Evaluate[[]string](`(() => {
			const pre = document.querySelector("pre"), text = pre.firstChild, split = [];
			const re = /\S+/g;
			let m;
			while ((m = re.exec(text.data)) !== null) {
				const r = document.createRange();
				r.setStart(text, m.index);
				r.setEnd(text, m.index + m[0].length);
				const tops = new Set([...r.getClientRects()].map(c => Math.round(c.top)));
				if (tops.size > 1) split.push(m[0]);
			}
			return split;
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		if len(split) > 0 {
			t.Errorf("at %d px, words broken across lines: %q", width, split)
		}
	}
}
