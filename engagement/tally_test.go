package engagement

import (
	"net/netip"
	"sort"
	"testing"
	"time"
)

func newTestTally() *tally {
	return newTally(Rules{}, 24*time.Hour, 1<<20, 1000, &recorderStats{})
}

// from sets a click's address and user agent: a reader.
func from(e Event, ip, ua string) Event {
	e.IP, e.UserAgent = netip.MustParseAddr(ip), ua
	return e
}

// sortedCounts are the tally's rows in a stable order.
func sortedCounts(b Batch) []Count {
	c := b.Counts
	sort.Slice(c, func(i, j int) bool {
		if c[i].Link != c[j].Link {
			return c[i].Link < c[j].Link
		}
		if !c[i].Hour.Equal(c[j].Hour) {
			return c[i].Hour.Before(c[j].Hour)
		}
		return !c[i].Automatic && c[j].Automatic
	})
	return c
}

// A reader who clicks twice is one reader; two readers on one link are two;
// each click falls in the hour it happened; nothing is counted while held.
func TestTallyReaders(t *testing.T) {
	tl := newTestTally()
	for _, e := range []Event{
		from(click(1, 10*time.Minute, uaFirefox), "192.0.2.1", uaFirefox),
		from(click(1, 70*time.Minute, uaFirefox), "192.0.2.1", uaFirefox),
		from(click(2, 75*time.Minute, uaFirefox), "192.0.2.1", uaFirefox),
		from(click(1, 80*time.Minute, uaIPhone), "198.51.100.9", uaIPhone),
	} {
		tl.add(&e)
	}
	tl.advance(at(80*time.Minute + time.Second)) // the last is still held
	var events int64
	for _, c := range tl.counts {
		events += c.Events
	}
	if events != 3 {
		t.Fatalf("%d clicks counted before the last click's hold ended, want 3", events)
	}
	tl.advance(at(2 * time.Hour))
	got := sortedCounts(tl.batch())
	want := []Count{
		{PublicationID: 1, IssueID: 42, Kind: Click, Link: 1, Hour: at(0), Events: 1, Readers: 1, IssueReaders: 1},
		{PublicationID: 1, IssueID: 42, Kind: Click, Link: 1, Hour: at(time.Hour), Events: 2, Readers: 1, IssueReaders: 1},
		{PublicationID: 1, IssueID: 42, Kind: Click, Link: 2, Hour: at(time.Hour), Events: 1, Readers: 1, IssueReaders: 0},
	}
	if len(got) != len(want) {
		t.Fatalf("rows %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: %+v\nwant    %+v", i, got[i], want[i])
		}
	}
	if tl.pending() != 0 || len(tl.held)-tl.head != 0 || len(tl.sources) != 0 {
		t.Errorf("left behind: %d rows, %d held, %d sources", tl.pending(), len(tl.held)-tl.head, len(tl.sources))
	}
}

// A scanner that follows every link within half a second from one address
// is automatic on every link, the first two included (they were held); a
// reader clicking at the same moment from elsewhere is not.
func TestTallyBurst(t *testing.T) {
	tl := newTestTally()
	ua := "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
	for i := 1; i <= 5; i++ {
		e := from(click(i, time.Hour+time.Duration(i)*100*time.Millisecond, ua), "40.94.1.2", ua)
		tl.add(&e)
		r := from(click(1, time.Hour+time.Duration(i)*100*time.Millisecond, uaFirefox), "192.0.2.1", uaFirefox)
		if i == 1 {
			tl.add(&r)
		}
	}
	tl.advance(time.Time{})
	var human, auto int64
	for _, c := range tl.batch().Counts {
		if c.Automatic {
			auto += c.Events
		} else {
			human += c.Events
			if c.Link != 1 || c.Readers != 1 {
				t.Errorf("human row %+v", c)
			}
		}
	}
	if human != 1 || auto != 5 {
		t.Errorf("%d human, %d automatic; want 1, 5", human, auto)
	}
	if n := tl.stats.byReason[ReasonBurst].Load(); n != 5 {
		t.Errorf("%d counted as a burst, want 5", n)
	}
}

