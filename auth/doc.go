// Package auth is in charge of who may use the editor's workspace: editor and
// admin accounts with argon2id password hashes, login sessions and the CSRF
// token of each, the login rate limit, and API tokens for the JSON API (shown
// once, stored as SHA-256 hashes). It knows nothing of HTTP: web/httpauth
// carries sessions in cookies and tokens in headers and tells who a request
// is; the admin and api packages decide what each route lets them do.
// Account changes reach it through workspace; signing in and out through
// web/httpauth.
//
// # Failed logins
//
// Counting failures per account alone would let anyone lock an editor out
// with five wrong passwords from anywhere. So failures count three ways, each
// over the last 15 minutes (LoginLimits has the figures):
//
//   - per client and account: after 5, that client is refused on that
//     account (ErrRateLimited, the password not even checked). This stops
//     guessing one account from one place.
//   - per client: after 30 on any accounts, that client is refused on all
//     (password spraying). A client is its IP address, an IPv6 address cut
//     to its /64 (see httpauth.ClientIP; behind a reverse proxy, the address
//     the proxy reports when told to trust it).
//   - per account, from anywhere: after 10, every try on the account waits
//     1 s more per failure (up to 10 s) before its password is checked, but
//     is never refused. An attack spread over many clients is slowed; the
//     owner, from their own client, still signs in, only later.
//
// A successful login forgives only its own client's count on that account.
// The counts live in memory: a restart forgives them all.
package auth
