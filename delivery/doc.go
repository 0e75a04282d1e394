// Package delivery is in charge of getting an assembled issue to every
// subscriber exactly once: it snapshots the audience into the delivery ledger
// (the records of package ledger, kept by the store behind the Ledger
// interface declared here), claims due rows under a lease, composes each
// message, sends it over reused SMTP connections or into the built-in outbox,
// and records every outcome, with the bounces they imply judged by
// Config.Bounces, the installation's one bounce policy. Its Mailer sends the
// confirmation emails (subscribers/confirm) through the same senders.
//
// Starting or resuming a send through the engine calls Config.Started, which
// serve points at its delivery workers' Wake: editors' starts (workspace) and
// the scheduler's fires wake the workers the same way.
//
// Composing. An issue is laid out once on the wire (layout.go): headers, MIME
// structure and both bodies quoted-printable-encoded, with a dot-stuffed copy
// for DATA, and holes for what differs per recipient (Date, To, Message-ID,
// List-Unsubscribe, the boundary, the body lines that hold a slot). Compose
// fills the holes; a Conn writes the pieces and the holes into its buffer.
// The bytes are those go-mail wrote when it built each message
// (TestSpliceMatchesGoMail).
//
// Sending. go-mail's client connects (EHLO, STARTTLS and the TLS policy,
// AUTH); the mail transaction is this package's (conversation.go): MAIL FROM,
// RCPT TO and BDAT LAST with the message in one write where the server offers
// PIPELINING and CHUNKING, DATA otherwise, no NOOP, and RSET only after a
// refusal left a transaction open.
//
// Outcomes: 2xx is sent; 4xx is retried with exponential backoff and jitter
// until Config.GiveUpAfter, then failed as a soft bounce; network errors and
// timeouts (no reply: code 0) are retried the same way after reconnecting; a
// 421 or an unreachable server opens a circuit breaker that pauses every
// worker of the send, so an outage costs one probe per backoff step rather
// than an attempt per row; 5xx at RCPT (or an address 5xx after DATA) fails
// the row and records a hard bounce. Every refusal reaches the engine as a
// *ReplyError (the stage, the reply's code and enhanced code), a failure to
// connect as a *DialError.
//
// Crash safety. A row is claimed (status sending, with a lease) before it is
// sent and recorded after, in batches. If the process dies at any point, its
// leases expire (Config.Lease; at once for a dead process on the same host
// with Config.ReclaimDead) and the rows are claimed again, so nothing is
// lost. The only messages that can go out twice are those accepted by the
// server but not yet recorded when the process died. The channel from workers
// to the recorder is unbuffered and the recorder writes at most
// Config.RecordBatch outcomes at a time, so that window is at most
//
//	Connections + RecordBatch messages per crash
//
// (one accepted message per worker waiting to hand its outcome over, plus one
// batch being written). Each (issue, subscriber) keeps the same Message-ID
// across attempts, so receivers that de-duplicate by Message-ID can drop
// even those.
//
// Control: Pause, Resume and Cancel change the status in the database;
// every process sending it notices within Config.Poll, finishes the messages
// in flight and gives back the rows it had claimed. TestSend sends one message
// without touching the ledger.
//
// DKIM (LoadDKIM) signs with github.com/emersion/go-msgauth over the headers
// in SignedHeaders, List-Unsubscribe and List-Unsubscribe-Post among them
// (RFC 8058 section 4), and the body as filled for the recipient; the
// message is rendered into a buffer once to be signed.
//
// Benchmarks: composing one message, and a 10,000-subscriber send of a 40 KB
// issue over 1 and 8 connections next to a bare go-mail loop sending one
// pre-built message over as many connections (messages per second, CPU per
// message, peak heap); 'masthead bench' (package bench) measures sends in
// processes of their own next to the raw bytes of the same message:
//
//	go test -run '^$' -bench BenchmarkCompose ./delivery/
//	go test -run '^$' -bench BenchmarkSend -benchtime 1x ./delivery/
package delivery
