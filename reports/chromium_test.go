package reports

import (
	"encoding/base64"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"masthead/internal/testenv"
)

// chartsPage shows the four charts inline, as the admin pages will, and the
// timeline once more as an image, as a chart served on its own is seen.
func chartsPage(r *IssueReport, g *GrowthReport) string {
	img := "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString([]byte(r.TimelineSVG()))
	return `<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="color-scheme" content="light dark">
<style>:root{color-scheme:light dark} body{margin:16px;font-family:sans-serif;background:#f6f8fa;color:#1f2328}
@media (prefers-color-scheme: dark){body{background:#010409;color:#e6edf3}} figure{margin:0 0 16px 0}</style></head><body>
<figure id="timeline">` + r.TimelineSVG() + `</figure>
<figure id="links">` + r.LinksSVG() + `</figure>
<figure id="growth">` + g.GrowthSVG() + `</figure>
<figure id="rate">` + g.ClickRateSVG() + `</figure>
<figure><img id="as-image" alt="Deliveries and clicks, first 48 hours" src="` + img + `"></figure>
</body></html>`
}

// The charts render in Chromium without script, in light and dark mode,
// with text that keeps its contrast on its background in both. The
// screenshots stay in $MASTHEAD_SCREENSHOTS when it is set.
func TestChartsInChromium(t *testing.T) {
	r := NewIssueReport(sampleIssueInput(t))
	g, err := NewGrowthReport(sampleGrowthInput())
	if err != nil {
		t.Fatal(err)
	}
	page := chartsPage(r, g)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
		fmt.Fprint(w, page)
	}))
	defer srv.Close()
	dir := os.Getenv("MASTHEAD_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	ctx := testenv.Browser(t)
	for _, scheme := range []string{"light", "dark"} {
		t.Run(scheme, func(t *testing.T) {
			if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}}); err != nil {
				t.Fatal(err)
			}
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL), chromedp.WaitVisible(chromedp.CSS("#rate svg"))); err != nil {
				t.Fatal(err)
			}
			type result struct {
				Charts []struct {
					ID     string
					Width  float64
					Height float64
					Bars   int
					BG, FG string
					Muted  string
				}
				Image struct{ Width, Height float64 }
			}
			js := `(() => {
				const out = {Charts: [], Image: {}};
				for (const f of document.querySelectorAll("figure[id] svg")) {
					const b = f.getBoundingClientRect();
					const bars = [...f.querySelectorAll("rect[class^=mhc-]:not(.mhc-bg)")].filter(r => r.getBoundingClientRect().width > 0 && r.getBoundingClientRect().height > 0);
					out.Charts.push({ID: f.parentElement.id, Width: b.width, Height: b.height, Bars: bars.length,
						BG: getComputedStyle(f.querySelector(".mhc-bg")).fill,
						FG: getComputedStyle(f.querySelector("text.mhc-fg")).fill,
						Muted: getComputedStyle(f.querySelector("text.mhc-muted")).fill});
				}
				const img = document.getElementById("as-image");
				out.Image = {Width: img.naturalWidth, Height: img.naturalHeight};
				return out;
			})()`
			res, err := chromedp.Run(ctx, chromedp.Evaluate[result](js))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Charts) != 4 {
				t.Fatalf("%d charts on the page", len(res.Charts))
			}
			for _, c := range res.Charts {
				if c.Width != chartWidth || c.Height < 200 || c.Bars < 8 {
					t.Errorf("%s: %vx%v with %d bars drawn", c.ID, c.Width, c.Height, c.Bars)
				}
				if cr := contrast(t, c.FG, c.BG); cr < 7 {
					t.Errorf("%s in %s: text %s on %s has contrast %.1f", c.ID, scheme, c.FG, c.BG, cr)
				}
				if cr := contrast(t, c.Muted, c.BG); cr < 4.5 {
					t.Errorf("%s in %s: muted text %s on %s has contrast %.1f", c.ID, scheme, c.Muted, c.BG, cr)
				}
				dark := luminance(t, c.BG) < 0.2
				if dark != (scheme == "dark") {
					t.Errorf("%s in %s: background %s", c.ID, scheme, c.BG)
				}
			}
			if res.Image.Width != chartWidth {
				t.Errorf("the chart as an image: %+v", res.Image)
			}
			p := testenv.Screenshot(t, ctx, dir, "charts-"+scheme)
			t.Logf("screenshot %s", p)
		})
	}
}

// luminance is the relative luminance (WCAG 2) of a CSS "rgb(r, g, b)".
func luminance(t *testing.T, css string) float64 {
	t.Helper()
	var r, g, b float64
	if _, err := fmt.Sscanf(strings.ReplaceAll(css, " ", ""), "rgb(%g,%g,%g)", &r, &g, &b); err != nil {
		t.Fatalf("colour %q: %v", css, err)
	}
	lin := func(c float64) float64 {
		c /= 255
		if c <= 0.03928 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

func contrast(t *testing.T, a, b string) float64 {
	la, lb := luminance(t, a), luminance(t, b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}
