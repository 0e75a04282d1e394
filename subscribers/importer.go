package subscribers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"unicode/utf8"

	"masthead/newsletter"
)

// ImportOutcome is what the store did with one good row of an import.
type ImportOutcome uint8

const (
	OutcomeNone             ImportOutcome = iota // not written yet
	OutcomeAdded                                 // a new subscriber
	OutcomeUpdated                               // an existing subscriber changed (name, subscription)
	OutcomeUnchanged                             // already present as the row says
	OutcomeSuppressed                            // the address is suppressed; nothing written
	OutcomeKeptUnsubscribed                      // the person unsubscribed before; an import does not bring them back
	OutcomeDuplicate                             // the address came earlier in the same file (FirstLine)
	OutcomeErased                                // the address was erased (its keyed hash is suppressed); nothing written
)

// ImportRow is one valid row of a CSV import on its way to the store.
type ImportRow struct {
	Line   int    // line of the file where the row starts (1 is the header)
	Email  string // normalised
	Name   string // normalised; empty keeps an existing subscriber's name
	Status Status // Active, Pending, Unsubscribed, Bounced or Complained
	// TimeZone is an IANA name (newsletter.ParseTimeZone); empty keeps an
	// existing subscriber's zone.
	TimeZone string

	// Set by the ImportSink.
	Outcome   ImportOutcome
	FirstLine int // for OutcomeDuplicate: the line the address first appeared on
}

// ImportSink writes batches of rows; it sets each row's Outcome. Rows of one
// batch are written in one transaction. The store implements it (store.BeginImport);
// it detects addresses repeated within one import across batches.
type ImportSink interface {
	WriteBatch(ctx context.Context, rows []ImportRow) error
}

// Problem is a row an import could not take, by line.
type Problem struct {
	Line   int
	Email  string // as given, when the row had one; may be invalid
	Reason string
}

func (p Problem) String() string {
	if p.Email != "" {
		return fmt.Sprintf("line %d: %s: %s", p.Line, p.Email, p.Reason)
	}
	return fmt.Sprintf("line %d: %s", p.Line, p.Reason)
}

// ImportReport is what an import did.
type ImportReport struct {
	Rows             int // data rows read (the header not counted)
	Added            int
	Updated          int
	Unchanged        int
	Suppressed       int // suppressed addresses skipped (also listed in Problems)
	KeptUnsubscribed int // people who had unsubscribed, left so
	Bad              int // rows refused: bad address, duplicate, wrong columns, ... (listed in Problems)
	// Problems lists the refused rows (bad and suppressed) in line order, the
	// first MaxProblems; Importer.OnProblem sees every one, in the same order,
	// as each batch is written.
	Problems []Problem
	// Ignored names the header's columns that are not read (a "tz" column, an
	// export's created_at and publication columns), as the file spells them.
	Ignored []string
}

// KnownColumns are the columns an import reads, for messages.
const KnownColumns = "email, name, status, timezone"

// MaxProblems bounds ImportReport.Problems so a file of garbage cannot fill memory.
const MaxProblems = 1000

// DefaultBatchSize is how many rows go to the store per transaction. Large,
// because a list's addresses come in no order: each transaction's addresses
// (sorted by the store, but spread over the whole alphabet) rewrite most
// pages of the email index, so on SQLite 25,000 rows per
// transaction write about a third of what 5,000 do (measured: a 1,000,000-row
// import took half the time). A transaction then holds the write lock for
// about a second; other writers wait (the busy timeout is 15 s).
const DefaultBatchSize = 25000

// Importer reads a subscriber CSV: a header row naming the columns email, name
// and optionally status and timezone, in any order and case (other columns
// are ignored), then one subscriber per row. It streams: memory does not grow with the file.
type Importer struct {
	// Status is given to rows with no status column or an empty cell: Active
	// (the editor vouches for consent) or Pending (each must confirm).
	Status Status
	// BatchSize is the number of rows per transaction (DefaultBatchSize if 0).
	BatchSize int
	// OnProblem, if set, is called for each refused row, in line order, once
	// the batch it belongs to is written.
	OnProblem func(Problem)
	Log       *slog.Logger
}

// columns says where each known column is in a row.
type columns struct {
	n                             int
	email, name, status, timezone int // -1 when absent
	ignored                       []string
}