// Per-subscriber rows come only from events that name a recipient; the
// recipient is the reader's identity for unique counts.
func TestTallyReaderEvents(t *testing.T) {
	tl := newTestTally()
	a := click(1, time.Hour, uaFirefox)
	a.Recipient = 1001
	b := from(a, "198.51.100.1", uaIPhone) // the same subscriber on another device
	b.At = at(2 * time.Hour)
	anon := click(2, time.Hour, uaFirefox)
	for _, e := range []Event{a, b, anon} {
		tl.add(&e)
	}
	tl.advance(time.Time{})
	batch := tl.batch()
	if len(batch.Readers) != 2 {
		t.Fatalf("reader events %+v, want the two of subscriber 1001", batch.Readers)
	}
	for _, r := range batch.Readers {
		if r.Recipient != 1001 || r.Link != 1 || r.Hour.Minute() != 0 {
			t.Errorf("reader event %+v", r)
		}
	}
	var readers int64
	for _, c := range batch.Counts {
		if c.Link == 1 {
			readers += c.Readers
		}
	}
	if readers != 1 {
		t.Errorf("subscriber 1001 on two devices counted as %d readers", readers)
	}
}

// A failed write's figures merge back with what came since.
func TestTallyRestore(t *testing.T) {
	tl := newTestTally()
	e := click(1, time.Hour, uaFirefox)
	e.Recipient = 5
	tl.add(&e)
	tl.advance(time.Time{})
	failed := tl.batch()
	e2 := from(click(1, time.Hour+time.Minute, uaIPhone), "198.51.100.2", uaIPhone)
	tl.add(&e2)
	tl.advance(time.Time{})
	tl.restore(failed)
	b := tl.batch()
	if len(b.Counts) != 1 || b.Counts[0].Events != 2 || b.Counts[0].Readers != 2 || len(b.Readers) != 1 {
		t.Errorf("after restore: %+v", b)
	}
}

// Readers are remembered for at least the window and at most twice it;
// a full memory is dropped early and says so.
func TestReaderSet(t *testing.T) {
	var forgotten recorderStats
	s := newReaderSet(time.Hour, 3, &forgotten.readersForgotten)
	k := func(who uint64) readerKey { return readerKey{who: who, issue: 1, kind: Click, link: 1} }
	if !s.first(k(1), at(0)) || s.first(k(1), at(59*time.Minute)) {
		t.Fatal("not remembered within the window")
	}
	if s.first(k(1), at(90*time.Minute)) {
		t.Fatal("forgotten before twice the window")
	}
	if !s.first(k(1), at(121*time.Minute)) {
		t.Fatal("remembered after twice the window")
	}
	for i := uint64(2); i <= 8; i++ {
		s.first(k(i), at(122*time.Minute))
	}
	if forgotten.readersForgotten.Load() == 0 {
		t.Error("a full memory was not reported")
	}
	if len(s.cur) > 3 || len(s.old) > 3 {
		t.Errorf("memory over its bound: %d + %d", len(s.cur), len(s.old))
	}
}

// One client clicking one link over and over is not a burst, and does not
// make the recorder slow: the rule sees the latest clicks only.
func TestTallyFlood(t *testing.T) {
	tl := newTestTally()
	for i := range 20000 {
		e := from(click(1, time.Hour+time.Duration(i)*time.Microsecond, uaFirefox), "192.0.2.1", uaFirefox)
		tl.add(&e)
	}
	e := from(click(2, time.Hour+30*time.Millisecond, uaFirefox), "192.0.2.1", uaFirefox)
	tl.add(&e)
	e = from(click(3, time.Hour+40*time.Millisecond, uaFirefox), "192.0.2.1", uaFirefox)
	tl.add(&e)
	tl.advance(time.Time{})
	var human, auto int64
	for _, c := range tl.batch().Counts {
		if c.Automatic {
			auto += c.Events
		} else {
			human += c.Events
		}
	}
	// The third distinct link makes a burst of the clicks within the second
	// before it: all of them.
	if human != 0 || auto != 20002 {
		t.Errorf("%d human, %d automatic", human, auto)
	}
}
