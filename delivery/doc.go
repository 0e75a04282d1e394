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
// until Config.GiveUpAfter, then failed as a soft bounce; a connection that
// breaks or times out mid-conversation (no reply: code 0) retries the row over
// a new connection while the other connections go on; a 421, an unreachable
// server, or drops that persist across connections open a circuit breaker
// that pauses every worker of the send, so an outage costs one probe per
// backoff step rather than an attempt per row.
//
// A 5xx is read for what it means (meaning.go), from its enhanced status
// code (RFC 3463, sent with ENHANCEDSTATUSCODES or written in the reply's
// text) and its words, before its stage: about the recipient's mailbox
// (X.1.x, X.2.1, "user unknown") it fails the row and records a hard bounce;
// a full mailbox (X.2.2) is retried; about this message (X.6.x, X.7.x, "spam",
// "blocked") it fails the row without a bounce; about us (relaying denied,
// sender not verified, authentication required, DMARC, any 5xx to MAIL FROM)
// it pauses the whole send with the reason (Issue.PauseReason, Config.OnPause,
// the log), bounces no one and leaves the rows queued for a resume. A refusal
// that would fail a row is held back for a moment first (repeats.go): the
// same reply for many recipients and domains with no message accepted in
// between is the relay's, not the readers', and pauses the send the same
// way. Every refusal reaches the engine as a *ReplyError (the stage, the
// reply's code and enhanced code), a failure to connect as a *DialError.
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
//
// Two more measure the pace under trouble: a send while the admin's ledger
// and subscriber searches run flat out (BenchmarkSendUnderSearches), and a
// send with 10% of connections dropped mid-DATA next to a clean one
// (TestDropsKeepThePace logs both times).
//
//	go test -run '^$' -bench BenchmarkSendUnderSearches -benchtime 1x ./delivery/
//	go test -run TestDropsKeepThePace -v ./delivery/
package delivery
