package engagement

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"masthead/internal/testenv"
	"masthead/templates"
)

// A reader's path: the issue is rendered by the built-in theme, its links
// rewritten once, the message filled for one subscriber; in Chromium the
// reader clicks the story's link, lands on the newsroom's page, comes back
// and clicks it again. The database then has two clicks by one reader, a
// scanner's HEAD counted apart, no redirect for an altered token, and the
// unsubscribe link as it was.
func TestReaderJourney(t *testing.T) {
	newsroom := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><title>Heat wave</title><h1 id="story">Heat Wave Arrives, the full story</h1><p>%s</p>`, r.URL.Path)
	}))
	defer newsroom.Close()

	store := newSQLStore(t)
	rec := NewRecorder(store, RecorderOptions{FlushEvery: 50 * time.Millisecond})
	stop := runRecorder(t, rec)
	signer := NewSigner(testSecret())
	rd := NewRedirector(signer, NewCache(store, 16, time.Minute), rec)
	mux := http.NewServeMux()
	mux.Handle("GET /r/{token}", rd.ClickHandler(HandlerOptions{}))
	var message string
	mux.HandleFunc("GET /message", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, message)
	})
	masthead := httptest.NewServer(mux)
	defer masthead.Close()

	// Assembly: render, rewrite once, store the table with the issue.
	theme, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	body, text, err := theme.Markdown("Temperatures climb past 100. [Read the full story](" + newsroom.URL + "/2009/07/09/heat-wave).")
	if err != nil {
		t.Fatal(err)
	}
	html, plain, err := theme.RenderEmail(&templates.Issue{PublicationName: "The Daily Planet", Volume: 3, Number: 153,
		Date: "Thursday, July 9, 2009", WebURL: masthead.URL + "/issues/sample/2009-07-09", HomeURL: masthead.URL + "/",
		Articles: []templates.Article{{Anchor: "article-1", Title: "Heat Wave Arrives", HTML: body, Text: text}}})
	if err != nil {
		t.Fatal(err)
	}
	rw, err := NewRewriter(signer, RewriteOptions{BaseURL: masthead.URL, PerRecipient: true})
	if err != nil {
		t.Fatal(err)
	}
	out, err := rw.Rewrite(42, html, plain)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Links) != 1 || out.Links[0].URL != newsroom.URL+"/2009/07/09/heat-wave" || out.Links[0].Text != "Read the full story" {
		t.Fatalf("links %+v", out.Links)
	}
	store.saveIssue(t, 42, 1, false, out.Links)

	// Delivery: the slots of one message, its per-message part among them.
	personal := &templates.Personal{Email: "lois@planet.example", UnsubscribeURL: masthead.URL + "/unsubscribe/TOKEN",
		Recipient: signer.RecipientPart(42, 1001, time.Now().Add(-time.Hour))}
	message = string(templates.Compile(out.HTML, templates.HTML).Fill(nil, personal))
	if !strings.Contains(message, `href="`+masthead.URL+`/unsubscribe/TOKEN"`) {
		t.Fatal("the unsubscribe link was rewritten")
	}

	ctx := testenv.Browser(t)
	if _, err := chromedp.Call(ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: uaFirefox}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := chromedp.Do(ctx, chromedp.Navigate(masthead.URL+"/message"),
			chromedp.Click(chromedp.CSS(`a[href^="`+masthead.URL+`/r/"]`)),
			chromedp.WaitVisible(chromedp.ID("story"))); err != nil {
			t.Fatal(err)
		}
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil || loc != newsroom.URL+"/2009/07/09/heat-wave" {
			t.Fatalf("the reader landed on %q, %v", loc, err)
		}
	}

	link := message[strings.Index(message, masthead.URL+"/r/"):]
	link = link[:strings.IndexByte(link, '"')]
	if res, _ := do(t, "HEAD", link, "Mozilla/5.0 (compatible; Proofpoint URL Defense)"); res.StatusCode != http.StatusFound {
		t.Errorf("a scanner's HEAD: %d", res.StatusCode)
	}
	altered := strings.Replace(link, "/r/A", "/r/B", 1)
	if res, _ := do(t, "GET", altered, uaFirefox); res.StatusCode != http.StatusBadRequest || res.Header.Get("Location") != "" {
		t.Errorf("an altered token: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}

	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if got := store.figures(t, 42)[1]; got != (linkFigures{clicks: 2, readers: 1, automatic: 1}) {
		t.Errorf("figures %+v; want 2 clicks by 1 reader, 1 automatic", got)
	}
	var rows int
	if err := store.db.QueryRow(`SELECT COUNT(*) FROM reader_events`).Scan(&rows); err != nil || rows != 0 {
		t.Errorf("%d per-subscriber rows with per-subscriber figures off (%v)", rows, err)
	}
}
