package media

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"

	"github.com/disintegration/imaging"
)

// EmailColumn is the width of masthead's email column in CSS pixels; its
// renditions are EmailWidth wide at most.
const EmailColumn = 600

// EmailWidth is the width in pixels of a rendition for a column of column
// CSS pixels: twice as many, for high-density screens.
func EmailWidth(column int) int { return 2 * column }

// Rendition is an image made for showing: resized, upright, re-encoded
// without metadata.
type Rendition struct {
	Data          []byte
	Format        Format
	Width, Height int // of Data, in pixels
	// SHA256 is the hex SHA-256 of Data: a stable, cache-friendly name.
	SHA256 string
}

// DisplaySize is the width and height attributes for an image of width ×
// height pixels in a column of column CSS pixels: every rendition is drawn
// at half its pixel width (two pixels to a CSS pixel on high-density
// screens), and never wider than the column.
func DisplaySize(width, height, column int) (w, h int) {
	if width <= 0 || height <= 0 {
		return 0, 0
	}
	w = max(1, min(column, width/2))
	h = max(1, (height*w+width/2)/width)
	return w, h
}

// Render makes the rendition of data at most maxWidth pixels wide (never
// enlarged): upright, without metadata, as JPEG, PNG or (a small animation)
// GIF; see the package comment for which. It checks data as Inspect does and
// decodes it whole, so a truncated or corrupt image is refused here with
// ErrDamaged. It waits for a free decoding slot until ctx ends.
func (p *Processor) Render(ctx context.Context, data []byte, maxWidth int) (Rendition, error) {
	info, err := p.Inspect(data)
	if err != nil {
		return Rendition{}, err
	}
	if maxWidth <= 0 {
		return Rendition{}, fmt.Errorf("media: rendition width %d", maxWidth)
	}
	select {
	case p.slots <- struct{}{}:
		defer func() { <-p.slots }()
	case <-ctx.Done():
		return Rendition{}, ctx.Err()
	}
	if info.Animated && info.Size <= p.opts.MaxAnimatedBytes && info.Width <= maxWidth {
		if r, ok, err := p.animation(data, info); ok || err != nil {
			return r, err
		}
	}
	img, err := decode(info.Format, data)
	if err != nil {
		return Rendition{}, damaged(info.Format, err)
	}
	opaque := isOpaque(img)

	// Resize before turning upright: the turn then works on the small image.
	var small image.Image = img
	if w, _ := info.Upright(); w > maxWidth {
		if info.Orientation >= 5 { // stored on its side: its height is shown as width
			small = imaging.Resize(img, 0, maxWidth, imaging.Lanczos)
		} else {
			small = imaging.Resize(img, maxWidth, 0, imaging.Lanczos)
		}
	}
	small = upright(small, info.Orientation)

	var out bytes.Buffer
	format := PNG
	switch {
	case !opaque:
		err = png.Encode(&out, small)
	case info.Format == JPEG:
		format = JPEG
		err = p.encodeJPEG(&out, small)
	default:
		format, err = p.smaller(&out, small)
	}
	if err != nil {
		return Rendition{}, fmt.Errorf("media: encode the rendition: %w", err)
	}
	b := small.Bounds()
	return rendition(out.Bytes(), format, b.Dx(), b.Dy()), nil
}

// animation re-encodes a small animated GIF whole, which drops its comments
// and application data but keeps its frames, timing and loop count. ok is
// false when its frames together hold more than MaxPixels: it is rendered as
// a still.
func (p *Processor) animation(data []byte, info Info) (r Rendition, ok bool, err error) {
	frames := gifFrames(data, int(p.opts.MaxPixels/(int64(info.Width)*int64(info.Height)))+1)
	if int64(frames)*int64(info.Width)*int64(info.Height) > p.opts.MaxPixels {
		return Rendition{}, false, nil
	}
	g, err := gif.DecodeAll(bytes.NewReader(data))
	if err != nil {
		return Rendition{}, false, damaged(GIF, err)
	}
	var out bytes.Buffer
	if err := gif.EncodeAll(&out, g); err != nil {
		return Rendition{}, false, fmt.Errorf("media: encode the animation: %w", err)
	}
	return rendition(out.Bytes(), GIF, g.Config.Width, g.Config.Height), true, nil
}

// smaller encodes an opaque image as both PNG and JPEG and keeps the
// smaller: PNG for flat colours and text, JPEG for photographs.
func (p *Processor) smaller(out *bytes.Buffer, img image.Image) (Format, error) {
	var asJPEG bytes.Buffer
	if err := png.Encode(out, img); err != nil {
		return "", err
	}
	if err := p.encodeJPEG(&asJPEG, img); err != nil {
		return "", err
	}
	if asJPEG.Len() < out.Len() {
		out.Reset()
		out.Write(asJPEG.Bytes())
		return JPEG, nil
	}
	return PNG, nil
}

// encodeJPEG encodes an opaque image. An opaque NRGBA has the bytes of an
// RGBA (premultiplying by full alpha changes nothing), and image/jpeg reads
// an RGBA directly where it would box every pixel of an NRGBA.
func (p *Processor) encodeJPEG(out *bytes.Buffer, img image.Image) error {
	if n, ok := img.(*image.NRGBA); ok {
		img = &image.RGBA{Pix: n.Pix, Stride: n.Stride, Rect: n.Rect}
	}
	return jpeg.Encode(out, img, &jpeg.Options{Quality: p.opts.JPEGQuality})
}

func rendition(data []byte, f Format, w, h int) Rendition {
	return Rendition{Data: data, Format: f, Width: w, Height: h, SHA256: digest(data)}
}

// isOpaque says whether every pixel of img is fully opaque.
func isOpaque(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	return true
}

// upright turns img by an EXIF orientation (TIFF 6.0, tag 0x0112).
func upright(img image.Image, orientation int) image.Image {
	switch orientation {
	case 2:
		return imaging.FlipH(img)
	case 3:
		return imaging.Rotate180(img)
	case 4:
		return imaging.FlipV(img)
	case 5:
		return imaging.Transpose(img)
	case 6:
		return imaging.Rotate270(img)
	case 7:
		return imaging.Transverse(img)
	case 8:
		return imaging.Rotate90(img)
	}
	return img
}
