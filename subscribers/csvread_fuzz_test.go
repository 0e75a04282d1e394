package subscribers

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"testing"
)

// csvSeeds are the seed corpus of the CSV fuzz targets: good files, quoted
// fields with commas, quotes and line breaks, and every kind of bad line.
var csvSeeds = []string{
	"email,name\nr1@example.org,One\n",
	"email,name\r\na@example.org,\"Lane, Lois\"\r\n\"b@example.org\",\"Jimmy \"\"Scoop\"\" Olsen\"\r\n",
	"email,name\nr2@example.org,Two\n\"unterminated@example.org,Three\nr4@example.org,Four\n",
	"email,name\n\"r@example.org\"x,Name\nr5@example.org,Five\n",
	"email,name\nbad\"quote@example.org,x\n\n\nr6@example.org,\"multi\nline\"\n",
	"email,name,status\nr7@example.org,,pending\nr8@example.org\n,,\n",
	"\ufeffEmail,Name\nr9@example.org,Nine",
	"",
	"\"",
	",\n\"\"\"\n",
}

// FuzzCSVRecords: the import's reader agrees with encoding/csv on every file
// both can read (no line over the limits), and on any input it ends, never
// panics, and gives each record a line after the last one's.
//
//	go test -run '^$' -fuzz FuzzCSVRecords ./subscribers/
func FuzzCSVRecords(f *testing.F) {
	for _, s := range csvSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var mine [][]string
		clean := true // every record read, none refused
		last := 0
		r := newCSVRecords(strings.NewReader(in))
		for range strings.Count(in, "\n") + 2 {
			rec, line, err := r.next()
			if err == io.EOF {
				break
			}
			if line <= last || line > strings.Count(in, "\n")+1 {
				t.Fatalf("record at line %d after line %d (%d lines)", line, last, strings.Count(in, "\n")+1)
			}
			last = line
			var re *recordError
			if errors.As(err, &re) {
				clean = false
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			mine = append(mine, append([]string(nil), rec...))
		}
		if _, _, err := r.next(); err != io.EOF {
			t.Fatalf("more records than lines (%v)", err)
		}
		if strings.ContainsRune(in, '\r') {
			return // encoding/csv's handling of a lone CR is its own
		}
		cr := csv.NewReader(strings.NewReader(in))
		cr.FieldsPerRecord = -1
		std, err := cr.ReadAll()
		if err != nil || !clean {
			return
		}
		if len(std) != len(mine) {
			t.Fatalf("%d records, encoding/csv %d: %q vs %q", len(mine), len(std), mine, std)
		}
		for i := range std {
			if strings.Join(std[i], "\x00") != strings.Join(mine[i], "\x00") {
				t.Fatalf("record %d: %q, encoding/csv %q", i, mine[i], std[i])
			}
		}
	})
}

// countingSink takes every row as added.
type countingSink struct{ rows []ImportRow }

func (s *countingSink) WriteBatch(_ context.Context, rows []ImportRow) error {
	for i := range rows {
		rows[i].Outcome = OutcomeAdded
	}
	s.rows = append(s.rows, rows...)
	return nil
}

// FuzzImport: whatever the file, an import that starts (a header naming an
// email column) accounts for every row it read: added or reported, by lines
// in order.
//
//	go test -run '^$' -fuzz FuzzImport ./subscribers/
func FuzzImport(f *testing.F) {
	for _, s := range csvSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		sink := &countingSink{}
		rep, err := (&Importer{BatchSize: 3}).Import(context.Background(), bytes.NewReader(in), sink)
		if err != nil {
			return // no header, or no email column: nothing read
		}
		if rep.Added != len(sink.rows) || rep.Added+rep.Bad != rep.Rows {
			t.Fatalf("%d rows read: %d added (%d written), %d bad", rep.Rows, rep.Added, len(sink.rows), rep.Bad)
		}
		prev := 1
		for _, p := range rep.Problems {
			if p.Line <= prev && p.Line != 0 {
				t.Fatalf("problems out of line order: %v", rep.Problems)
			}
			prev = p.Line
		}
	})
}
