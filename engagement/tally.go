package engagement

import (
	"strings"
	"time"
)

// tally is the recorder's state, used by one goroutine: the events held
// back for the burst rule, the readers already counted, and the figures not
// yet written.
type tally struct {
	rules   Rules
	hold    time.Duration // an event is counted this long after it happened
	readers *readerSet

	held    []heldEvent // by arrival; held[head:] are waiting
	head    int
	seq     uint64              // sequence number of held[head]
	sources map[uint64][]uint64 // source -> sequence numbers of its held events
	scratch []Recent
	agents  map[string]agentMatch // answers of matchAgent by user agent

	counts     map[countKey]*Count
	reader     []ReaderEvent
	maxReaders int // ReaderEvents kept while the sink fails

	stats *recorderStats
}

// heldEvent is an Event reduced to what counting needs: the user agent and
// address are gone, hashed into who.
type heldEvent struct {
	kind       Kind
	pub, issue int64
	link       int
	recipient  int64
	at         time.Time
	who        uint64 // reader identity hash
	src        uint64 // (who, issue): the source for the burst rule
	verdict    Verdict
}

func newTally(rules Rules, window time.Duration, maxReaders, maxPending int, stats *recorderStats) *tally {
	rules = rules.withDefaults()
	return &tally{
		rules:      rules,
		hold:       rules.BurstWindow + time.Second,
		readers:    newReaderSet(window, maxReaders, &stats.readersForgotten),
		sources:    map[uint64][]uint64{},
		agents:     map[string]agentMatch{},
		counts:     map[countKey]*Count{},
		maxReaders: maxPending,
		stats:      stats,
	}
}

// add classifies e against the source's held events and holds it; a burst
// makes the source's held clicks within the window automatic too.
func (t *tally) add(e *Event) {
	who := t.readers.identity(e.Recipient, e.IP, e.UserAgent)
	src := mix64(who ^ mix64(uint64(e.IssueID)))
	seqs := t.sources[src]
	// The burst rule looks at the source's latest clicks only: a client
	// that clicks one link a thousand times a second must not make each
	// click cost a thousand.
	recent := seqs[max(0, len(seqs)-maxRecent):]
	t.scratch = t.scratch[:0]
	for _, s := range recent {
		h := &t.held[t.head+int(s-t.seq)]
		if h.kind == Click {
			t.scratch = append(t.scratch, Recent{At: h.at, Link: h.link})
		}
	}
	v := t.rules.classify(e, t.scratch, t.agent)
	if v.Reason == ReasonBurst {
		// Newest first, up to the clicks an earlier burst already marked.
		for k := len(seqs) - 1; k >= 0; k-- {
			h := &t.held[t.head+int(seqs[k]-t.seq)]
			if h.verdict.Reason == ReasonBurst || absDuration(e.At.Sub(h.at)) > t.rules.BurstWindow {
				break
			}
			if h.kind == Click && !h.verdict.Automatic {
				h.verdict = Verdict{Automatic: true, Reason: ReasonBurst}
			}
		}
	}
	t.sources[src] = append(seqs, t.seq+uint64(len(t.held)-t.head))
	t.held = append(t.held, heldEvent{kind: e.Kind, pub: e.PublicationID, issue: e.IssueID, link: e.Link,
		recipient: e.Recipient, at: e.At, who: who, src: src, verdict: v})
}

// maxRecent is how many of a source's latest clicks the burst rule sees.
const maxRecent = 16

type agentMatch struct {
	agent Agent
	ok    bool
}

// maxAgents bounds the memory of user agents' answers.
const maxAgents = 4096

// agent is matchAgent, remembered: a burst of clicks comes from a few
// hundred browsers' user agents, and matching one costs a pass per Agent.
func (t *tally) agent(ua string) (Agent, bool) {
	if m, ok := t.agents[ua]; ok {
		return m.agent, m.ok
	}
	a, ok := matchAgent(t.rules.Agents, ua)
	if len(t.agents) >= maxAgents {
		clear(t.agents)
	}
	t.agents[strings.Clone(ua)] = agentMatch{a, ok}
	return a, ok
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// advance counts the held events that happened before now - hold (all of
// them when now is the zero time).
func (t *tally) advance(now time.Time) {
	for t.head < len(t.held) {
		h := &t.held[t.head]
		if !now.IsZero() && now.Sub(h.at) < t.hold {
			break
		}
		t.count(h)
		if seqs := t.sources[h.src]; len(seqs) <= 1 {
			delete(t.sources, h.src)
		} else {
			t.sources[h.src] = seqs[1:] // FIFO: seqs[0] is this event's
		}
		*h = heldEvent{}
		t.head++
		t.seq++
	}
	// Reuse the slice once it is mostly counted.
	if t.head > 1024 && t.head*2 > len(t.held) {
		n := copy(t.held, t.held[t.head:])
		t.held = t.held[:n]
		t.head = 0
	}
}

// count adds one final event to the figures.
func (t *tally) count(h *heldEvent) {
	hour := h.at.UTC().Truncate(time.Hour)
	auto := h.verdict.Automatic
	k := countKey{h.pub, h.issue, h.kind, h.link, hour.Unix(), auto}
	c := t.counts[k]
	if c == nil {
		c = &Count{PublicationID: h.pub, IssueID: h.issue, Kind: h.kind, Link: h.link, Hour: hour, Automatic: auto}
		t.counts[k] = c
	}
	c.Events++
	if t.readers.first(readerKey{who: h.who, issue: h.issue, kind: h.kind, link: h.link, automatic: auto}, h.at) {
		c.Readers++
	}
	if t.readers.first(readerKey{who: h.who, issue: h.issue, kind: h.kind, link: -1, automatic: auto}, h.at) {
		c.IssueReaders++
	}
	if h.recipient != 0 {
		if len(t.reader) >= t.maxReaders {
			t.stats.readerEventsDropped.Add(1)
		} else {
			t.reader = append(t.reader, ReaderEvent{PublicationID: h.pub, IssueID: h.issue, Recipient: h.recipient,
				Kind: h.kind, Link: h.link, Hour: hour, Automatic: auto})
		}
	}
	t.stats.counted(h.verdict)
}

// pending is the number of rows not yet written.
func (t *tally) pending() int { return len(t.counts) + len(t.reader) }

// batch takes the figures to write; after a failed write, restore gives
// them back.
func (t *tally) batch() Batch {
	b := Batch{Counts: make([]Count, 0, len(t.counts)), Readers: t.reader}
	for _, c := range t.counts {
		b.Counts = append(b.Counts, *c)
	}
	clear(t.counts)
	t.reader = nil
	return b
}

// restore adds an unwritten batch back, merging it with what came since.
func (t *tally) restore(b Batch) {
	for i := range b.Counts {
		c := &b.Counts[i]
		if cur := t.counts[c.key()]; cur != nil {
			cur.Events += c.Events
			cur.Readers += c.Readers
			cur.IssueReaders += c.IssueReaders
		} else {
			cp := *c
			t.counts[c.key()] = &cp
		}
	}
	keep := min(len(b.Readers), max(t.maxReaders-len(t.reader), 0))
	t.stats.readerEventsDropped.Add(uint64(len(b.Readers) - keep))
	t.reader = append(b.Readers[:keep:keep], t.reader...)
}
