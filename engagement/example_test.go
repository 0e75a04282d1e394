package engagement_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"masthead/engagement"
)

// The wiring at assembly and at delivery: rewrite once per issue and store
// the table with it; fill each message's per-message part.
func Example_assembleAndDeliver() {
	signer := engagement.NewSigner([]byte("the server secret, 32 bytes long"))
	rw, err := engagement.NewRewriter(signer, engagement.RewriteOptions{
		BaseURL:      "https://news.example",
		PerRecipient: true, // the publication keeps per-subscriber figures
	})
	if err != nil {
		panic(err)
	}
	html := `<html><head></head><body><a href="https://planet.example/heat-wave">Heat wave</a>` +
		` <a href="[[MH:unsubscribe]]">Unsubscribe</a></body></html>`
	out, err := rw.Rewrite(42, html, "Heat wave <https://planet.example/heat-wave>\n")
	if err != nil {
		panic(err)
	}
	for _, l := range out.Links {
		fmt.Println(l.Index, l.URL, l.Text) // the store keeps these with issue 42
	}
	// Per message, where the delivery fills the other slots:
	part := signer.RecipientPart(42, 1001, time.Now())
	msg := strings.ReplaceAll(out.HTML, engagement.RecipientMarker, part)
	fmt.Println(strings.Count(msg, "https://news.example/r/"), strings.Contains(msg, `href="[[MH:unsubscribe]]"`))
	// Output:
	// 1 https://planet.example/heat-wave Heat wave
	// 1 true
}

// tables is a LinkStore of one issue, standing in for the store here.
type tables map[int64]*engagement.IssueLinks

func (t tables) IssueLinks(_ context.Context, id int64) (*engagement.IssueLinks, error) {
	if l, ok := t[id]; ok {
		return l, nil
	}
	return nil, engagement.ErrNotFound
}

// The wiring in serve: a recorder writing to the store, the redirect in
// front of a cache of link tables, which the web edition's routes call.
func Example_serve() {
	signer := engagement.NewSigner([]byte("the server secret, 32 bytes long"))
	store := tables{42: {IssueID: 42, PublicationID: 1,
		Links: []engagement.Link{{Index: 1, URL: "https://planet.example/heat-wave"}}}}
	sink := engagement.SinkFunc(func(_ context.Context, b engagement.Batch) error {
		for _, c := range b.Counts {
			fmt.Println("issue", c.IssueID, "link", c.Link, "clicks", c.Events, "readers", c.Readers, "automatic", c.Automatic)
		}
		return nil
	})
	rec := engagement.NewRecorder(sink, engagement.RecorderOptions{})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- rec.Run(ctx) }()

	rd := engagement.NewRedirector(signer, engagement.NewCache(store, 256, time.Minute), rec)
	// The web edition serves GET /r/{token} and GET /o/{token} with rd.Click
	// and rd.Open (web/clicks.go); here a click as it would pass them.
	target, err := rd.Click(context.Background(), signer.LinkToken(42, 1),
		engagement.Request{Method: "GET", UserAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"})
	fmt.Println(target, err)
	stop()
	fmt.Println(<-done)
	// Output:
	// https://planet.example/heat-wave <nil>
	// issue 42 link 1 clicks 1 readers 1 automatic false
	// <nil>
}
