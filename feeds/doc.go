// Package feeds is in charge of taking articles from a newsroom's own RSS,
// Atom or JSON feed, safely.
//
// It does three things, each usable alone:
//
//   - Fetcher fetches a feed politely and within bounds: one total timeout, a
//     size limit, a limited number of redirects (a loop refused), http and
//     https only, private and loopback addresses refused unless allowed,
//     conditional GET (ETag, Last-Modified; a 304 is "not modified", not an
//     error) and a User-Agent that names masthead. NextPoll turns a feed's
//     consecutive failures into the time of its next attempt, so the caller
//     keeps the backoff in its database and a restart forgets nothing.
//   - Parser reads the feed (github.com/mmcdole/gofeed: RSS 0.9 to 2.0, Atom
//     1.0 with xml:base, JSON Feed) into neutral Items: a stable key, the
//     title, author, categories, canonical absolute link, times, the body as
//     Markdown and the lead image.
//   - Converter turns untrusted feed HTML into a Markdown article body: it
//     sanitises with bluemonday, makes every link and image absolute, and
//     converts with html-to-markdown, keeping paragraphs, links, lists,
//     quotes, emphasis, headings and images and dropping scripts, styles,
//     frames, event handlers and javascript: URLs.
//
// The package stores nothing: the caller decides what an Item becomes (an
// article keyed by Item.Key), persists a feed's validators and failure count,
// and keeps articles whose items left the feed.
package feeds
