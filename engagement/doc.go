// Package engagement is in charge of what readers did with an issue,
// counted without recording who did it: it rewrites an issue's links to
// signed redirects once per issue, decides where a redirect goes, tells
// readers' clicks from security scanners', and records aggregated counts in
// batches. It knows no database and no HTTP: the store implements
// LinkStore and Sink, and the HTTP routes of the counted links, GET
// /r/{token} and GET /o/{token}, are the web edition's (web/clicks.go),
// which call Redirector.Click and Redirector.Open.
//
// # Links
//
// Rewriter.Rewrite takes an issue's rendered HTML and text parts and
// replaces each article link with BaseURL/r/{token}, returning the link
// table to store with the issue (Link: index, original URL, text, the
// article's anchor). Only absolute http(s) links are rewritten, and never
// those under BaseURL (the web edition, view in your browser, unsubscribe,
// confirm, links already rewritten), under RewriteOptions.Skip, or holding a
// slot marker such as [[MH:unsubscribe]]; mailto:, tel:, #fragments and
// relative links stay, and so does anything in <head>, comments (Outlook's
// conditional ones too) and raw text. The HTML changes only inside the href
// values it rewrites: the tokenizer's raw bytes locate them, and nothing is
// parsed and serialised again, so premailer's output stays byte for byte.
// List-* headers are made per message by the delivery and never pass here.
//
// # Tokens
//
// A link token is 27 bytes in unpadded URL base64 (36 characters): a
// version byte (1), the issue id (8 bytes) and the link index (2 bytes),
// then the first 16 bytes of HMAC-SHA256(k, 'l' || those 11 bytes). k is
// HMAC-SHA256(server secret, "masthead engagement links v1"), so a token of
// the unsubscribe signer cannot pass here, nor one of these there. Index 0
// is the tracking image (BaseURL/o/{token}).
//
// With per-subscriber figures the link is BaseURL/r/{token}.[[MH:rcpt]]:
// the delivery fills the slot RecipientSlot of each message with
// Signer.RecipientPart(issue, subscriber, now), 24 bytes (32 characters):
// the subscriber id (8), the time the message was made (4, Unix seconds),
// and the first 12 bytes of HMAC(k, 'r' || issue id || those 12 bytes),
// which binds the part to the issue. Recipient 0 is a preview or test
// message: followed, not counted. Verify checks lengths before decoding
// (Go's base64 skips CR and LF) and decodes strictly, so a token has one
// spelling; any other is ErrBadToken, distinct from ErrNotFound.
//
// # Redirect
//
// Redirector.Click verifies the token, finds the link in the table
// (LinkStore, behind a Cache) and returns its URL: always one of the table,
// never anything from the request, and only an http(s) one, so it cannot be
// used as an open redirect. It hands the click to a Queue without waiting;
// when the queue is full the click is dropped and counted, and the reader is
// redirected all the same. Its errors tell the web's answers apart:
// ErrBadToken (400), ErrNotFound (404), any other a store failure (503).
//
// # Automatic clicks
//
// Rules.Classify takes an event and the source's clicks of the last moment
// on the same issue (the source: the recipient when the per-message part
// names one and per-subscriber figures are on, otherwise the client address
// with the user agent), and says human or automatic, with the first reason
// that matched:
//
//   - HEAD requests: link checkers ask HEAD, browsers GET.
//   - No User-Agent header.
//   - A known automatic user agent (DefaultAgents, each with its source):
//     Microsoft Office link checks and Outlook.com's BingPreview (Defender
//     Safe Links), Barracuda, Proofpoint, Mimecast, Cisco IronPort, Trend
//     Micro, FortiMail, chat and social link previews, headless browsers,
//     HTTP libraries, and any product name ending in "bot" or saying
//     crawler or spider. A click through Gmail's or Yahoo's image proxy is
//     automatic; an open through them is a reader's (they fetch when the
//     reader opens the message).
//   - Sooner than DeliveryWindow (10 s) after the message was made for
//     sending, when the per-message part says when.
//   - BurstLinks (3) different links from one source within BurstWindow
//     (1 s), or both links of an issue of two: a scanner following every
//     link. The recorder holds every click for BurstWindow + 1 s before it
//     counts it, so that the first links of a burst are counted automatic
//     too.
//
// Automatic clicks are counted apart (Count.Automatic) and left out of the
// headline figures. Scanners that use a browser's user agent from their own
// network (Microsoft's detonation sandbox, Barracuda's Email Security
// Service) are caught only by the timing rules; Apple Mail Privacy
// Protection loads every image when the mail arrives, so opens are reported
// as inflated by it.
//
// # Recording and privacy
//
// Recorder takes events on a bounded queue (Record never blocks), classifies
// them, and adds them to Count rows per (issue, link, hour, human or
// automatic): events, unique readers of the link, unique readers of the
// issue. It writes them to the Sink in one transaction when FlushRows rows
// wait or every FlushEvery, keeps a batch that failed for the next write,
// and writes what it holds when its context ends.
//
// Unique readers are counted exactly within a window without storing who:
// the recorder remembers 64-bit hashes of (reader, issue, link), keyed with
// a random seed made when it starts, in memory only, for between Window and
// twice Window (24 h), at most 2 x MaxReaders of them. A Count names no
// one; a reader's user agent, address and recipient id never leave memory.
// So with per-subscriber figures off the database holds no row linking a
// subscriber (or an address) to a click, and no one, with the database
// alone or after a restart, can recompute one: the seed is gone. The cost:
// a reader who clicks again after the window, or after a restart, or on
// another process's web server, counts again, and readers behind one
// address with the same browser count once. (HyperLogLog sketches in the
// database were the other way: they estimate rather than count, and for the
// few readers of a link their registers tell, to whoever holds the key,
// whether a given person clicked.)
//
// With per-subscriber figures on, the recorder also gives the Sink a
// ReaderEvent per click of a named subscriber (subscriber, issue, link,
// hour). The store keeps those for the publication's retention period and
// then deletes them: every figure is already in the Counts, so deleting
// them is the aggregation.
package engagement
