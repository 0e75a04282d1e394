package media

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"strings"

	"golang.org/x/image/webp"
)

// Defaults of Options.
const (
	DefaultMaxBytes    = 20 << 20
	DefaultMaxPixels   = 50_000_000 // a 50-megapixel camera's full frame
	DefaultJPEGQuality = 82
	// DefaultMaxAnimatedBytes is the largest animated GIF kept animated.
	DefaultMaxAnimatedBytes = 2 << 20
	// DefaultConcurrent is how many images a Processor decodes at once.
	DefaultConcurrent = 2
)

// MaxSide is the longest side accepted, in pixels, whatever the pixel count.
const MaxSide = 20000

// Options bound a Processor. A zero field takes its default.
type Options struct {
	MaxBytes  int64 // largest upload, in bytes
	MaxPixels int64 // most pixels (width × height) an image may have
	// JPEGQuality is the quality of JPEG renditions (1 to 100).
	JPEGQuality int
	// MaxAnimatedBytes is the largest animated GIF kept animated; a larger
	// one becomes a still of its first frame.
	MaxAnimatedBytes int64
	// Concurrent bounds the decodes under way at once: each may hold up to
	// about 4 bytes a pixel (200 MB at the default MaxPixels).
	Concurrent int
}

func (o Options) withDefaults() Options {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxPixels <= 0 {
		o.MaxPixels = DefaultMaxPixels
	}
	if o.JPEGQuality <= 0 || o.JPEGQuality > 100 {
		o.JPEGQuality = DefaultJPEGQuality
	}
	if o.MaxAnimatedBytes <= 0 {
		o.MaxAnimatedBytes = DefaultMaxAnimatedBytes
	}
	if o.Concurrent <= 0 {
		o.Concurrent = DefaultConcurrent
	}
	return o
}

// Processor checks and renders images within its Options. It is safe for
// concurrent use; make one and share it, so that its bound on concurrent
// decodes holds.
type Processor struct {
	opts  Options
	slots chan struct{}
}

// New returns a Processor bounded by opts.
func New(opts Options) *Processor {
	opts = opts.withDefaults()
	return &Processor{opts: opts, slots: make(chan struct{}, opts.Concurrent)}
}

// Info is what Inspect learns about an image without decoding it.
type Info struct {
	Format        Format
	Width, Height int // as stored, before any EXIF orientation
	// Orientation is the EXIF orientation of a JPEG (1 upright ... 8), 1
	// for every other image.
	Orientation int
	Animated    bool  // a GIF of more than one frame
	Size        int64 // bytes
	// SHA256 is the hex SHA-256 of the bytes: the image's identity.
	SHA256 string
}

// Upright is the size of the image as shown, once turned by its
// orientation.
func (i Info) Upright() (width, height int) {
	if i.Orientation >= 5 {
		return i.Height, i.Width
	}
	return i.Width, i.Height
}

// Read reads an upload of size bytes (-1 when unknown) from r, refusing it
// with ErrTooLarge, unread when size says so, past Options.MaxBytes.
func (p *Processor) Read(r io.Reader, size int64) ([]byte, error) {
	if size > p.opts.MaxBytes {
		return nil, p.tooLarge(size)
	}
	var buf bytes.Buffer
	if size > 0 {
		buf.Grow(int(size))
	}
	n, err := buf.ReadFrom(io.LimitReader(r, p.opts.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("media: read the upload: %w", err)
	}
	if n > p.opts.MaxBytes {
		return nil, refuse(ErrTooLarge, "too large: more than the limit of "+megabytes(p.opts.MaxBytes))
	}
	return buf.Bytes(), nil
}

// Inspect checks that data is an image masthead accepts, within the limits,
// from its header alone, and tells its format, size and identity. Every
// refusal is an *Error.
func (p *Processor) Inspect(data []byte) (Info, error) {
	if int64(len(data)) > p.opts.MaxBytes {
		return Info{}, p.tooLarge(int64(len(data)))
	}
	format, err := sniff(data)
	if err != nil {
		return Info{}, err
	}
	cfg, err := decodeConfig(format, data)
	if err != nil {
		return Info{}, damaged(format, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return Info{}, refuse(ErrDamaged, fmt.Sprintf("damaged %s: it claims %d×%d pixels", name(format), cfg.Width, cfg.Height))
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > p.opts.MaxPixels || cfg.Width > MaxSide || cfg.Height > MaxSide {
		return Info{}, refuse(ErrTooManyPixels, fmt.Sprintf("image is %d×%d pixels; the limit is %s and %d pixels a side",
			cfg.Width, cfg.Height, megapixels(p.opts.MaxPixels), MaxSide))
	}
	info := Info{
		Format:      format,
		Width:       cfg.Width,
		Height:      cfg.Height,
		Orientation: 1,
		Size:        int64(len(data)),
		SHA256:      digest(data),
	}
	switch format {
	case JPEG:
		info.Orientation = jpegOrientation(data)
	case GIF:
		info.Animated = gifFrames(data, 2) > 1
	case WebP:
		if webpAnimated(data) {
			return Info{}, refuse(ErrUnsupported, "not accepted: an animated WebP; upload a GIF, or a still image")
		}
	}
	return info, nil
}

// codec is the standard decoder of a format: its header reader and its
// decoder (GIF's gives the first frame).
func codec(f Format) (config func(io.Reader) (image.Config, error), decode func(io.Reader) (image.Image, error)) {
	switch f {
	case JPEG:
		return jpeg.DecodeConfig, jpeg.Decode
	case PNG:
		return png.DecodeConfig, png.Decode
	case GIF:
		return gif.DecodeConfig, gif.Decode
	default:
		return webp.DecodeConfig, webp.Decode
	}
}

func decodeConfig(f Format, data []byte) (image.Config, error) {
	config, _ := codec(f)
	return config(bytes.NewReader(data))
}

func decode(f Format, data []byte) (image.Image, error) {
	_, dec := codec(f)
	return dec(bytes.NewReader(data))
}

// digest is the hex SHA-256 of data: an image's or a rendition's name.
func digest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// webpAnimated reads the animation flag of an extended (VP8X) WebP.
func webpAnimated(data []byte) bool {
	return len(data) >= 21 && string(data[12:16]) == "VP8X" && data[20]&0x02 != 0
}

func (p *Processor) tooLarge(size int64) error {
	return refuse(ErrTooLarge, fmt.Sprintf("too large: %s, the limit is %s", megabytes(size), megabytes(p.opts.MaxBytes)))
}

func damaged(f Format, err error) error {
	return refuse(ErrDamaged, fmt.Sprintf("damaged %s, truncated or corrupt: %v", name(f), err))
}

// name is how a refusal calls the format.
func name(f Format) string {
	if f == WebP {
		return "WebP"
	}
	return strings.ToUpper(string(f))
}

// megabytes writes a size in megabytes, with a decimal when it is not whole
// (kilobytes under one megabyte).
func megabytes(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d kB", (n+1023)>>10)
	}
	mb := fmt.Sprintf("%.1f", float64(n)/(1<<20))
	return strings.TrimSuffix(mb, ".0") + " MB"
}

func megapixels(n int64) string {
	if n%1_000_000 == 0 {
		return fmt.Sprintf("%d megapixels", n/1_000_000)
	}
	return fmt.Sprintf("%d pixels", n)
}
