package engagement

import (
	"hash/maphash"
	"net/netip"
	"sync/atomic"
	"time"
)

// readerSet remembers which readers were already counted, as 64-bit keyed
// hashes in memory only, for between window and twice window: two
// generations, the older dropped when the newer is window old (or holds
// max entries). The key is a maphash seed made at random when the recorder
// starts and never written anywhere, so neither the hashes nor a copy of the
// database can tell whose they are, and after a restart nobody can.
type readerSet struct {
	seed      maphash.Seed
	cur, old  map[uint64]struct{}
	since     time.Time // cur's start
	window    time.Duration
	max       int
	forgotten *atomic.Uint64 // generations dropped early because cur was full
}

func newReaderSet(window time.Duration, max int, forgotten *atomic.Uint64) *readerSet {
	return &readerSet{seed: maphash.MakeSeed(), cur: map[uint64]struct{}{}, old: map[uint64]struct{}{},
		window: window, max: max, forgotten: forgotten}
}

// identity hashes who a reader is: the recipient when the per-message part
// names one (and the publication keeps per-subscriber figures), or else the
// address and user agent.
func (s *readerSet) identity(recipient int64, ip netip.Addr, ua string) uint64 {
	if recipient != 0 {
		return maphash.Comparable(s.seed, recipient)
	}
	var h maphash.Hash
	h.SetSeed(s.seed)
	b := ip.As16()
	h.Write(b[:])
	h.WriteString(ua)
	return h.Sum64()
}

// readerKey is what one reader is counted once for.
type readerKey struct {
	who       uint64
	issue     int64
	kind      Kind
	link      int // -1: the issue as a whole
	automatic bool
}

// hash mixes the key's fields into who, itself a keyed hash (so the result
// is one too), with SplitMix64's finaliser.
func (k readerKey) hash() uint64 {
	x := uint64(k.issue)*0x9e3779b97f4a7c15 ^ uint64(int64(k.link))*0xbf58476d1ce4e5b9 ^ uint64(k.kind)<<56
	if k.automatic {
		x ^= 1 << 63
	}
	return mix64(k.who ^ mix64(x))
}

func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// first reports whether k is new, and remembers it.
func (s *readerSet) first(k readerKey, now time.Time) bool {
	if s.since.IsZero() {
		s.since = now
	}
	switch d := now.Sub(s.since); {
	case d >= 2*s.window: // both generations are older than the window
		clear(s.cur)
		clear(s.old)
		s.since = now
	case d >= s.window:
		s.old, s.cur = s.cur, make(map[uint64]struct{}, len(s.cur))
		s.since = s.since.Add(s.window) // what old holds goes at since + window
	case len(s.cur) >= s.max:
		s.forgotten.Add(1)
		s.old, s.cur = s.cur, make(map[uint64]struct{}, len(s.cur))
		s.since = now
	}
	h := k.hash()
	if _, ok := s.cur[h]; ok {
		return false
	}
	if _, ok := s.old[h]; ok {
		return false
	}
	s.cur[h] = struct{}{}
	return true
}
