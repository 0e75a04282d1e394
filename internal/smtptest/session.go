package smtptest

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/emersion/go-smtp"
)

// session is one connection's SMTP transaction state.
type session struct {
	s    *Server
	conn *smtp.Conn
	raw  *faultConn
	id   int64
	from string
	utf8 bool
	to   []string
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	fc, _ := c.Conn().(*faultConn)
	return &session{s: s, conn: c, raw: fc, id: s.conns.Add(1)}, nil
}

// apply runs the injector for one command: nil to go on, or the error to reply.
func (ss *session) apply(stage Stage, rcpt string) error {
	ss.s.wait(ss.s.opts.Latency)
	inject := ss.s.injector()
	if inject == nil {
		return nil
	}
	f := inject(stage, ss.from, rcpt)
	if f == nil {
		return nil
	}
	if (f.Stall > 0 && !ss.s.wait(f.Stall)) || f.Drop || f.Code == 0 {
		ss.drop()
		return errDropped
	}
	if f.Code == 421 && ss.raw != nil {
		ss.raw.closeAfterWrite.Store(true) // RFC 5321 3.8: 421 closes the channel
	}
	text := f.Text
	if text == "" {
		text = fmt.Sprintf("injected %d at %s", f.Code, stage)
	}
	if ss.s.opts.NoEnhancedStatusCodes {
		return &smtp.SMTPError{Code: f.Code, EnhancedCode: smtp.NoEnhancedCode, Message: text}
	}
	ec := enhanced(f.Code)
	if c, rest, ok := enhancedPrefix(text); ok {
		ec, text = c, rest
	}
	return &smtp.SMTPError{Code: f.Code, EnhancedCode: ec, Message: text}
}

// enhancedPrefix takes an enhanced status code ("5.1.1 ") off the start of a
// reply text, so that Fault.Text may give its own.
func enhancedPrefix(text string) (smtp.EnhancedCode, string, bool) {
	var c smtp.EnhancedCode
	code, rest, ok := strings.Cut(text, " ")
	parts := strings.Split(code, ".")
	if !ok || len(parts) != 3 {
		return c, text, false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return c, text, false
		}
		c[i] = n
	}
	return c, rest, true
}

var errDropped = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 4, 2}, Message: "dropped"}

func enhanced(code int) smtp.EnhancedCode {
	switch {
	case code >= 500 && code < 600:
		return smtp.EnhancedCode{5, 1, 1}
	case code == 421:
		return smtp.EnhancedCode{4, 3, 2}
	default:
		return smtp.EnhancedCode{4, 2, 0}
	}
}

func (ss *session) Mail(from string, opts *smtp.MailOptions) error {
	ss.from, ss.to = from, nil
	ss.utf8 = opts != nil && opts.UTF8
	return ss.apply(StageMail, "")
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := ss.apply(StageRcpt, to); err != nil {
		return err
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return err
	}
	rcpt := ""
	if len(ss.to) > 0 {
		rcpt = ss.to[0]
	}
	if err := ss.apply(StageData, rcpt); err != nil {
		return err
	}
	m := Message{From: ss.from, To: ss.to, MessageID: messageID(buf.Bytes()), Received: ss.s.now(), Conn: ss.id, UTF8: ss.utf8}
	if !ss.s.opts.Discard {
		m.Data = buf.Bytes()
	}
	ss.s.bytes.Add(int64(buf.Len()))
	ss.s.store(m)
	return nil
}

// drop closes the network connection under the session; go-smtp notices on
// its next read and cleans up.
func (ss *session) drop() {
	if ss.raw != nil {
		ss.raw.Close()
		return
	}
	ss.conn.Conn().Close()
}

func (ss *session) Reset()        { ss.from, ss.to, ss.utf8 = "", nil, false }
func (ss *session) Logout() error { return nil }