// Import reads CSV from r and writes its good rows to sink. Bad rows are
// reported and skipped; an error is returned only when the import cannot go
// on (no email column, a read error, the database failing).
func (im *Importer) Import(ctx context.Context, r io.Reader, sink ImportSink) (*ImportReport, error) {
	log := im.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	def := im.Status
	if def == "" {
		def = Active
	}
	if def != Active && def != Pending {
		return nil, fmt.Errorf("import status must be active or pending, not %q", def)
	}
	size := im.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	cr := newCSVRecords(r)
	header, _, err := cr.next()
	var re *recordError
	switch {
	case err == io.EOF:
		return nil, errors.New("the file is empty: want a header row naming the columns email, name, status")
	case errors.As(err, &re):
		return nil, fmt.Errorf("header row: %s", re.msg)
	case err != nil:
		return nil, fmt.Errorf("header row: %w", err)
	}
	cols, err := parseHeader(header)
	if err != nil {
		return nil, err
	}

	// One goroutine reads and checks rows while this one writes the previous
	// batch: parsing and the database each get a core. Three chunks circulate,
	// which bounds memory whatever the file's size.
	free := make(chan *chunk, 3)
	for range cap(free) {
		free <- &chunk{rows: make([]ImportRow, 0, size)}
	}
	full := make(chan *chunk, cap(free))
	done := make(chan struct{})
	go readChunks(cr, cols, def, size, free, full, done)
	defer func() {
		close(done)
		for range full { // wait for the reader to stop using r
		}
	}()

	rep := &ImportReport{Ignored: cols.ignored}
	problem := func(p Problem) {
		if p.Reason == reasonSuppressed || p.Reason == reasonErased {
			rep.Suppressed++
		} else {
			rep.Bad++
		}
		if len(rep.Problems) < MaxProblems {
			rep.Problems = append(rep.Problems, p)
		}
		if im.OnProblem != nil {
			im.OnProblem(p)
		}
	}
	for c := range full {
		rep.Rows += c.read
		if c.err != nil {
			for _, p := range c.problems {
				problem(p)
			}
			return rep, c.err
		}
		if len(c.rows) > 0 {
			if err := sink.WriteBatch(ctx, c.rows); err != nil {
				for _, p := range c.problems {
					problem(p)
				}
				return rep, fmt.Errorf("write rows %d-%d: %w", c.rows[0].Line, c.rows[len(c.rows)-1].Line, err)
			}
		}
		// The rows the reader refused and those the store refused, in the
		// file's order: both lists are in line order already.
		next := 0
		for _, row := range c.rows {
			for ; next < len(c.problems) && c.problems[next].Line < row.Line; next++ {
				problem(c.problems[next])
			}
			rep.count(row, problem)
		}
		for _, p := range c.problems[next:] {
			problem(p)
		}
		if len(c.rows) > 0 {
			log.Debug("import progress", "rows", rep.Rows, "added", rep.Added)
		}
		free <- c
	}
	return rep, nil
}

// chunk is a batch of rows read and checked, with the problems found among them.
type chunk struct {
	rows     []ImportRow
	problems []Problem
	read     int   // data rows read, good or bad
	err      error // a read error that ends the import
}

// readChunks reads records into chunks of up to size good rows (or size
// problems), taking empty chunks from free and sending full ones on full,
// which it closes at the end. It stops early when done is closed.
func readChunks(cr *csvRecords, cols columns, def Status, size int, free <-chan *chunk, full chan<- *chunk, done <-chan struct{}) {
	defer close(full)
	var c *chunk
	take := func() bool {
		select {
		case c = <-free:
			c.rows, c.problems, c.read, c.err = c.rows[:0], c.problems[:0], 0, nil
			return true
		case <-done:
			return false
		}
	}
	send := func() bool {
		select {
		case full <- c:
			return take()
		case <-done:
			return false
		}
	}
	if !take() {
		return
	}
	for {
		rec, line, err := cr.next()
		if err == io.EOF {
			break
		}
		var re *recordError
		switch {
		case errors.As(err, &re):
			c.read++
			c.problems = append(c.problems, Problem{Line: re.line, Reason: re.msg})
		case err != nil:
			c.err = err
			send()
			return
		default:
			c.read++
			if row, p := cols.row(rec, line, def); p != nil {
				c.problems = append(c.problems, *p)
			} else {
				c.rows = append(c.rows, row)
			}
		}
		if (len(c.rows) == size || len(c.problems) == size) && !send() {
			return
		}
	}
	if c.read > 0 {
		send()
	}
}

