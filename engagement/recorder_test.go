package engagement

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"
)

// runRecorder starts rec and returns a function that stops it and returns
// Run's error.
func runRecorder(t testing.TB, rec *Recorder) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- rec.Run(ctx) }()
	return func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			t.Fatal("Run did not return")
			return nil
		}
	}
}

// Clicks through the redirect end up as figures in the database: a reader
// who clicks twice is one reader, a scanner within a second of sending is
// automatic, and nothing is left in memory when the recorder stops.
func TestRecorderWrites(t *testing.T) {
	f := newIssueFixture(t, true, false, nil)
	rec := NewRecorder(f.store, RecorderOptions{FlushEvery: 20 * time.Millisecond})
	f.rd = NewRedirector(f.rw.signer, f.store, rec)
	stop := runRecorder(t, rec)
	s := f.rw.signer
	ctx := context.Background()
	reader := Request{Method: "GET", UserAgent: uaFirefox, IP: netip.MustParseAddr("192.0.2.1")}
	part := s.RecipientPart(42, 1001, time.Now().Add(-time.Hour))
	for range 2 {
		reader.At = time.Now()
		if _, err := f.rd.Click(ctx, s.LinkToken(42, 1)+"."+part, reader); err != nil {
			t.Fatal(err)
		}
	}
	scanner := Request{Method: "GET", UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0", IP: netip.MustParseAddr("40.94.1.2"), At: time.Now()}
	if _, err := f.rd.Click(ctx, s.LinkToken(42, 1)+"."+s.RecipientPart(42, 1002, time.Now().Add(-time.Second)), scanner); err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if got := f.store.figures(t, 42)[1]; got != (linkFigures{clicks: 2, readers: 1, automatic: 1}) {
		t.Errorf("link 1: %+v; want 2 clicks by 1 reader and 1 automatic", got)
	}
	st := rec.Stats()
	if st.Queued != 3 || st.Human != 2 || st.Automatic != 1 || st.ByReason[ReasonEarly] != 1 || st.Dropped != 0 {
		t.Errorf("stats %+v", st)
	}
	if rec.Record(Event{}) {
		t.Error("a stopped recorder took an event")
	}
}

// A sink that fails loses nothing: the figures wait for the next write.
func TestRecorderSinkFails(t *testing.T) {
	f := newIssueFixture(t, false, false, nil)
	fails := 2
	sink := SinkFunc(func(ctx context.Context, b Batch) error {
		if fails > 0 {
			fails--
			return errors.New("database is locked")
		}
		return f.store.Write(ctx, b)
	})
	rec := NewRecorder(sink, RecorderOptions{FlushRows: 1, FlushEvery: 10 * time.Millisecond})
	stop := runRecorder(t, rec)
	for i := range 50 {
		e := from(click(1+i%3, 0, uaFirefox), fmt.Sprintf("192.0.2.%d", 1+i%10), uaFirefox)
		// An hour ago, so past its hold; a reader's clicks 20 s apart.
		e.At = time.Now().Add(-time.Hour + time.Duration(i)*2*time.Second)
		rec.Record(e)
	}
	for deadline := time.Now().Add(30 * time.Second); rec.Stats().FlushErrors < 2; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the sink was not tried twice: %+v", rec.Stats())
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	var clicks, readers int64
	for _, l := range f.store.figures(t, 42) {
		clicks += l.clicks
		readers += l.readers
	}
	if clicks != 50 || readers != 30 {
		t.Errorf("%d clicks by %d link readers written, want 50 by 30", clicks, readers)
	}
	if st := rec.Stats(); st.FlushErrors != 2 {
		t.Errorf("stats %+v", st)
	}
}

// With per-subscriber figures off, however the links were made, the
// database holds no row that links a subscriber, an address or a user
// agent to a click; with them on, per-subscriber rows exist, and deleting
// them (the retention period's end) leaves every figure as it was.
func TestPrivacy(t *testing.T) {
	const (
		subscriber = 987654321
		ip         = "203.0.113.77"
		ua         = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 PrivacyProbe/1"
	)
	for _, on := range []bool{false, true} {
		t.Run(fmt.Sprintf("per-subscriber %v", on), func(t *testing.T) {
			f := newIssueFixture(t, true, on, nil)
			rec := NewRecorder(f.store, RecorderOptions{})
			f.rd = NewRedirector(f.rw.signer, f.store, rec)
			stop := runRecorder(t, rec)
			tok := f.rw.signer.LinkToken(42, 1) + "." + f.rw.signer.RecipientPart(42, subscriber, time.Now().Add(-time.Hour))
			if _, err := f.rd.Click(context.Background(), tok, Request{Method: "GET", UserAgent: ua, IP: netip.MustParseAddr(ip)}); err != nil {
				t.Fatal(err)
			}
			if err := stop(); err != nil {
				t.Fatal(err)
			}
			before := f.store.figures(t, 42)
			if before[1].clicks != 1 {
				t.Fatalf("figures %+v", before)
			}
			found := dumpContains(t, f.store, fmt.Sprint(subscriber), ip, "PrivacyProbe")
			if !on && len(found) > 0 {
				t.Errorf("with per-subscriber figures off the database holds %v", found)
			}
			if on && (len(found) != 1 || !strings.HasPrefix(found[0], "reader_events")) {
				t.Errorf("with them on: %v; want the subscriber in reader_events only", found)
			}
			if _, err := f.store.db.Exec(`DELETE FROM reader_events`); err != nil {
				t.Fatal(err)
			}
			if after := f.store.figures(t, 42); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Errorf("figures changed when the per-subscriber rows went: %v, %v", before, after)
			}
		})
	}
}

// dumpContains lists "table.column" of every value in the database that
// has one of needles in it, and fails if the database files have one
// anywhere (a deleted row's bytes, the WAL).
func dumpContains(t *testing.T, s *sqlStore, needles ...string) []string {
	t.Helper()
	var found []string
	tables, err := s.db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		if err := tables.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	tables.Close()
	for _, n := range names {
		rows, err := s.db.Query(`SELECT * FROM ` + n)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				for _, needle := range needles {
					if strings.Contains(fmt.Sprint(v), needle) {
						found = append(found, n+"."+cols[i])
					}
				}
			}
		}
		rows.Close()
	}
	var file string
	if err := s.db.QueryRow(`SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&file); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{file, file + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, needle := range needles[1:] { // text needles; the subscriber is an integer column
			if strings.Contains(string(b), needle) {
				t.Errorf("%s holds %q", p, needle)
			}
		}
	}
	return found
}
