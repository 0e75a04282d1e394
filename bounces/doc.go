// Package bounces is in charge of the bounce and complaint reports that come
// back after a send, from every source: it reads them from an IMAP mailbox
// and parses RFC 3464 delivery-status notifications (multipart/report;
// report-type=delivery-status) and RFC 5965 abuse reports
// (report-type=feedback-report); it parses what a provider posts to the
// webhook, masthead's own JSON and Amazon SES notifications delivered by SNS
// (ParseWebhook). Every report, whatever its source, goes through the one
// Apply: it finds the subscriber each one is about (the Final-Recipient
// address first, then the Original-Recipient, then the Message-ID masthead
// gave the returned message; a provider's Direct report names the address
// itself) and applies it through the store under the installation's one
// ledger.BouncePolicy, the same the delivery engine's give-ups are judged by:
// a hard bounce (5.x.x) or a complaint suppresses the address, a soft bounce
// (4.x.x) counts toward the limit of soft bounces in a row.
//
// Applying is idempotent: the store remembers each (report, address) it
// applied, and the poller marks each processed message \Seen and
// $MastheadProcessed (or moves it to another mailbox), so polling again
// changes nothing. A message that is not a report it understands is left
// where it is, unflagged, and logged with the reason.
package bounces
