package media

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestInspectEachFormat(t *testing.T) {
	p := New(Options{})
	tests := []struct {
		name          string
		data          []byte
		format        Format
		width, height int
		animated      bool
	}{
		{"jpeg", encodeJPEG(t, photo(640, 480)), JPEG, 640, 480, false},
		{"png", encodePNG(t, chart(800, 400)), PNG, 800, 400, false},
		{"gif", animation(t, 60, 40, 1), GIF, 60, 40, false},
		{"animated gif", animation(t, 60, 40, 3), GIF, 60, 40, true},
		{"webp lossy", readFixture(t, "harbour.webp"), WebP, 640, 427, false},
		{"webp lossless alpha", readFixture(t, "logo-alpha.webp"), WebP, 240, 120, false},
		{"webp lossy alpha", readFixture(t, "logo-alpha-lossy.webp"), WebP, 240, 120, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := p.Inspect(tt.data)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(tt.data)
			want := Info{Format: tt.format, Width: tt.width, Height: tt.height, Orientation: 1,
				Animated: tt.animated, Size: int64(len(tt.data)), SHA256: hex.EncodeToString(sum[:])}
			if info != want {
				t.Errorf("Inspect = %+v\nwant      %+v", info, want)
			}
		})
	}
}

func TestInspectIdentityIsTheContent(t *testing.T) {
	p := New(Options{})
	a := encodeJPEG(t, photo(200, 100))
	b := bytes.Clone(a)
	ia, _ := p.Inspect(a)
	ib, _ := p.Inspect(b)
	c := encodeJPEG(t, photo(201, 100))
	ic, _ := p.Inspect(c)
	if ia.SHA256 != ib.SHA256 || ia.SHA256 == ic.SHA256 || len(ia.SHA256) != 64 {
		t.Errorf("hashes %s %s %s", ia.SHA256, ib.SHA256, ic.SHA256)
	}
}

func TestInspectRefusesWhatIsNotAnAcceptedImage(t *testing.T) {
	p := New(Options{})
	heic := append([]byte{0, 0, 0, 0x18}, []byte("ftypheic\x00\x00\x00\x00mif1heic")...)
	tests := []struct {
		name string
		data []byte
		kind error
		msg  string
	}{
		{"pdf", readFixture(t, "press-release.pdf"), ErrNotImage, "not an image: looks like PDF; masthead takes JPEG, PNG, GIF or WebP"},
		{"html", readFixture(t, "saved-page.html"), ErrNotImage, "not an image: looks like a web page (HTML); masthead takes JPEG, PNG, GIF or WebP"},
		{"svg with a script", readFixture(t, "masthead-logo.svg"), ErrUnsupported, "not accepted: looks like SVG (a drawing that can carry scripts); export it as PNG"},
		{"heic", heic, ErrUnsupported, "not accepted: looks like HEIC (an iPhone photo); export it as JPEG"},
		{"tiff", []byte("II*\x00\x08\x00\x00\x00 rest of a tiff"), ErrUnsupported, "not accepted: looks like TIFF; export it as JPEG or PNG"},
		{"text", []byte("Heat Wave Arrives\n\nTemperatures climbed past 100 degrees."), ErrNotImage, "not an image: looks like text; masthead takes JPEG, PNG, GIF or WebP"},
		{"zip", []byte("PK\x03\x04\x14\x00\x06\x00 word/document.xml"), ErrNotImage, "not an image: looks like a ZIP archive or an office document; masthead takes JPEG, PNG, GIF or WebP"},
		{"empty", nil, ErrNotImage, "not an image: the file is empty"},
		{"animated webp", readFixture(t, "spinner-animated.webp"), ErrUnsupported, "not accepted: an animated WebP; upload a GIF, or a still image"},
		{"jpeg magic, no header", []byte("\xFF\xD8\xFF\xE0 not really"), ErrDamaged, "damaged JPEG, truncated or corrupt: "},
		{"png magic, no header", []byte("\x89PNG\r\n\x1A\nIHDR"), ErrDamaged, "damaged PNG, truncated or corrupt: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.Inspect(tt.data)
			if !errors.Is(err, tt.kind) || !strings.HasPrefix(err.Error(), tt.msg) {
				t.Errorf("Inspect = %v, want %v: %q", err, tt.kind, tt.msg)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("%T is no *Error", err)
			}
		})
	}
}

