package media

import "errors"

// Kinds of refusal, to tell apart with errors.Is. The error returned is an
// *Error whose text says, in words for the person uploading, what is wrong.
var (
	// ErrNotImage: the content is no image (a PDF, a web page, text ...).
	ErrNotImage = errors.New("not an image")
	// ErrUnsupported: an image in a format masthead does not take (SVG,
	// HEIC, TIFF, BMP, animated WebP ...).
	ErrUnsupported = errors.New("image format not accepted")
	// ErrTooLarge: more bytes than Options.MaxBytes.
	ErrTooLarge = errors.New("too large")
	// ErrTooManyPixels: more pixels than Options.MaxPixels, or a side
	// longer than MaxSide.
	ErrTooManyPixels = errors.New("too many pixels")
	// ErrDamaged: the header says it is an image but it does not decode
	// (truncated, corrupt).
	ErrDamaged = errors.New("damaged image")
)

// Error is a refusal: Msg for the person uploading, Kind for errors.Is.
type Error struct {
	Kind error
	Msg  string
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Kind }

func refuse(kind error, msg string) error { return &Error{Kind: kind, Msg: msg} }
