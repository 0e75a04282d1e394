package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/wneessen/go-mail"

	"masthead/delivery"
	"masthead/internal/smtptest"
	"masthead/newsletter"
)

// benchKB makes the bench issue about 40 KB (28 KB of HTML, 15 KB of text).
const benchKB = 40

// BenchmarkCompose builds and writes out one subscriber's message of a 40 KB
// issue: fill the holes of the issue's layout (the headers, the slot lines
// encoded), sign it (dkim-ed25519), and write the pieces to io.Discard.
func BenchmarkCompose(b *testing.B) {
	for _, signed := range []bool{false, true} {
		b.Run(map[bool]string{false: "unsigned", true: "dkim-ed25519"}[signed], func(b *testing.B) {
			f := newFixture(b, benchKB)
			cfg := f.fastConfig(1)
			if signed {
				key, _ := dkimKey(b, "ed25519")
				d, err := delivery.LoadDKIM(delivery.DKIMConfig{Domain: "planet.example", Selector: "mh", KeyFile: key})
				if err != nil {
					b.Fatal(err)
				}
				cfg.DKIM = d
			}
			comp, err := f.engine(b, nil, cfg).Composer(context.Background(), f.issue.ID)
			if err != nil {
				b.Fatal(err)
			}
			var buf delivery.Buffers
			var n int64
			b.ReportAllocs()
			cpu := startCPU()
			i := 0
			for ; b.Loop(); i++ {
				m, err := comp.Compose(delivery.Recipient{SubscriberID: int64(i), Email: "reader@example.net", Name: "Reader",
					MessageID: fmt.Sprintf("<1.%d.abc@planet.example>", i)}, &buf)
				if err != nil {
					b.Fatal(err)
				}
				n, _ = m.WriteTo(io.Discard)
			}
			cpu.report(b, i, "op")
			b.SetBytes(n)
		})
	}
}

// BenchmarkSend sends a 40 KB issue to 10,000 subscribers (MASTHEAD_BENCH_N)
// through the engine over 1 and 8 connections to the discarding test server,
// and, as the ceiling of the same machine in the same run, a bare go-mail
// loop sending one pre-built message the same number of times over the same
// number of connections. It reports messages per second, CPU time per
// message (this process, which includes the server's share, in both cases)
// and peak heap.
//
//	go test -run '^$' -bench BenchmarkSend -benchtime 1x ./delivery/
func BenchmarkSend(b *testing.B) {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("MASTHEAD_BENCH_N")); err == nil && v > 0 {
		n = v
	}
	f := newFixture(b, benchKB)
	f.addSubscribers(b, 0, n, nil)
	srv := startServer(b, smtptest.Options{Discard: true})
	db := openRaw(b, f)
	for _, conns := range []int{1, 8} {
		b.Run(fmt.Sprintf("engine/conns=%d", conns), func(b *testing.B) {
			cfg := f.fastConfig(conns)
			cfg.Poll = 50 * time.Millisecond
			e := f.engine(b, smtpTo(b, srv, 30*time.Second), cfg)
			measure(b, n, func() {
				if _, err := db.Exec(`DELETE FROM deliveries`); err != nil {
					b.Fatal(err)
				}
				db.Exec(`UPDATE issues SET status = 'assembled'`)
				if _, err := e.Start(context.Background(), f.issue.ID); err != nil {
					b.Fatal(err)
				}
			}, func() {
				sum, err := e.Run(context.Background(), f.issue.ID)
				if err != nil || sum.Status != newsletter.Sent {
					b.Fatalf("run: %v, %+v", err, sum.Counts)
				}
			})
		})
		b.Run(fmt.Sprintf("bare-go-mail/conns=%d", conns), func(b *testing.B) {
			cfg, _ := delivery.ParseSMTPURL("smtp://" + srv.Addr + "?tls=none")
			_, port, _ := splitAddr(srv.Addr)
			measure(b, n, func() {}, func() {
				var wg sync.WaitGroup
				var left atomic.Int64
				left.Store(int64(n))
				for c := 0; c < conns; c++ {
					msg := mail.NewMsg(mail.WithNoDefaultUserAgent())
					if err := errors.Join(msg.From(f.pub.From), msg.To("r00001@example.net")); err != nil {
						b.Fatal(err)
					}
					msg.Subject(f.issue.Subject)
					msg.SetDate()
					msg.SetMessageID()
					msg.SetBodyString(mail.TypeTextPlain, f.issue.Text)
					msg.AddAlternativeString(mail.TypeTextHTML, f.issue.HTML)
					client, err := mail.NewClient(cfg.Host, mail.WithPort(port), mail.WithTLSPolicy(mail.NoTLS), mail.WithoutNoop())
					if err != nil {
						b.Fatal(err)
					}
					wg.Go(func() {
						if err := client.DialWithContext(context.Background()); err != nil {
							b.Error(err)
							return
						}
						defer client.Close()
						for left.Add(-1) >= 0 {
							if err := client.Send(msg); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
			})
		})
	}
}

// measure runs prepare then send (one send of n messages) b.N times and
// reports the rates of the sends.
func measure(b *testing.B, n int, prepare, send func()) {
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	var elapsed, cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		prepare()
		b.StartTimer()
		cpu0, start := cpuTime(), time.Now()
		send()
		elapsed, cpu = elapsed+time.Since(start), cpu+cpuTime()-cpu0
	}
	close(stop)
	msgs := float64(n * b.N)
	b.ReportMetric(msgs/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(cpu.Microseconds())/msgs, "cpu-µs/msg")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func splitAddr(addr string) (string, int, error) {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			p, err := strconv.Atoi(addr[i+1:])
			return addr[:i], p, err
		}
	}
	return addr, 0, fmt.Errorf("no port in %s", addr)
}
