package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"masthead/engagement"
	"masthead/internal/testenv"
	"masthead/templates"
)

// A reader's path through a counted link: the issue is rendered by the
// built-in theme, its links rewritten once and stored with it, the message
// filled for one subscriber; in Chromium the reader clicks the story's link,
// lands on the newsroom's page, comes back and clicks it again. The store
// then has two clicks by one reader, a scanner's HEAD counted apart, no
// redirect for an altered token, and the unsubscribe link as it was.
func TestClickJourney(t *testing.T) {
	ctx := context.Background()
	newsroom := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><title>Heat wave</title><h1 id="story">Heat Wave Arrives, the full story</h1><p>%s</p>`, r.URL.Path)
	}))
	defer newsroom.Close()

	st := openStore(t)
	rec := engagement.NewRecorder(engagement.SinkFunc(st.WriteEngagement), engagement.RecorderOptions{FlushEvery: 50 * time.Millisecond})
	recCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- rec.Run(recCtx) }()
	stop := func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			t.Fatal("the recorder did not stop")
			return nil
		}
	}
	signer := engagement.NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	rd := engagement.NewRedirector(signer, engagement.NewCache(st, 16, time.Minute), rec)
	e := newEnvOn(t, st, func(d *Deps) { d.Redirects = rd })
	issue := e.publish(e.pub, day("2009-07-09"), []string{"Heat Wave Arrives"}).ID
	masthead := httptest.NewServer(e.srv)
	defer masthead.Close()
	var message string
	mail := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, message)
	}))
	defer mail.Close()

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
		Date: "Thursday, July 9, 2009", WebURL: masthead.URL + "/issues/planet/2009-07-09", HomeURL: masthead.URL + "/",
		Articles: []templates.Article{{Anchor: "article-1", Title: "Heat Wave Arrives", HTML: body, Text: text}}})
	if err != nil {
		t.Fatal(err)
	}
	rw, err := engagement.NewRewriter(signer, engagement.RewriteOptions{BaseURL: masthead.URL, PerRecipient: true})
	if err != nil {
		t.Fatal(err)
	}
	out, err := rw.Rewrite(issue, html, plain)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Links) != 1 || out.Links[0].URL != newsroom.URL+"/2009/07/09/heat-wave" || out.Links[0].Text != "Read the full story" {
		t.Fatalf("links %+v", out.Links)
	}
	if err := st.SaveIssueLinks(ctx, issue, out.Links); err != nil {
		t.Fatal(err)
	}

	// Delivery: the slots of one message, its per-message part among them.
	personal := &templates.Personal{Email: "lois@planet.example", UnsubscribeURL: masthead.URL + "/unsubscribe/TOKEN",
		Recipient: signer.RecipientPart(issue, 1001, time.Now().Add(-time.Hour))}
	message = string(templates.Compile(out.HTML, templates.HTML).Fill(nil, personal))
	if !strings.Contains(message, `href="`+masthead.URL+`/unsubscribe/TOKEN"`) {
		t.Fatal("the unsubscribe link was rewritten")
	}

	bctx := testenv.Browser(t)
	if _, err := chromedp.Call(bctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: uaFirefox}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := chromedp.Do(bctx, chromedp.Navigate(mail.URL+"/message"),
			chromedp.Click(chromedp.CSS(`a[href^="`+masthead.URL+`/r/"]`)),
			chromedp.WaitVisible(chromedp.ID("story"))); err != nil {
			t.Fatal(err)
		}
		loc, err := chromedp.Run(bctx, chromedp.Location())
		if err != nil || loc != newsroom.URL+"/2009/07/09/heat-wave" {
			t.Fatalf("the reader landed on %q, %v", loc, err)
		}
	}

	link := message[strings.Index(message, masthead.URL+"/r/"):]
	link = link[:strings.IndexByte(link, '"')]
	if res, _ := fetch(t, "HEAD", link, "Mozilla/5.0 (compatible; Proofpoint URL Defense)"); res.StatusCode != http.StatusFound {
		t.Errorf("a scanner's HEAD: %d", res.StatusCode)
	}
	altered := strings.Replace(link, "/r/A", "/r/B", 1)
	if res, _ := fetch(t, "GET", altered, uaFirefox); res.StatusCode != http.StatusBadRequest || res.Header.Get("Location") != "" {
		t.Errorf("an altered token: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}

	if err := stop(); err != nil {
		t.Fatal(err)
	}
	counts, err := st.EngagementCounts(ctx, issue)
	if err != nil {
		t.Fatal(err)
	}
	var clicks, readers, automatic int64
	for _, c := range counts {
		switch {
		case c.Kind != engagement.Click || c.Link != 1:
		case c.Automatic:
			automatic += c.Events
		default:
			clicks += c.Events
			readers += c.Readers
		}
	}
	if clicks != 2 || readers != 1 || automatic != 1 {
		t.Errorf("%d clicks by %d readers, %d automatic; want 2 clicks by 1 reader, 1 automatic (%+v)", clicks, readers, automatic, counts)
	}
	if rows, err := st.ReaderRows(ctx, e.pub.ID); err != nil || rows != 0 {
		t.Errorf("%d per-subscriber rows with per-subscriber figures off (%v)", rows, err)
	}
}
