package media

import (
	"bytes"
	"context"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/disintegration/imaging"
)

// peakHeap samples the heap's live objects every millisecond until stop is
// called, and returns the highest figure seen, in bytes.
func peakHeap() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); wg.Wait(); return peak }
}

// BenchmarkRender4000x3000 renders a 12-megapixel phone photo (a 4000×3000
// JPEG, upright or on its side) for the email column: 1200 px wide. It
// reports the peak of live heap during the renders besides time and
// allocations.
func BenchmarkRender4000x3000(b *testing.B) {
	src := encodeJPEG(b, photo(4000, 3000))
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"upright", src},
		{"sideways", withEXIF(src, 6)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			p := New(Options{})
			runtime.GC()
			stop := peakHeap()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Render(context.Background(), tc.data, EmailWidth(EmailColumn)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(stop())/(1<<20), "peak-heap-MB")
		})
	}
}

// BenchmarkRenderTurnFirst is the other order, for comparison: imaging's
// own decoder turns the full-size photo upright, then it is resized.
func BenchmarkRenderTurnFirst(b *testing.B) {
	src := withEXIF(encodeJPEG(b, photo(4000, 3000)), 6)
	runtime.GC()
	stop := peakHeap()
	b.ReportAllocs()
	for b.Loop() {
		img, err := imaging.Decode(bytes.NewReader(src), imaging.AutoOrientation(true))
		if err != nil {
			b.Fatal(err)
		}
		small := imaging.Resize(img, 1200, 0, imaging.Lanczos)
		var out bytes.Buffer
		if err := imaging.Encode(&out, small, imaging.JPEG, imaging.JPEGQuality(82)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(stop())/(1<<20), "peak-heap-MB")
}
