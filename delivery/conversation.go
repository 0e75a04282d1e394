package delivery

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/wneessen/go-mail/smtp"
)

// The mail transaction (RFC 5321 3.3) on a connection go-mail has opened:
// MAIL FROM, RCPT TO, then the message by DATA or, where the server offers
// CHUNKING, by one BDAT LAST (RFC 3030: no dot-stuffing, no wait for 354).
// Where the server offers PIPELINING (RFC 2920) the commands go in one
// write and their replies are read together: with BDAT the whole message is
// one write and one round trip; with DATA, two (the message waits for 354).
// Nothing else is said between messages: no NOOP, and RSET only after a
// refusal left a transaction open, in front of the next MAIL FROM.

// extensions are the EHLO keywords the transaction uses.
type extensions struct {
	pipelining bool // RFC 2920
	chunking   bool // RFC 3030 BDAT
	enhanced   bool // RFC 2034: replies carry RFC 3463 codes
	utf8       bool // RFC 6531 SMTPUTF8
	eightBit   bool // RFC 6152 8BITMIME
}

func extensionsOf(sc *smtp.Client) extensions {
	has := func(k string) bool { ok, _ := sc.Extension(k); return ok }
	return extensions{pipelining: has("PIPELINING"), chunking: has("CHUNKING"),
		enhanced: has("ENHANCEDSTATUSCODES"), utf8: has("SMTPUTF8"), eightBit: has("8BITMIME")}
}

// command is one command of a transaction in c.out: its stage, the reply
// class that means success, and where its bytes end.
type command struct {
	stage Stage
	want  int // 2: 2xx; 3: 354
	end   int
	reset bool // RSET
}

// send is one transaction for m. A nil error means the server accepted the
// message (m.Reply holds its reply); any other outcome is a *ReplyError.
func (c *smtpConn) send(m *Message) error {
	body, from, to, err := wireOf(m, &c.scratch)
	if err == nil && (!envelopeSafe(from) || !envelopeSafe(to)) {
		err = fmt.Errorf("address %q or %q cannot be sent", from, to)
	}
	if err == nil && (needsUTF8(from) || needsUTF8(to)) && !c.ext.utf8 {
		err = fmt.Errorf("address %q or %q needs SMTPUTF8, which the server does not offer", from, to)
	}
	if err != nil {
		return &ReplyError{Stage: StageMessage, Text: "not sent: " + oneLine(err.Error()), Err: err}
	}
	cmds := c.commands(body, from, to)
	first, opened, err := c.exchange(cmds)
	if err != nil {
		return err
	}
	if first != nil {
		// A transaction MAIL FROM opened is still open after a refusal at
		// RCPT, DATA or BDAT (RFC 5321 4.1.1.5; RFC 3030 2: BDAT too).
		if opened {
			c.reset = true
		}
		return first
	}
	if c.ext.chunking {
		m.Reply = c.lastReply
		return nil
	}
	// DATA said 354: the message, dot-stuffed, and the end-of-data line.
	c.out = append(body.AppendTo(c.out[:0], true), '.', '\r', '\n')
	if err := c.sc.UpdateDeadline(c.timeout); err != nil {
		return &ReplyError{Stage: StageData, Err: err}
	}
	if err := c.write(c.out); err != nil {
		return &ReplyError{Stage: StageData, Err: err}
	}
	code, text, err := c.readReply()
	if err != nil {
		return &ReplyError{Stage: StageData, Err: err}
	}
	if code/100 != 2 {
		return c.refusal(StageData, code, text)
	}
	m.Reply = replyLine(code, text)
	return nil
}

// commands writes the transaction's commands into c.out: RSET if one is
// due, MAIL FROM, RCPT TO, and BDAT with the message or DATA.
func (c *smtpConn) commands(body content, from, to string) []command {
	cmds := make([]command, 0, 4)
	out := c.out[:0]
	if c.reset {
		out = append(out, "RSET\r\n"...)
		cmds = append(cmds, command{stage: StageMail, want: 2, end: len(out), reset: true})
	}
	out = append(append(append(out, "MAIL FROM:<"...), from...), '>')
	if needsUTF8(from) || needsUTF8(to) {
		out = append(out, " SMTPUTF8"...)
	}
	if r, ok := body.(rawContent); ok && c.ext.eightBit && !sevenBit(r) {
		out = append(out, " BODY=8BITMIME"...)
	}
	out = append(out, "\r\n"...)
	cmds = append(cmds, command{stage: StageMail, want: 2, end: len(out)})
	out = append(append(append(out, "RCPT TO:<"...), to...), ">\r\n"...)
	cmds = append(cmds, command{stage: StageRcpt, want: 2, end: len(out)})
	if c.ext.chunking {
		out = strconv.AppendInt(append(out, "BDAT "...), int64(body.Len()), 10)
		out = body.AppendTo(append(out, " LAST\r\n"...), false)
		cmds = append(cmds, command{stage: StageData, want: 2, end: len(out)})
	} else {
		out = append(out, "DATA\r\n"...)
		cmds = append(cmds, command{stage: StageData, want: 3, end: len(out)})
	}
	c.out = out
	return cmds
}

