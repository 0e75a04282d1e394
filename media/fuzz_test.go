package media

import (
	"bytes"
	"context"
	"errors"
	"image"
	"testing"
)

// FuzzImage: whatever bytes are uploaded, Inspect and Render neither panic
// nor allocate past the limits; a refusal is an *Error; an accepted image
// renders to a standard image no wider than asked, as large as it says.
func FuzzImage(f *testing.F) {
	jpg := encodeJPEG(f, photo(48, 32))
	for _, seed := range [][]byte{
		jpg,
		withEXIF(jpg, 6),
		jpg[:len(jpg)/2],
		encodePNG(f, chart(60, 30)),
		animation(f, 40, 20, 1),
		animation(f, 40, 20, 3),
		pngHeader(100_000, 100_000),
		readFixture(f, "logo-alpha.webp"),
		readFixture(f, "logo-alpha-lossy.webp"),
		readFixture(f, "spinner-animated.webp"),
		readFixture(f, "masthead-logo.svg"),
		readFixture(f, "press-release.pdf"),
	} {
		f.Add(seed)
	}
	// Small limits keep each run fast; the code paths are the same.
	p := New(Options{MaxBytes: 1 << 20, MaxPixels: 1 << 20, MaxAnimatedBytes: 64 << 10})
	const width = 64
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := p.Inspect(data)
		var refusal *Error
		if err != nil {
			if !errors.As(err, &refusal) {
				t.Fatalf("Inspect: %T %v is no *Error", err, err)
			}
			return
		}
		if int64(info.Width)*int64(info.Height) > 1<<20 {
			t.Fatalf("accepted %d×%d past the pixel limit", info.Width, info.Height)
		}
		r, err := p.Render(context.Background(), data, width)
		if err != nil {
			if !errors.As(err, &refusal) {
				t.Fatalf("Render: %T %v is no *Error", err, err)
			}
			return
		}
		img, format, err := image.Decode(bytes.NewReader(r.Data))
		if err != nil || Format(format) != r.Format {
			t.Fatalf("rendition %s does not decode as such: %s %v", r.Format, format, err)
		}
		if b := img.Bounds(); b.Dx() != r.Width || b.Dy() != r.Height || r.Width > width || r.Width < 1 {
			t.Fatalf("rendition says %d×%d, is %v (asked at most %d wide)", r.Width, r.Height, b, width)
		}
	})
}
