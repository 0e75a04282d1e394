package bench

import (
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// What names the measurements Run makes.
const (
	WhatSend    = "send"    // the delivery engine, per connection count
	WhatCeiling = "ceiling" // the bare go-mail loop, per connection count
	WhatRaw     = "raw"     // the raw bytes of the same message, per connection count
	WhatWeb     = "web"     // the web edition under load, idle and during a send
	// WhatRedirect is the counted links' redirect (GET /r/{token}) alone
	// under load, idle and during a send, recording through the batched
	// recorder into the database.
	WhatRedirect = "redirect"
	// WhatOverhead is the delivery engine with a sender that accepts every
	// message without SMTP: masthead's own CPU per recipient.
	WhatOverhead = "overhead"
)

var allWhat = []string{WhatSend, WhatCeiling, WhatRaw, WhatOverhead, WhatWeb}

// knownWhat are the measurements one may ask for; the redirect's is not made
// unless asked.
var knownWhat = append(slices.Clone(allWhat), WhatRedirect)

// Options say what to measure. Zero values take the defaults in brackets.
type Options struct {
	Subscribers int // audience of the issue [100,000]
	Articles    int // articles in the issue [20]
	// Latency is the round trip to the SMTP server: every reply reaches
	// the client this long after the server wrote it, as from a relay far
	// away (the sink's round trip, internal/lateconn) [0].
	Latency     time.Duration
	Connections []int    // connection counts to measure [1, 4, 8]
	What        []string // measurements to make [send, ceiling, raw, overhead, web]
	// DKIM, when "ed25519" or "rsa", adds a send signed with a new key of
	// that kind after each send, so that the cost of signing shows.
	DKIM string
	// RunLimit stops one send after this long (the throughput is then that
	// of the messages sent so far), which keeps slow settings, such as a high
	// latency with one connection, bounded [2m].
	RunLimit time.Duration

	// Engine settings; 0: the engine's own defaults.
	ClaimBatch  int
	RecordBatch int

	WebDuration    time.Duration // each web phase: idle, then during a send [5s]
	WebClients     int           // concurrent HTTP clients [8]
	WebConnections int           // SMTP connections of the send during the web phase [4]

	// Dir holds the databases; "" is a temporary directory removed at the end.
	Dir string
	// Profile, when set, is a directory where each send measurement writes
	// a CPU profile (send-N.pprof, ceiling-N.pprof).
	Profile string

	// Spawn returns the command that runs one measurement in a child process:
	// the child must call RunTask with task and write its output to its
	// stdout. nil runs every measurement in this process (peak RSS is then
	// reset before each, but the SMTP server's CPU time counts in).
	Spawn func(task []byte) *exec.Cmd

	Log *slog.Logger
}

func (o *Options) defaults() error {
	if o.Subscribers <= 0 {
		o.Subscribers = 100_000
	}
	if o.Articles <= 0 {
		o.Articles = 20
	}
	if len(o.Connections) == 0 {
		o.Connections = []int{1, 4, 8}
	}
	for _, c := range o.Connections {
		if c < 1 || c > 256 {
			return fmt.Errorf("connections %d: want 1 to 256", c)
		}
	}
	if len(o.What) == 0 {
		o.What = allWhat
	}
	for _, w := range o.What {
		if !slices.Contains(knownWhat, w) {
			return fmt.Errorf("unknown measurement %q (have %s)", w, strings.Join(knownWhat, ", "))
		}
	}
	if o.Latency < 0 {
		return errors.New("latency must not be negative")
	}
	switch o.DKIM {
	case "", "ed25519", "rsa":
	default:
		return fmt.Errorf("DKIM key %q: want ed25519 or rsa", o.DKIM)
	}
	if o.RunLimit <= 0 {
		o.RunLimit = 2 * time.Minute
	}
	if o.WebDuration <= 0 {
		o.WebDuration = 5 * time.Second
	}
	if o.WebClients <= 0 {
		o.WebClients = 8
	}
	if o.WebConnections <= 0 {
		o.WebConnections = 4
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return nil
}

func (o *Options) wants(what string) bool { return slices.Contains(o.What, what) }
