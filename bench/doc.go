// Package bench is in charge of measuring masthead against the ceiling of the
// machine it runs on, on loopback only and in bounded time: it builds a fresh
// database (a publication, N subscribers through the real CSV import, an issue
// of 20 articles through newsletter.Assembler), starts a discard SMTP server
// (internal/smtptest), optionally a round trip away, then sends the issue
// through the real delivery engine and, for comparison, the same number of
// messages over the same number of connections through a bare go-mail loop
// (one pre-built message) and as raw bytes (the same message with its
// commands in one prepared write: the machine's limit). It also loads the web
// edition (archive page, subscribe and one-click unsubscribe) while a send
// runs.
//
// Each measurement runs in a child process of its own (Options.Spawn), so that
// its CPU time (getrusage) and peak resident memory (VmHWM) are its own and
// not the SMTP server's or the other measurements'. Every send measurement
// gets a fresh copy of the database, so every run starts from the same ledger.
//
// `masthead bench` is the command; BENCHMARKS.md has the figures and how they
// were taken.
package bench
