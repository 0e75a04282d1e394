package media

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"strings"
	"testing"
)

// TestRenderEachFormat renders into a 400 px rendition, which exercises the
// same code as the email's 1200 px at a ninth of the pixels.
func TestRenderEachFormat(t *testing.T) {
	p := New(Options{})
	tests := []struct {
		name          string
		data          []byte
		format        Format
		width, height int
	}{
		// A photo wider than the rendition comes down to its width.
		{"jpeg photo", encodeJPEG(t, photo(900, 600)), JPEG, 400, 267},
		// Narrower: never enlarged.
		{"small jpeg", encodeJPEG(t, photo(300, 200)), JPEG, 300, 200},
		// A chart keeps PNG, the smaller and sharper.
		{"png chart", encodePNG(t, chart(800, 400)), PNG, 400, 200},
		// A photo saved as PNG becomes a JPEG, much smaller.
		{"png photo", encodePNG(t, photo(800, 500)), JPEG, 400, 250},
		{"webp photo", readFixture(t, "harbour.webp"), JPEG, 400, 267},
		{"webp with transparency", readFixture(t, "logo-alpha.webp"), PNG, 240, 120},
		{"lossy webp with transparency", readFixture(t, "logo-alpha-lossy.webp"), PNG, 240, 120},
		{"still gif", animation(t, 500, 100, 1), PNG, 400, 80},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := p.Render(context.Background(), tt.data, 400)
			if err != nil {
				t.Fatal(err)
			}
			if r.Format != tt.format || r.Width != tt.width || r.Height != tt.height {
				t.Errorf("rendition %s %d×%d, want %s %d×%d", r.Format, r.Width, r.Height, tt.format, tt.width, tt.height)
			}
			decoded(t, r)
			again, err := p.Render(context.Background(), tt.data, 400)
			if err != nil || !bytes.Equal(again.Data, r.Data) || again.SHA256 != r.SHA256 {
				t.Errorf("rendering twice gives other bytes (%v): the rendition's name would not be stable", err)
			}
		})
	}
}

// TestRenderForTheEmailColumn is a phone photo made ready for the email:
// 4000×3000 on its side, with GPS, to 1200 px wide, upright and clean.
func TestRenderForTheEmailColumn(t *testing.T) {
	if raceEnabled {
		t.Skip("pixel loops take minutes under the race detector; TestRenderEachFormat runs the same code smaller")
	}
	src := withEXIF(encodeJPEG(t, photo(4000, 3000)), 6)
	r := render(t, New(Options{}), src)
	if r.Format != JPEG || r.Width != 1200 || r.Height != 1600 {
		t.Errorf("%s %d×%d, want JPEG 1200×1600", r.Format, r.Width, r.Height)
	}
	decoded(t, r)
	if bytes.Contains(r.Data, []byte("PhoneCam")) || len(r.Data) > len(src)/4 {
		t.Errorf("rendition of %d kB from %d kB, metadata kept %v", len(r.Data)>>10, len(src)>>10, bytes.Contains(r.Data, []byte("PhoneCam")))
	}
	if w, h := DisplaySize(r.Width, r.Height, EmailColumn); w != 600 || h != 800 {
		t.Errorf("display size %d×%d, want 600×800", w, h)
	}
}

func TestRenderKeepsTransparency(t *testing.T) {
	logo := image.NewNRGBA(image.Rect(0, 0, 800, 400))
	for y := range 400 {
		for x := range 400 { // opaque red left half, clear right half
			logo.SetNRGBA(x, y, color.NRGBA{200, 30, 40, 255})
		}
	}
	r, err := New(Options{}).Render(context.Background(), encodePNG(t, logo), 400)
	if err != nil {
		t.Fatal(err)
	}
	if r.Format != PNG || r.Width != 400 || r.Height != 200 {
		t.Fatalf("rendition %s %d×%d", r.Format, r.Width, r.Height)
	}
	img := decoded(t, r)
	if _, _, _, a := img.At(300, 100).RGBA(); a != 0 {
		t.Errorf("the clear half has alpha %d", a)
	}
	if _, _, _, a := img.At(50, 100).RGBA(); a != 0xFFFF {
		t.Errorf("the opaque half has alpha %d", a)
	}
}