func TestInspectRefusesAPixelBomb(t *testing.T) {
	p := New(Options{})
	bomb := pngHeader(100_000, 100_000)
	if len(bomb) > 100 {
		t.Fatalf("the bomb is %d bytes", len(bomb))
	}
	_, err := p.Inspect(bomb)
	want := "image is 100000×100000 pixels; the limit is 50 megapixels and 20000 pixels a side"
	if !errors.Is(err, ErrTooManyPixels) || err.Error() != want {
		t.Errorf("Inspect = %v, want %q", err, want)
	}
	// Render refuses it before decoding, which would need 40 GB.
	if _, err := p.Render(t.Context(), bomb, 1200); !errors.Is(err, ErrTooManyPixels) {
		t.Errorf("Render = %v", err)
	}
	// Within the pixel count, but too long a side.
	if _, err := p.Inspect(pngHeader(40_000, 10)); !errors.Is(err, ErrTooManyPixels) {
		t.Errorf("40000×10: %v", err)
	}
	// A JPEG header claiming 30000×30000.
	jpg := encodeJPEG(t, photo(16, 16))
	sof := bytes.Index(jpg, []byte{0xFF, 0xC0})
	copy(jpg[sof+5:], []byte{0x75, 0x30, 0x75, 0x30})
	_, err = p.Inspect(jpg)
	if !errors.Is(err, ErrTooManyPixels) || !strings.HasPrefix(err.Error(), "image is 30000×30000 pixels; the limit is 50 megapixels") {
		t.Errorf("JPEG 30000×30000: %v", err)
	}
}

func TestReadRefusesAnOversizedFile(t *testing.T) {
	p := New(Options{})
	// Its size known (a file, a multipart part): refused unread.
	var reads int
	r := readerFunc(func(b []byte) (int, error) { reads++; return len(b), nil })
	_, err := p.Read(r, 31<<20)
	if !errors.Is(err, ErrTooLarge) || err.Error() != "too large: 31 MB, the limit is 20 MB" || reads != 0 {
		t.Errorf("Read(31 MB) = %v after %d reads", err, reads)
	}
	// Its size unknown: read up to the limit, no further.
	zeros := io.LimitReader(readerFunc(func(b []byte) (int, error) { clear(b); return len(b), nil }), 25<<20)
	_, err = p.Read(zeros, -1)
	if !errors.Is(err, ErrTooLarge) || err.Error() != "too large: more than the limit of 20 MB" {
		t.Errorf("Read(25 MB stream) = %v", err)
	}
	// Already in memory.
	big := make([]byte, 20<<20+300<<10)
	if _, err := p.Inspect(big); !errors.Is(err, ErrTooLarge) || err.Error() != "too large: 20.3 MB, the limit is 20 MB" {
		t.Errorf("Inspect(20.3 MB) = %v", err)
	}
	// Within the limit.
	jpg := encodeJPEG(t, photo(64, 64))
	got, err := p.Read(bytes.NewReader(jpg), int64(len(jpg)))
	if err != nil || !bytes.Equal(got, jpg) {
		t.Errorf("Read(small) = %d bytes, %v", len(got), err)
	}
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(b []byte) (int, error) { return f(b) }

func TestOrientationReading(t *testing.T) {
	jpg := encodeJPEG(t, halves(40, 20))
	for o := uint16(1); o <= 8; o++ {
		if got := jpegOrientation(withEXIF(jpg, o)); got != int(o) {
			t.Errorf("orientation %d read as %d", o, got)
		}
	}
	for name, data := range map[string][]byte{
		"no exif":   jpg,
		"bad value": withEXIF(jpg, 9),
		"truncated": withEXIF(jpg, 6)[:30],
		"not jpeg":  []byte("GIF89a"),
	} {
		if got := jpegOrientation(data); got != 1 {
			t.Errorf("%s: orientation %d, want 1", name, got)
		}
	}
	info, err := New(Options{}).Inspect(withEXIF(jpg, 6))
	if err != nil || info.Orientation != 6 {
		t.Fatalf("Inspect: %+v, %v", info, err)
	}
	if w, h := info.Upright(); w != 20 || h != 40 {
		t.Errorf("upright %d×%d, want 20×40", w, h)
	}
}

func TestGIFFrames(t *testing.T) {
	for _, n := range []int{1, 2, 7} {
		if got := gifFrames(animation(t, 30, 20, n), 100); got != n {
			t.Errorf("%d frames counted as %d", n, got)
		}
	}
	if got := gifFrames(animation(t, 30, 20, 7), 3); got != 3 {
		t.Errorf("the count does not stop at its limit: %d", got)
	}
}
