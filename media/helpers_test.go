package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"testing"
)

// photo is a photograph-like picture: smooth gradients and sensor noise,
// which PNG compresses badly and JPEG well.
func photo(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	wave := func(n int, period, amp float64, sin func(float64) float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = amp * sin(float64(i)/period)
		}
		return v
	}
	xs, ys, ds := wave(w, 37, 80, math.Sin), wave(h, 23, 60, math.Cos), wave(w+h, 51, 50, math.Sin)
	seed := uint32(7)
	for y := range h {
		for x := range w {
			seed = seed*1664525 + 1013904223
			n := float64(int(seed>>24)%24 - 12)
			i := img.PixOffset(x, y)
			img.Pix[i] = clamp(120 + xs[x] + n)
			img.Pix[i+1] = clamp(140 + ys[y] + n)
			img.Pix[i+2] = clamp(90 + ds[x+y] + n)
			img.Pix[i+3] = 255
		}
	}
	return img
}

func clamp(v float64) uint8 { return uint8(max(0, min(255, v))) }

// chart is a bar chart: flat colours on white, which PNG keeps small and
// sharp.
func chart(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	bars := []color.NRGBA{{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}}
	for y := range h {
		for x := range w {
			c := color.NRGBA{255, 255, 255, 255}
			if bar := x * len(bars) / w; y > h/4*(bar+1)%h && x%(w/len(bars)) > w/20 {
				c = bars[bar]
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// halves is w×h, its left half red and its right half blue: which way it
// was turned shows.
func halves(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.NRGBA{220, 20, 20, 255}
			if x >= w/2 {
				c = color.NRGBA{20, 20, 220, 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func encodeJPEG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// animation is a GIF of frames frames of w×h.
func animation(t testing.TB, w, h, frames int) []byte {
	t.Helper()
	pal := color.Palette{color.White, color.Black, color.NRGBA{200, 30, 40, 255}}
	g := &gif.GIF{LoopCount: 0}
	for i := range frames {
		fr := image.NewPaletted(image.Rect(0, 0, w, h), pal)
		for y := range h {
			for x := range w {
				if (x/8+i)%3 == 0 {
					fr.SetColorIndex(x, y, 2)
				}
			}
		}
		g.Image = append(g.Image, fr)
		g.Delay = append(g.Delay, 10)
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		t.Fatal(err)
	}
	// A comment extension, which re-encoding must not carry over.
	out := b.Bytes()
	comment := append([]byte{0x21, 0xFE, 18}, []byte("made by PhoneCam X")...)
	comment = append(comment, 0)
	i := 13 // after the logical screen descriptor and any global colour table
	if out[10]&0x80 != 0 {
		i += 3 << (int(out[10]&7) + 1)
	}
	return append(append(append([]byte{}, out[:i]...), comment...), out[i:]...)
}

// withEXIF puts an EXIF segment after a JPEG's SOI: the orientation, a
// camera make and a GPS position, as a phone writes them.
func withEXIF(jpg []byte, orientation uint16) []byte {
	le := binary.LittleEndian
	var t bytes.Buffer
	t.WriteString("II*\x00")
	binary.Write(&t, le, uint32(8))
	// IFD0 at 8: three entries, then the next-IFD offset.
	const ifd0 = 8
	makeOff := ifd0 + 2 + 3*12 + 4
	makeStr := "PhoneCam X\x00"
	gpsOff := makeOff + len(makeStr)
	binary.Write(&t, le, uint16(3))
	entry := func(tag, typ uint16, count, value uint32) {
		binary.Write(&t, le, tag)
		binary.Write(&t, le, typ)
		binary.Write(&t, le, count)
		binary.Write(&t, le, value)
	}
	entry(0x010F, 2, uint32(len(makeStr)), uint32(makeOff)) // Make
	entry(0x0112, 3, 1, uint32(orientation))                // Orientation
	entry(0x8825, 4, 1, uint32(gpsOff))                     // GPS IFD
	binary.Write(&t, le, uint32(0))
	t.WriteString(makeStr)
	// GPS IFD: latitude ref and latitude (three rationals).
	latOff := gpsOff + 2 + 2*12 + 4
	binary.Write(&t, le, uint16(2))
	entry(0x0001, 2, 2, uint32('N'))
	entry(0x0002, 5, 3, uint32(latOff))
	binary.Write(&t, le, uint32(0))
	for _, v := range []uint32{40, 1, 42, 1, 4612, 100} { // 40° 42' 46.12"
		binary.Write(&t, le, v)
	}
	seg := append([]byte("Exif\x00\x00"), t.Bytes()...)
	app1 := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(app1[2:], uint16(len(seg)+2))
	out := append([]byte{}, jpg[:2]...)
	out = append(out, app1...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// pngHeader is a PNG that claims w×h pixels and holds almost nothing.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1A\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(data)
		binary.Write(&b, binary.BigEndian, crc.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return b.Bytes()
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// render renders data for the email column with default options.
func render(t testing.TB, p *Processor, data []byte) Rendition {
	t.Helper()
	r, err := p.Render(context.Background(), data, EmailWidth(EmailColumn))
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return r
}

// decoded decodes a rendition with the standard library, as a mail client
// would, and checks it is what it says.
func decoded(t testing.TB, r Rendition) image.Image {
	t.Helper()
	img, format, err := image.Decode(bytes.NewReader(r.Data))
	if err != nil {
		t.Fatalf("the rendition does not decode: %v", err)
	}
	if Format(format) != r.Format {
		t.Errorf("rendition says %s, is %s", r.Format, format)
	}
	if b := img.Bounds(); b.Dx() != r.Width || b.Dy() != r.Height {
		t.Errorf("rendition says %d×%d, is %d×%d", r.Width, r.Height, b.Dx(), b.Dy())
	}
	return img
}