func TestRenderTurnsUprightAndStripsMetadata(t *testing.T) {
	p := New(Options{})
	jpg := encodeJPEG(t, halves(40, 20)) // red left, blue right
	red := func(c color.Color) bool { r, _, b, _ := c.RGBA(); return r > 0x9000 && b < 0x6000 }
	blue := func(c color.Color) bool { r, _, b, _ := c.RGBA(); return b > 0x9000 && r < 0x6000 }
	tests := []struct {
		orientation uint16
		w, h        int
		// where the red (left) half ends up
		redAt, blueAt image.Point
	}{
		{1, 40, 20, image.Pt(5, 10), image.Pt(35, 10)},
		{3, 40, 20, image.Pt(35, 10), image.Pt(5, 10)}, // upside down
		{6, 20, 40, image.Pt(10, 5), image.Pt(10, 35)}, // turn clockwise: left goes up
		{8, 20, 40, image.Pt(10, 35), image.Pt(10, 5)}, // turn anticlockwise: left goes down
		{2, 40, 20, image.Pt(35, 10), image.Pt(5, 10)}, // mirrored
	}
	for _, tt := range tests {
		src := withEXIF(jpg, tt.orientation)
		if !bytes.Contains(src, []byte("PhoneCam X")) {
			t.Fatal("the test photo has no EXIF")
		}
		r := render(t, p, src)
		if r.Width != tt.w || r.Height != tt.h {
			t.Errorf("orientation %d: %d×%d, want %d×%d", tt.orientation, r.Width, r.Height, tt.w, tt.h)
			continue
		}
		img := decoded(t, r)
		if !red(img.At(tt.redAt.X, tt.redAt.Y)) || !blue(img.At(tt.blueAt.X, tt.blueAt.Y)) {
			t.Errorf("orientation %d: %v at %v, %v at %v", tt.orientation,
				img.At(tt.redAt.X, tt.redAt.Y), tt.redAt, img.At(tt.blueAt.X, tt.blueAt.Y), tt.blueAt)
		}
		for _, trace := range [][]byte{[]byte("Exif"), []byte("PhoneCam X"), {0xFF, 0xE1}} {
			if bytes.Contains(r.Data, trace) {
				t.Errorf("orientation %d: the rendition keeps %q", tt.orientation, trace)
			}
		}
	}
}

func TestRenderResizesAPhotoOnItsSide(t *testing.T) {
	// Stored 600×400 on its side: shown 400×600, so 300×450.
	r, err := New(Options{}).Render(context.Background(), withEXIF(encodeJPEG(t, photo(600, 400)), 6), 300)
	if err != nil {
		t.Fatal(err)
	}
	if r.Width != 300 || r.Height != 450 {
		t.Errorf("%d×%d, want 300×450", r.Width, r.Height)
	}
}

func TestRenderGIFs(t *testing.T) {
	p := New(Options{})
	// Small: kept animated, its comment gone.
	small := animation(t, 120, 80, 4)
	if !bytes.Contains(small, []byte("made by PhoneCam X")) {
		t.Fatal("the test GIF has no comment")
	}
	r := render(t, p, small)
	if r.Format != GIF || r.Width != 120 || r.Height != 80 || bytes.Contains(r.Data, []byte("PhoneCam")) {
		t.Errorf("small animation: %s %d×%d, comment kept %v", r.Format, r.Width, r.Height, bytes.Contains(r.Data, []byte("PhoneCam")))
	}
	g, err := gif.DecodeAll(bytes.NewReader(r.Data))
	if err != nil || len(g.Image) != 4 || g.Delay[2] != 10 {
		t.Errorf("animation: %v, %d frames", err, len(g.Image))
	}

	// Wider than the rendition: a resized still of its first frame.
	r = render(t, p, animation(t, 1600, 100, 3))
	if r.Format == GIF || r.Width != 1200 || r.Height != 75 {
		t.Errorf("wide animation: %s %d×%d", r.Format, r.Width, r.Height)
	}

	// Larger than MaxAnimatedBytes: a still.
	r = render(t, New(Options{MaxAnimatedBytes: 1 << 10}), small)
	if r.Format == GIF {
		t.Errorf("large animation kept animated (%d bytes)", len(small))
	}

	// Frames that together pass MaxPixels: a still, never DecodeAll.
	r = render(t, New(Options{MaxPixels: 120 * 80 * 3}), small)
	if r.Format == GIF {
		t.Error("an animation of more pixels than MaxPixels kept animated")
	}
}

func TestRenderRefusesATruncatedJPEG(t *testing.T) {
	jpg := encodeJPEG(t, photo(400, 300))
	cut := jpg[:len(jpg)/2]
	p := New(Options{})
	if _, err := p.Inspect(cut); err != nil {
		t.Fatalf("the header is whole, Inspect should pass: %v", err)
	}
	_, err := p.Render(context.Background(), cut, 1200)
	if !errors.Is(err, ErrDamaged) || !strings.HasPrefix(err.Error(), "damaged JPEG, truncated or corrupt: ") {
		t.Errorf("Render = %v", err)
	}
}

func TestRenderWaitsForASlot(t *testing.T) {
	p := New(Options{Concurrent: 1})
	p.slots <- struct{}{} // the one slot is taken
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Render(ctx, encodeJPEG(t, photo(10, 10)), 1200); !errors.Is(err, context.Canceled) {
		t.Errorf("Render = %v, want context.Canceled", err)
	}
	<-p.slots
	if _, err := p.Render(context.Background(), encodeJPEG(t, photo(10, 10)), 1200); err != nil {
		t.Errorf("with a free slot: %v", err)
	}
}

func TestDisplaySize(t *testing.T) {
	tests := []struct{ w, h, column, dw, dh int }{
		{1200, 800, 600, 600, 400}, // a full rendition fills the column
		{2400, 800, 600, 600, 200},
		{800, 600, 600, 400, 300}, // drawn at half its pixels, sharp on 2× screens
		{301, 201, 600, 150, 100},
		{1, 1, 600, 1, 1},
		{0, 10, 600, 0, 0},
	}
	for _, tt := range tests {
		if w, h := DisplaySize(tt.w, tt.h, tt.column); w != tt.dw || h != tt.dh {
			t.Errorf("DisplaySize(%d×%d in %d) = %d×%d, want %d×%d", tt.w, tt.h, tt.column, w, h, tt.dw, tt.dh)
		}
	}
}
