// Package sample is in charge of a new installation's first minute: on an
// empty database it creates a sample publication, a few articles for today and
// a few subscribers at example.org, so that `masthead serve` can show the whole
// loop (assembly, numbering, rendering, delivery into the built-in outbox)
// before anyone has configured anything.
package sample

import (
	"context"
	"errors"
	"fmt"
	"time"

	"masthead/ledger"
	"masthead/newsletter"
	"masthead/subscribers"
	"masthead/workspace"
)

// Slug is the sample publication's slug.
const Slug = "sample"

// Subscribers are the sample subscribers: example.org is reserved for
// examples (RFC 2606), so nothing sent to them reaches anyone.
var Subscribers = []struct{ Email, Name string }{
	{"alice@example.org", "Alice Example"},
	{"bob@example.org", "Bob Example"},
	{"carol@example.org", "Carol Example"},
}

// Seed fills an empty database: it returns the sample publication and true
// when it created it, or nil and false when the database already has a
// publication (its own, or one another process seeded at the same moment).
// The articles are dated today in the publication's zone (UTC).
//
// It makes them through the operations layer, as an editor would.
func Seed(ctx context.Context, work *workspace.Service, now time.Time) (*newsletter.Publication, bool, error) {
	pubs, err := work.Reads().Publications(ctx)
	if err != nil {
		return nil, false, err
	}
	if len(pubs) > 0 {
		return nil, false, nil
	}
	today := newsletter.DateIn(now, time.UTC)
	p := &newsletter.Publication{
		Slug:        Slug,
		Name:        "The Masthead Gazette",
		Tagline:     "A sample publication: change it with 'masthead publication set', or make your own",
		From:        "The Masthead Gazette <gazette@example.org>",
		Address:     "1 Sample Street, Example City",
		TimeZone:    "UTC",
		Schedule:    "0 6 * * *",
		VolumeStart: today,
		Sections:    []string{"Front Page", "News", "Help"},
	}
	if err := work.SavePublication(ctx, p); err != nil {
		if errors.Is(err, ledger.ErrConflict) {
			return nil, false, nil // another process seeded it first
		}
		return nil, false, fmt.Errorf("sample publication: %w", err)
	}
	for _, a := range articles {
		a := *a
		a.Date, a.Status = today, newsletter.Ready
		if err := work.SaveArticle(ctx, p, &a); err != nil {
			return nil, false, fmt.Errorf("sample article %q: %w", a.Title, err)
		}
	}
	for _, s := range Subscribers {
		if _, err := work.AddSubscriber(ctx, p, s.Email, s.Name, "", false, subscribers.ViaEditor); err != nil {
			return nil, false, fmt.Errorf("sample subscriber %s: %w", s.Email, err)
		}
	}
	return p, true, nil
}

// articles are today's sample stories; they explain what the reader is looking at.
var articles = []*newsletter.Article{
	{
		Section: "Front Page", Position: 1, Author: "The masthead team",
		Title: "Welcome to masthead",
		Deck:  "This issue was assembled, numbered and sent by masthead on its own",
		Body: `You are reading the first issue of a sample publication. masthead created it
because it found an empty database: a publication, three articles for today and
three subscribers at example.org.

A few seconds after ` + "`masthead serve`" + ` started, the scheduler assembled today's issue
from the ready articles, numbered it *Volume 1, Number 1*, rendered it once as HTML
and as plain text, and delivered one copy per subscriber into the **built-in
outbox**: no mail server was needed, and nothing left this machine.`,
	},
	{
		Section: "News", Position: 1, Author: "The masthead team",
		Title: "How a day's issue goes out",
		Body: `Each publication has a daily schedule, a cron spec in its own time zone
(this one: ` + "`0 6 * * *`" + `, 06:00 UTC). At that time masthead assembles the day's
issue and sends it, once: two servers, a restart or a crash at the wrong moment
still make one issue and one copy per subscriber.

- A day with no ready articles is skipped (or gets a short notice, or is held).
- An editor can give an issue its own time: ` + "`masthead issue schedule --at 07:30`" + `.
- ` + "`masthead issue hold`" + `, ` + "`release`" + ` and ` + "`skip`" + ` keep a day from going out.
- If masthead was down at the scheduled time, it catches up within a few hours,
  and otherwise leaves the issue marked *missed* for an editor.`,
	},
	{
		Section: "Help", Position: 1, Author: "The masthead team",
		Title: "What to do next",
		Body: `1. Look at what was sent: ` + "`masthead outbox list`" + `, or the outbox in the
   editor pages under /admin/.
2. Make the publication yours: ` + "`masthead publication set sample --name \"The Daily Planet\" --timezone Europe/Paris --schedule \"30 6 * * *\"`" + `.
3. Write tomorrow's articles: ` + "`masthead article add --date YYYY-MM-DD --title \"...\" story.md`" + `.
4. Point masthead at a real mail server with ` + "`--smtp smtp://user:pass@host:587`" + `,
   and remove the example.org subscribers.`,
	},
}
