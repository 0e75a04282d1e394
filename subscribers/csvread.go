package subscribers

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Bounds of one CSV record of an import. A subscriber's row is a few hundred
// bytes; these keep a hostile or broken file (a 60 MB line, a quote that is
// never closed) from holding memory, and from hiding the rows after it.
const (
	MaxLineBytes   = 64 << 10 // one line; a longer one is reported and skipped
	maxRecordBytes = 64 << 10 // one record, over all its lines
	maxRecordLines = 100      // lines one record may span (a quoted field with line breaks)
)

// csvRecords reads an import's CSV (RFC 4180: fields separated by commas,
// quoted with '"' where they hold commas, quotes or line breaks, '""' for a
// quote) one record at a time, with the line each starts on. Unlike
// encoding/csv it never reads a line whole into memory (a line over
// MaxLineBytes is skipped unread), and after a syntax error, a quote never
// closed among them, it goes on at the line after the record's first: every
// line of the file is either a record or a problem, and no good row after a
// bad one is lost.
type csvRecords struct {
	br      *bufio.Reader
	line    int       // lines read from br
	pending []rawLine // lines read ahead for a record that failed, read again
	held    []rawLine // the current record's lines after its first (copies)
	fields  []string  // the current record (reused)
	field   []byte    // the current record's fields, one after the other
	ends    []int     // where each field ends in field
	err     error     // a read error (not io.EOF), returned once the lines before it are done
}

// rawLine is one line of the file without its line ending.
type rawLine struct {
	n    int    // line number, from 1
	text []byte // nil for a line too long to keep
	long bool
}

// recordError is a record that cannot be read, by its first line.
type recordError struct {
	line int
	msg  string
}

