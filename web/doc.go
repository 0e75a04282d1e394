// Package web is masthead's HTTP server: the public web edition (the archive
// of issues, each issue's page, the Atom feeds), the reader's side of a
// subscription (the subscribe form, the double opt-in confirmation, the
// unsubscribe page and RFC 8058 one-click unsubscribe), the bounce and
// complaint webhook, the counted links of issues (GET /r/{token}, a 302 to the
// link's stored URL, and the tracking image GET /o/{token}, served in
// clicks.go by package engagement's Redirector and recorded by its batched
// recorder),
// health checks, and the skeleton into which the editor UI
// (/admin/), the JSON API (/api/) and the metrics (/metrics) are mounted.
//
// Every route is in one table (routes.go); handlers are methods on Server,
// one short file each. Pages are rendered with the theme (templates.Theme.Page)
// and checked against sample data when the Server is made. Handlers only
// parse requests and render answers: subscribing, confirming, leaving and
// applying a webhook's reports are operations of package workspace, pages
// read through workspace.Reads, and the confirmation emails are sent by the
// queue of package subscribers/confirm, which the form wakes. The HTTP side
// of signing in (cookies, CSRF, the client's address) is in web/httpauth.
//
// # Security
//
//   - Headers: every response gets a Content-Security-Policy of default-src
//     'self' (images may also be https: or data:, for pictures in articles)
//     with frame-ancestors 'none' (a handler that must be framed, such as an
//     editor's preview, sets its own), X-Content-Type-Options: nosniff,
//     X-Frame-Options: DENY and Referrer-Policy: same-origin.
//   - CSRF: the public forms (POST /subscribe, POST /confirm/{token}) are
//     protected by net/http's CrossOriginProtection: a browser's request whose
//     Sec-Fetch-Site (or, for older browsers, Origin) says it comes from
//     another site is refused with 403. No cookie or form token is needed, so
//     the pages stay cacheable and work without cookies. POST /subscribe
//     also takes a form from the pages of a publication's signup origins,
//     named by the browser's Origin header, for that publication only
//     (signup.go); its redirect field is followed only to those origins. POST
//     /unsubscribe/{token} is exempt: RFC 8058 one-click requests come from mail
//     providers' servers with no cookie and no token, and the signed token in
//     the URL is itself the proof of authority (a forger would need it).
//   - Request bodies of the public forms are limited to 64 KiB (413 beyond);
//     the webhook to 256 KiB, the largest an SNS notification can be.
//   - A panic or a store error is logged with its details; the client sees a
//     plain error page with none of them.
//   - The subscribe form is rate-limited per client IP (per /64 for IPv6) and
//     per address, so it cannot be used to fill someone's inbox.
//
// # Webhook
//
// POST /webhooks/bounces takes bounce and complaint reports. It is
// authenticated by a shared secret (Deps.WebhookSecret: MASTHEAD_WEBHOOK_SECRET,
// or DeriveWebhookSecret of the server secret), sent as
// "Authorization: Bearer SECRET" or as the password of HTTP basic auth (the
// form an Amazon SNS subscription URL can carry:
// https://masthead:SECRET@news.example.org/webhooks/bounces). It accepts
// masthead's own JSON, {"type":"bounce"|"complaint","email":"...","hard":true,
// "detail":"..."}, and Amazon SES notifications delivered by SNS (a
// SubscriptionConfirmation's SubscribeURL is logged for the operator to visit,
// never fetched). The body is read by bounces.ParseWebhook and applied by
// workspace.ApplyBounceReports, through the same bounces.Apply and under the
// same bounce policy (serve's --soft-bounce-limit) as the mailbox's reports.
package web
