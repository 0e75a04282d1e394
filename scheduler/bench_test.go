package scheduler_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"masthead/assembly"
	"masthead/newsletter"
	"masthead/scheduler"
)

// BenchmarkTick is the cost of one scheduler tick (serve ticks once a second)
// with 100 publications whose last fires are handled: the steady state,
// reading the publications every tick or every 30 s.
//
//	go test -run '^$' -bench Tick -benchmem ./scheduler/
func BenchmarkTick(b *testing.B) {
	for _, reload := range []time.Duration{0, 30 * time.Second} {
		b.Run(fmt.Sprintf("reload=%s", reload), func(b *testing.B) {
			start := time.Date(2024, 7, 9, 5, 0, 0, 0, time.UTC)
			e := newEnv(b, start)
			for i := range 100 {
				p := e.publication(fmt.Sprintf("p%03d", i), "Europe/Paris", "0 6 * * *", nil)
				e.articles(p, newsletter.Date{Year: 2024, Month: 7, Day: 9}, 1)
			}
			e.clock.Set(start.Add(2 * time.Hour))
			sch := scheduler.New(scheduler.Config{Store: e.st, Assembler: assembly.New(e.st, "http://news.example.org"), Starter: starter(e.st),
				Log: slog.New(slog.DiscardHandler), Now: e.clock.Now, Reload: reload})
			ctx := context.Background()
			if err := sch.Tick(ctx); err != nil { // fires the 100 issues
				b.Fatal(err)
			}
			for b.Loop() {
				if err := sch.Tick(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
