package delivery_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"masthead/delivery"
	"masthead/newsletter"
)

// The per-recipient cost of delivery outside the SMTP client (the goal is
// under 30 µs of CPU per recipient; see BENCHMARKS.md):
//
//	go test -run '^$' -bench Recipient -benchmem ./delivery/
//
// BenchmarkCompose (bench_test.go) adds go-mail's encoding of the message;
// BenchmarkSend and 'masthead bench' measure whole sends against an SMTP
// server next to a bare go-mail loop.

// BenchmarkRecipientCompose is what the engine does for each recipient of a
// theme-rendered issue of about 40 KB before go-mail takes over: parse the
// address, sign the unsubscribe link, fill the slots of both bodies, set the
// headers (no encoding).
func BenchmarkRecipientCompose(b *testing.B) {
	f := newFixture(b, benchKB)
	comp, err := delivery.NewComposer(f.pub, f.issue, delivery.ComposerConfig{BaseURL: testBaseURL, Signer: f.signer})
	if err != nil {
		b.Fatal(err)
	}
	var buf delivery.Buffers
	b.ReportAllocs()
	cpu := startCPU()
	i := 0
	for b.Loop() {
		i++
		if _, err := comp.Compose(recipient(i), &buf); err != nil {
			b.Fatal(err)
		}
	}
	cpu.report(b, i, "op")
	b.ReportMetric(float64(len(f.issue.HTML))/1024, "KB-html")
}

// BenchmarkRecipientEngine runs whole sends of a small issue to 2,000
// subscribers through a sender that accepts at once (no SMTP, no encoding):
// snapshot, claims, composing and recording, per recipient.
func BenchmarkRecipientEngine(b *testing.B) {
	const audience = 2000
	ctx := context.Background()
	f := newFixture(b, 0)
	f.addSubscribers(b, 0, audience, nil)
	cfg := f.fastConfig(8)
	e := f.engine(b, acceptAll{}, cfg)
	day := f.issue.Date
	b.ReportAllocs()
	sends := 0
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		day = day.AddDays(1)
		iss := f.assemble(b, day, 0)
		b.StartTimer()
		c := startCPU()
		if _, err := e.Start(ctx, iss.ID); err != nil {
			b.Fatal(err)
		}
		sum, err := e.Run(ctx, iss.ID)
		if err != nil || sum.Sent != audience || sum.Status != newsletter.Sent {
			b.Fatalf("send %d: %+v, %v", sends, sum, err)
		}
		cpu += c.used()
		sends++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(sends*audience), "ns/recipient")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(sends*audience), "cpu-ns/recipient")
}

func recipient(i int) delivery.Recipient {
	return delivery.Recipient{SubscriberID: int64(i), Email: fmt.Sprintf("reader%d@example.net", i),
		Name: fmt.Sprintf("Reader %d", i), MessageID: fmt.Sprintf("<1.%d.abcdef@planet.example>", i)}
}

// acceptAll is a Sender whose connections accept every message at once.
type acceptAll struct{}

func (acceptAll) Open(context.Context) (delivery.Conn, error)   { return acceptAll{}, nil }
func (acceptAll) Send(context.Context, *delivery.Message) error { return nil }
func (acceptAll) Close() error                                  { return nil }

// cpuClock measures the CPU time (user + system, every thread) of the test
// process: on a machine shared with other work it says more than ns/op, which
// is wall time.
type cpuClock struct{ start time.Duration }

func startCPU() cpuClock { return cpuClock{start: processCPU()} }

func (c cpuClock) used() time.Duration { return processCPU() - c.start }

// report adds the CPU time per unit (n of them) as "cpu-ns/"+unit.
func (c cpuClock) report(b *testing.B, n int, unit string) {
	if n > 0 {
		b.ReportMetric(float64(c.used().Nanoseconds())/float64(n), "cpu-ns/"+unit)
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
