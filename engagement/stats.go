package engagement

import "sync/atomic"

// recorderStats are the recorder's running totals since it started, for logs and
// metrics.
type recorderStats struct {
	queued, dropped     atomic.Uint64
	human, automatic    atomic.Uint64
	byReason            [reasons]atomic.Uint64
	flushes, flushFails atomic.Uint64
	rowsWritten         atomic.Uint64
	readerEventsDropped atomic.Uint64
	readersForgotten    atomic.Uint64
}

func (s *recorderStats) counted(v Verdict) {
	if v.Automatic {
		s.automatic.Add(1)
	} else {
		s.human.Add(1)
	}
	s.byReason[v.Reason].Add(1)
}

// Snapshot is a copy of the recorder's running totals at one moment.
type Snapshot struct {
	Queued    uint64 // events taken by Record
	Dropped   uint64 // events refused by Record: queue full or recorder stopped
	Human     uint64 // events counted as readers'
	Automatic uint64 // events counted as automatic
	ByReason  map[Reason]uint64
	Flushes   uint64 // batches written
	// FlushErrors counts failed writes; their figures were kept for the
	// next write.
	FlushErrors uint64
	RowsWritten uint64 // Count and ReaderEvent rows written
	// ReaderEventsDropped counts per-subscriber rows given up while the
	// sink kept failing (their Counts were kept).
	ReaderEventsDropped uint64
	// ReadersForgotten counts the times the memory of readers was full and
	// its older half dropped before its time: readers may have counted twice.
	ReadersForgotten uint64
}

func (s *recorderStats) snapshot() Snapshot {
	out := Snapshot{
		Queued: s.queued.Load(), Dropped: s.dropped.Load(),
		Human: s.human.Load(), Automatic: s.automatic.Load(),
		ByReason: map[Reason]uint64{},
		Flushes:  s.flushes.Load(), FlushErrors: s.flushFails.Load(), RowsWritten: s.rowsWritten.Load(),
		ReaderEventsDropped: s.readerEventsDropped.Load(), ReadersForgotten: s.readersForgotten.Load(),
	}
	for r := range s.byReason {
		if n := s.byReason[r].Load(); n > 0 {
			out.ByReason[Reason(r)] = n
		}
	}
	return out
}