var (
	reasonSuppressed = ErrSuppressed.Error()
	reasonErased     = ErrErased.Error()
)

func (rep *ImportReport) count(row ImportRow, problem func(Problem)) {
	switch row.Outcome {
	case OutcomeAdded:
		rep.Added++
	case OutcomeUpdated:
		rep.Updated++
	case OutcomeUnchanged:
		rep.Unchanged++
	case OutcomeKeptUnsubscribed:
		rep.KeptUnsubscribed++
	case OutcomeSuppressed:
		problem(Problem{Line: row.Line, Email: row.Email, Reason: reasonSuppressed})
	case OutcomeErased:
		problem(Problem{Line: row.Line, Email: row.Email, Reason: reasonErased})
	case OutcomeDuplicate:
		problem(Problem{Line: row.Line, Email: row.Email, Reason: fmt.Sprintf("duplicate: the same address is on line %d", row.FirstLine)})
	default:
		problem(Problem{Line: row.Line, Email: row.Email, Reason: "not written (internal error)"})
	}
}

// parseHeader finds the known columns.
func parseHeader(h []string) (columns, error) {
	c := columns{n: len(h), email: -1, name: -1, status: -1, timezone: -1}
	for i, name := range h {
		if i == 0 {
			name = strings.TrimPrefix(name, "\uFEFF") // a byte-order mark from a spreadsheet
		}
		var dst *int
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "email", "e-mail", "email address", "email_address", "mail":
			dst = &c.email
		case "name", "full name", "full_name":
			dst = &c.name
		case "status":
			dst = &c.status
		case "timezone", "time zone", "time_zone":
			dst = &c.timezone
		default:
			if n := strings.TrimSpace(name); n != "" {
				c.ignored = append(c.ignored, n)
			}
			continue
		}
		if *dst >= 0 {
			return c, fmt.Errorf("header row: column %q appears twice", name)
		}
		*dst = i
	}
	if c.email < 0 {
		return c, fmt.Errorf("header row has no email column (found: %s); the first row must name the columns, e.g. email,name,status",
			strings.Join(h, ", "))
	}
	return c, nil
}

// row checks one record; it returns the row or the problem with it.
func (c columns) row(rec []string, line int, def Status) (ImportRow, *Problem) {
	var email string
	if c.email < len(rec) {
		email = rec[c.email]
	}
	bad := func(format string, args ...any) (ImportRow, *Problem) {
		if !utf8.ValidString(email) || strings.ContainsAny(email, "\r\n") || len(email) > 2*MaxEmailLen {
			email = "" // never echo it: it may be binary or an injection attempt
		}
		return ImportRow{}, &Problem{Line: line, Email: email, Reason: fmt.Sprintf(format, args...)}
	}
	if len(rec) != c.n {
		fields := "fields"
		if len(rec) == 1 {
			fields = "field"
		}
		return bad("wrong column count: %d %s, the header has %d", len(rec), fields, c.n)
	}
	for _, i := range []int{c.email, c.name, c.status, c.timezone} {
		if i < 0 {
			continue
		}
		if !utf8.ValidString(rec[i]) {
			return bad("not valid UTF-8 (save the file as UTF-8)")
		}
		if strings.ContainsAny(rec[i], "\r\n") {
			return bad("line break inside a field (header injection attempt?)")
		}
		if strings.IndexByte(rec[i], 0) >= 0 {
			return bad("NUL byte inside a field")
		}
	}
	norm, err := Normalize(undefuseCell(email))
	if err != nil {
		return bad("bad address: %v", err)
	}
	row := ImportRow{Line: line, Email: norm, Status: def}
	if c.name >= 0 {
		if row.Name, err = NormalizeName(undefuseCell(rec[c.name])); err != nil {
			return bad("%v", err)
		}
	}
	if c.status >= 0 && strings.TrimSpace(rec[c.status]) != "" {
		if row.Status, err = ParseStatus(rec[c.status]); err != nil {
			return bad("%v", err)
		}
	}
	if c.timezone >= 0 {
		if row.TimeZone, err = newsletter.ParseTimeZone(rec[c.timezone]); err != nil {
			return bad("timezone: %v", err)
		}
	}
	return row, nil
}