// exchange sends cmds and reads their replies: all at once with PIPELINING,
// else one after the other, stopping at the first refusal. It returns the
// first refusal (nil if none), whether MAIL FROM was accepted, and an error
// when the connection failed before a refusal was read. The last reply read
// is kept in c.lastReply.
func (c *smtpConn) exchange(cmds []command) (first *ReplyError, opened bool, err error) {
	if err := c.sc.UpdateDeadline(c.timeout); err != nil {
		return nil, false, &ReplyError{Stage: cmds[0].stage, Err: err}
	}
	var werr error
	if c.ext.pipelining {
		// On a failed write, the replies that came are still read: a server
		// that said 421 and closed is better known by its reply.
		werr = c.write(c.out)
	}
	start := 0
	for i, cmd := range cmds {
		if !c.ext.pipelining {
			if werr = c.write(c.out[start:cmd.end]); werr != nil {
				return first, opened, &ReplyError{Stage: cmd.stage, Err: werr}
			}
			start = cmd.end
		}
		code, text, rerr := c.readReply()
		if rerr != nil {
			if first != nil {
				return first, opened, nil
			}
			if werr != nil && i == 0 {
				rerr = werr
			}
			return nil, opened, &ReplyError{Stage: cmd.stage, Err: rerr}
		}
		if i == len(cmds)-1 {
			c.lastReply = replyLine(code, text)
		}
		ok := code/100 == cmd.want
		switch {
		case ok && cmd.reset:
			c.reset = false
		case ok && cmd.stage == StageMail:
			opened = true
		}
		if code == 354 && first != nil {
			// DATA accepted after a refusal before it (pipelined): end the
			// empty message, and take no reply for success.
			if err := c.write([]byte(".\r\n")); err != nil {
				return first, opened, nil
			}
			c.readReply()
			continue
		}
		if !ok && first == nil {
			first = c.refusal(cmd.stage, code, text)
			if !c.ext.pipelining {
				return first, opened, nil
			}
		}
	}
	return first, opened, nil
}

// write puts b on the connection: one write for a whole transaction where
// it fits the socket's buffer.
func (c *smtpConn) write(b []byte) error {
	w := c.sc.Text.W
	if _, err := w.Write(b); err != nil {
		return err
	}
	return w.Flush()
}

// readReply reads one reply (RFC 5321 4.2): its code, and its text with
// the lines of a multiline reply joined by "\n", valid until the next read.
// A reply that is not well formed is an error: the conversation is lost.
func (c *smtpConn) readReply() (int, []byte, error) {
	r := c.sc.Text.R
	c.reply = c.reply[:0]
	code := 0
	for first := true; ; first = false {
		line, more, err := r.ReadLine()
		if err != nil {
			return 0, nil, err
		}
		if more { // longer than the read buffer
			c.long = append(c.long[:0], line...)
			for more && err == nil {
				line, more, err = r.ReadLine()
				c.long = append(c.long, line...)
			}
			if err != nil {
				return 0, nil, err
			}
			line = c.long
		}
		n, ok := replyCode(line)
		if !ok || !first && n != code {
			return 0, nil, fmt.Errorf("malformed reply %q", line)
		}
		code = n
		if !first {
			c.reply = append(c.reply, '\n')
		}
		if len(line) > 4 {
			c.reply = append(c.reply, line[4:]...)
		}
		if len(line) == 3 || line[3] == ' ' {
			return code, c.reply, nil
		}
	}
}

// replyCode is the code of a reply line ("250-", "250 text", "250"), and
// whether the line is one.
func replyCode(line []byte) (int, bool) {
	if len(line) < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '9' || line[2] < '0' || line[2] > '9' {
		return 0, false
	}
	if len(line) > 3 && line[3] != ' ' && line[3] != '-' {
		return 0, false
	}
	return int(line[0]-'0')*100 + int(line[1]-'0')*10 + int(line[2]-'0'), true
}

// replyLine is a reply as the ledger keeps it: "250 2.0.0 Ok: queued".
func replyLine(code int, text []byte) string {
	return strconv.Itoa(code) + " " + oneLine(string(text))
}

// refusal is a reply that did not accept a command, with its enhanced
// status code where the server says it sends them.
func (c *smtpConn) refusal(stage Stage, code int, text []byte) *ReplyError {
	line := replyLine(code, text)
	re := &ReplyError{Stage: stage, Code: code, Err: errors.New(line), Text: line + " (" + stage.String() + ")"}
	if c.ext.enhanced {
		re.Enhanced = enhancedCode(string(text))
	}
	return re
}

// enhancedCode is the RFC 3463 status code at the start of a reply's text
// ("5.1.1 no such user"), or "".
func enhancedCode(text string) string {
	code, _, _ := strings.Cut(text, " ")
	parts := strings.Split(code, ".")
	if len(parts) != 3 || len(parts[0]) != 1 || parts[0][0] < '2' || parts[0][0] > '5' {
		return ""
	}
	for _, p := range parts[1:] {
		if len(p) == 0 || len(p) > 3 {
			return ""
		}
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return ""
			}
		}
	}
	return code
}

// sevenBit reports whether b is plain ASCII.
func sevenBit(b []byte) bool {
	for _, x := range b {
		if x >= 0x80 {
			return false
		}
	}
	return true
}