func (e *recordError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

func newCSVRecords(r io.Reader) *csvRecords {
	return &csvRecords{br: bufio.NewReaderSize(r, MaxLineBytes)}
}

// next reads one record: its fields (valid until the next call) and its
// first line. A record that cannot be read is a *recordError, after which
// next goes on with the following line; the end is io.EOF; any other error
// is the reader's. Empty lines are skipped, as encoding/csv does.
func (c *csvRecords) next() ([]string, int, error) {
	for {
		first, ok := c.readLine(false)
		if !ok {
			if c.err != nil {
				return nil, 0, c.err
			}
			return nil, 0, io.EOF
		}
		if first.long {
			return nil, first.n, &recordError{first.n, fmt.Sprintf("longer than %d bytes; skipped", MaxLineBytes)}
		}
		if len(first.text) == 0 {
			continue
		}
		rec, err := c.record(first)
		if err != nil {
			// Go on at the line after this record's first: the lines it
			// took are read again as records of their own.
			c.pending = append(c.held, c.pending...)
			c.held = nil
			return nil, first.n, &recordError{first.n, err.Error()}
		}
		c.held = c.held[:0]
		return rec, first.n, nil
	}
}

// record parses the record that starts with first, reading its further
// lines while a quoted field is open.
func (c *csvRecords) record(first rawLine) ([]string, error) {
	c.fields, c.field, c.ends = c.fields[:0], c.field[:0], c.ends[:0]
	p := recordParser{}
	size := len(first.text)
	line := first
	for {
		done, err := p.feed(c, line.text)
		if err != nil {
			return nil, err
		}
		if done {
			// One string for the whole record, its fields slices of it.
			all, from := string(c.field), 0
			for _, end := range c.ends {
				c.fields = append(c.fields, all[from:end])
				from = end
			}
			return c.fields, nil
		}
		if len(c.held)+1 >= maxRecordLines || size > maxRecordBytes {
			return nil, fmt.Errorf("CSV syntax: a quoted field is not closed within %d lines or %d bytes (is a closing \" missing?)",
				maxRecordLines, maxRecordBytes)
		}
		next, ok := c.readLine(true)
		if !ok {
			return nil, errors.New(`CSV syntax: a quoted field is not closed before the end of the file (is a closing " missing?)`)
		}
		c.held = append(c.held, next)
		if next.long {
			return nil, fmt.Errorf("CSV syntax: a quoted field runs into line %d, longer than %d bytes", next.n, MaxLineBytes)
		}
		c.field = append(c.field, '\n') // the line break inside the quoted field
		size += len(next.text)
		line = next
	}
}

// readLine returns the next line: one read ahead before, or from the file.
// keep copies it (it must outlive further reads); otherwise its text is
// valid until the next read. ok is false at the end or on a read error.
func (c *csvRecords) readLine(keep bool) (rawLine, bool) {
	if len(c.pending) > 0 {
		l := c.pending[0]
		c.pending = c.pending[1:]
		return l, true
	}
	if c.err != nil {
		return rawLine{}, false
	}
	b, err := c.br.ReadSlice('\n')
	long := false
	for errors.Is(err, bufio.ErrBufferFull) {
		long = true // skip the rest of the line unread
		_, err = c.br.ReadSlice('\n')
	}
	if len(b) == 0 && !long && err != nil {
		if !errors.Is(err, io.EOF) {
			c.err = fmt.Errorf("read: %w", err)
		}
		return rawLine{}, false
	}
	if err != nil && !errors.Is(err, io.EOF) {
		c.err = fmt.Errorf("read: %w", err)
	}
	c.line++
	if long {
		return rawLine{n: c.line, long: true}, true
	}
	b = bytes.TrimSuffix(bytes.TrimSuffix(b, []byte("\n")), []byte("\r"))
	if keep {
		b = bytes.Clone(b)
	}
	return rawLine{n: c.line, text: b}, true
}

// recordParser is the state of one record's parse across its lines.
type recordParser struct {
	quoted    bool // inside a quoted field
	afterQuot bool // just read a '"' inside a quoted field: it closes the field, or with another one is a quote
	started   bool // the current field has begun (a quote opens a field only at its start)
}

// feed parses one line of the record into c.fields. done is true when the
// record ended with the line (no quoted field is open).
func (p *recordParser) feed(c *csvRecords, line []byte) (done bool, err error) {
	if !p.quoted && !p.started && bytes.IndexByte(line, '"') < 0 {
		// The common case, a line without quotes: its commas end fields.
		for {
			i := bytes.IndexByte(line, ',')
			if i < 0 {
				break
			}
			c.field = append(c.field, line[:i]...)
			c.ends = append(c.ends, len(c.field))
			line = line[i+1:]
		}
		c.field = append(c.field, line...)
		p.endField(c)
		return true, nil
	}
	for i := 0; i < len(line); i++ {
		b := line[i]
		if !p.quoted && !p.afterQuot && b != ',' && b != '"' {
			// The common case: the rest of an unquoted field at once.
			j := i + bytes.IndexAny(line[i:], `,"`)
			if j < i {
				j = len(line)
			}
			p.started = true
			c.field = append(c.field, line[i:j]...)
			i = j - 1
			continue
		}
		switch {
		case p.afterQuot:
			p.afterQuot = false
			switch b {
			case '"':
				c.field = append(c.field, '"')
				continue
			case ',':
				p.quoted = false
				p.endField(c)
				continue
			}
			return false, errors.New(`CSV syntax: extraneous or missing " in quoted-field`)
		case p.quoted:
			if b == '"' {
				p.afterQuot = true
			} else {
				c.field = append(c.field, b)
			}
		case b == ',':
			p.endField(c)
		case b == '"':
			if p.started {
				return false, errors.New(`CSV syntax: bare " in non-quoted-field`)
			}
			p.quoted, p.started = true, true
		default:
			p.started = true
			c.field = append(c.field, b)
		}
	}
	if p.afterQuot {
		p.quoted, p.afterQuot = false, false
	}
	if p.quoted {
		return false, nil
	}
	p.endField(c)
	return true, nil
}

func (p *recordParser) endField(c *csvRecords) {
	c.ends = append(c.ends, len(c.field))
	p.started = false
}
