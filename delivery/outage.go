package delivery

import (
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// ServerState is a change in whether a send's mail server can be reached, as
// the engine's breaker sees it: reported through Config.OnServerState and
// logged, once when the breaker opens and once when a message gets through
// again (not for every row or probe in between).
type ServerState struct {
	IssueID int64
	Down    bool          // the breaker opened: every worker of the send waits; rows stay queued
	Reason  string        // when Down: what failed, for people ("cannot connect to 127.0.0.1:25: connection refused")
	Retry   time.Duration // when Down: how long until the next try
}

// outageReason says in one line why the server is taken for down.
func outageReason(err error, res result) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Addr != nil {
		inner := op.Err
		var sys *os.SyscallError
		if errors.As(inner, &sys) {
			inner = sys.Err
		}
		return fmt.Sprintf("cannot connect to %s: %v", op.Addr, inner)
	}
	var de *DialError
	if errors.As(err, &de) {
		return "cannot connect: " + oneLine(de.Err.Error())
	}
	if res.code != 0 {
		return "the server answered " + res.reply
	}
	return "the server stopped answering: " + res.reply
}

// serverDown reports that the breaker opened on err.
func (r *run) serverDown(err error, res result, retry time.Duration) {
	s := ServerState{IssueID: r.issueID, Down: true, Reason: outageReason(err, res), Retry: retry}
	r.e.log.Warn("mail server unavailable: the send waits and tries again; nothing is lost", "issue", r.issueID,
		"reason", s.Reason, "retry_in", retry.Round(time.Millisecond).String())
	if f := r.e.cfg.OnServerState; f != nil {
		f(s)
	}
}

// serverUp reports that a message got through after an outage.
func (r *run) serverUp(down time.Duration) {
	r.e.log.Info("mail server reachable again: sending", "issue", r.issueID, "down_for", down.Round(time.Millisecond).String())
	if f := r.e.cfg.OnServerState; f != nil {
		f(ServerState{IssueID: r.issueID})
	}
}
