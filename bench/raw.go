package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// measureRaw is the raw-bytes limit: the ceiling's message, encoded once,
// written with its commands by the leanest client possible. Per message it
// makes one write, prepared once per connection, of MAIL FROM, RCPT TO and
// BDAT LAST with the message (where the server offers CHUNKING; else DATA,
// the dot-stuffed message and its end, all at once), and reads the replies
// with no more parsing than their codes. Nothing is done per message but
// the system calls.
func measureRaw(ctx context.Context, t *task) (*Measurement, error) {
	msgs, err := ceilingMessages(ctx, t, 1)
	if err != nil {
		return nil, err
	}
	var raw bytes.Buffer
	if _, err := msgs[0].WriteTo(&raw); err != nil {
		return nil, err
	}
	if !bytes.HasSuffix(raw.Bytes(), []byte("\r\n")) {
		raw.WriteString("\r\n")
	}
	from, _ := msgs[0].GetSender(false)
	return measureLoop(ctx, t, WhatRaw, func(int) (func() error, func(), error) {
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", t.SMTP)
		if err != nil {
			return nil, nil, err
		}
		c := &rawClient{conn: conn, r: bufio.NewReaderSize(conn, 4096)}
		if err := c.hello(); err != nil {
			conn.Close()
			return nil, nil, err
		}
		cmds := "MAIL FROM:" + from + "\r\nRCPT TO:<" + ceilingRcpt + ">\r\n"
		var out []byte
		if c.chunking {
			out = append([]byte(cmds+"BDAT "+strconv.Itoa(raw.Len())+" LAST\r\n"), raw.Bytes()...)
		} else {
			out = append([]byte(cmds+"DATA\r\n"), stuff(raw.Bytes())...)
			out = append(out, ".\r\n"...)
		}
		replies := 3
		if !c.chunking {
			replies = 4 // MAIL, RCPT, 354, and the end of the data
		}
		send := func() error {
			conn.SetDeadline(time.Now().Add(30 * time.Second))
			if _, err := conn.Write(out); err != nil {
				return err
			}
			for range replies {
				if err := c.reply(); err != nil {
					return err
				}
			}
			return nil
		}
		return send, func() { conn.Write([]byte("QUIT\r\n")); conn.Close() }, nil
	})
}

// rawClient reads SMTP replies off a connection.
type rawClient struct {
	conn     net.Conn
	r        *bufio.Reader
	chunking bool
}

func (c *rawClient) hello() error {
	c.conn.SetDeadline(time.Now().Add(30 * time.Second))
	if err := c.reply(); err != nil {
		return err
	}
	if _, err := c.conn.Write([]byte("EHLO bench.localhost\r\n")); err != nil {
		return err
	}
	for {
		line, err := c.r.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) < 4 || line[0] != '2' {
			return fmt.Errorf("EHLO: %q", line)
		}
		if strings.EqualFold(strings.TrimSpace(string(line[4:])), "CHUNKING") {
			c.chunking = true
		}
		if line[3] == ' ' {
			return nil
		}
	}
}

// reply reads one reply and fails unless it is 2xx or 354.
func (c *rawClient) reply() error {
	for {
		line, err := c.r.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) < 4 || (line[0] != '2' && !bytes.HasPrefix(line, []byte("354"))) {
			return errors.New("server said " + strings.TrimSpace(string(line)))
		}
		if line[3] == ' ' {
			return nil
		}
	}
}

// stuff dot-stuffs a message (RFC 5321 4.5.2).
func stuff(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/64)
	bol := true
	for _, c := range b {
		if bol && c == '.' {
			out = append(out, '.')
		}
		out = append(out, c)
		bol = c == '\n'
	}
	return out
}
