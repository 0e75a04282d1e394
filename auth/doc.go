// Package auth is in charge of who may use the editor's workspace: editor and
// admin accounts with argon2id password hashes, login sessions kept in secure
// cookies, the CSRF token tied to each session, the login rate limit, and API
// tokens for the JSON API (shown once, stored as SHA-256 hashes). It decides who
// a request is; the admin and api packages decide what each route lets them do.
package auth
