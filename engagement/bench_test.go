package engagement

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// discard is a sink that counts what it is given.
type discard struct{ rows atomic.Int64 }

func (d *discard) Write(_ context.Context, b Batch) error {
	d.rows.Add(int64(len(b.Counts) + len(b.Readers)))
	return nil
}

func BenchmarkVerify(b *testing.B) {
	s := NewSigner(testSecret())
	tok := s.LinkToken(42, 3) + "." + s.RecipientPart(42, 1001, at(0))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Verify(tok); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClick is the redirect's core per click: verify the token, find
// the link (the cache warm, as after a send), queue the event for a running
// recorder. The HTTP figure adds net/http's cost to this.
func BenchmarkClick(b *testing.B) {
	for _, parallel := range []bool{false, true} {
		b.Run(fmt.Sprintf("parallel=%v", parallel), func(b *testing.B) {
			f := newIssueFixture(b, true, false, nil)
			rec := NewRecorder(&discard{}, RecorderOptions{})
			stop := runRecorder(b, rec)
			defer stop()
			rd := NewRedirector(f.rw.signer, NewCache(f.store, 64, time.Minute), rec)
			s := f.rw.signer
			tok := s.LinkToken(42, 2) + "." + s.RecipientPart(42, 1001, at(0))
			req := Request{Method: "GET", UserAgent: uaFirefox, IP: netip.MustParseAddr("192.0.2.1")}
			ctx := context.Background()
			if _, err := rd.Click(ctx, tok, req); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			if parallel {
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, err := rd.Click(ctx, tok, req); err != nil {
							b.Error(err)
							return
						}
					}
				})
			} else {
				for range b.N {
					if _, err := rd.Click(ctx, tok, req); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.StopTimer()
			if st := rec.Stats(); st.Dropped > 0 {
				b.ReportMetric(float64(st.Dropped)/float64(st.Dropped+st.Queued)*100, "%dropped")
			}
		})
	}
}

// BenchmarkRecorderBurst: a million clicks arrive at once after a send,
// from four goroutines as fast as they can call Record (far faster than a
// web server takes requests), 200,000 readers over 12 links. Reported: the
// time until every event taken is counted and written, events counted per
// second, and how many Record dropped with the default queue and with a
// queue that holds them all.
func BenchmarkRecorderBurst(b *testing.B) {
	const events, producers = 1_000_000, 4
	for _, queue := range []int{0, events} {
		name := "queue=default"
		if queue > 0 {
			name = fmt.Sprintf("queue=%d", queue)
		}
		b.Run(name, func(b *testing.B) {
			base := time.Now()
			evs := make([]Event, events)
			for i := range evs {
				reader := i % 200_000
				evs[i] = Event{Kind: Click, PublicationID: 1, IssueID: 42, Link: 1 + i%12, IssueLinks: 12,
					Request: Request{Method: "GET", UserAgent: uaFirefox,
						IP: netip.AddrFrom4([4]byte{10, byte(reader >> 16), byte(reader >> 8), byte(reader)}),
						At: base.Add(time.Duration(i) * time.Millisecond)}}
			}
			var counted, dropped uint64
			cpu0 := cpuTime()
			b.ResetTimer()
			for range b.N {
				sink := &discard{}
				rec := NewRecorder(sink, RecorderOptions{Queue: queue})
				stop := runRecorder(b, rec)
				done := make(chan struct{})
				for p := range producers {
					go func() {
						for i := p; i < events; i += producers {
							rec.Record(evs[i])
						}
						done <- struct{}{}
					}()
				}
				for range producers {
					<-done
				}
				if err := stop(); err != nil {
					b.Fatal(err)
				}
				st := rec.Stats()
				counted += st.Human + st.Automatic
				dropped += st.Dropped
			}
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(counted), "cpu-ns/event")
			b.ReportMetric(float64(counted)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(dropped)/float64(b.N), "dropped/op")
		})
	}
}

// cpuTime is the process's user and system CPU time so far: on a shared
// machine a steadier figure than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRewrite rewrites an issue of 20 articles once.
func BenchmarkRewrite(b *testing.B) {
	html, text := renderIssue(b)
	// Twenty articles' worth: the two bodies ten times, each with its own links.
	var hb, tb strings.Builder
	for i := range 10 {
		r := strings.NewReplacer("council.example", fmt.Sprintf("council%d.example", i), "maps.example", fmt.Sprintf("maps%d.example", i))
		hb.WriteString(r.Replace(html))
		tb.WriteString(r.Replace(text))
	}
	rw := newRewriter(b, RewriteOptions{PerRecipient: true})
	b.SetBytes(int64(hb.Len() + tb.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rw.Rewrite(42, hb.String(), tb.String()); err != nil {
			b.Fatal(err)
		}
	}
}
