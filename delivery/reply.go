package delivery

import (
	"errors"
	"net/textproto"
	"strconv"
	"strings"
)

// Stage is the step of the SMTP conversation that a reply answered. The same
// code means different things at different steps: a 550 at MAIL FROM is about
// our sender, at RCPT TO usually about the recipient's mailbox.
type Stage uint8

const (
	StageConnect Stage = iota + 1 // dial, greeting, EHLO, STARTTLS, AUTH, or the liveness check before a message
	StageMail                     // MAIL FROM
	StageRcpt                     // RCPT TO
	StageData                     // DATA, the message's bytes, or the reply after its end
	StageMessage                  // the message could not be put on the wire (its addresses or encoding); nothing was sent
)

// String names the stage as an SMTP command.
func (s Stage) String() string {
	switch s {
	case StageConnect:
		return "connect"
	case StageMail:
		return "MAIL FROM"
	case StageRcpt:
		return "RCPT TO"
	case StageData:
		return "DATA"
	case StageMessage:
		return "message"
	}
	return "stage " + strconv.Itoa(int(s))
}

// ReplyError is a message the server did not accept: its reply at one stage
// of the conversation, or no reply at all (Code 0: the connection broke or
// timed out). Every Conn of an SMTP Sender returns its failures as a
// *ReplyError (or a *DialError before any message), which is all the engine
// reads to decide what a failure means.
type ReplyError struct {
	Stage    Stage
	Code     int    // the reply's three-digit code; 0 for no reply
	Enhanced string // RFC 3463 enhanced status code ("5.1.1") as the server sent it with ENHANCEDSTATUSCODES; "" without
	Text     string // the reply as one line, for the ledger: `550 5.1.1 no such user (RCPT TO)`
	Err      error  // what the client reported
}

func (e *ReplyError) Error() string {
	if e.Text != "" {
		return e.Text
	}
	if e.Err != nil {
		return e.Stage.String() + ": " + e.Err.Error()
	}
	return e.Stage.String() + ": " + strconv.Itoa(e.Code)
}

func (e *ReplyError) Unwrap() error { return e.Err }

// ReplyCode is the SMTP code in an error returned by a Conn or a Sender: a
// *ReplyError's, a *DialError's reply, or a code at the start of its text; 0
// if none.
func ReplyCode(err error) int {
	var re *ReplyError
	if errors.As(err, &re) {
		return re.Code
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return leadingCode(strings.TrimSpace(err.Error()))
}

func leadingCode(s string) int {
	if len(s) < 3 {
		return 0
	}
	n, err := strconv.Atoi(s[:3])
	if err != nil || n < 200 || n > 599 {
		return 0
	}
	return n
}
