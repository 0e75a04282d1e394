package newsletter

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Picture is an image of the library as it is kept: the upload (its
// original), what an editor wrote about it, and the renditions made for
// showing it. The SHA-256 of the original is its identity, so an image
// uploaded twice is one Picture.
type Picture struct {
	ID            int64
	SHA256        string // hex, of the original
	Format        string // "jpeg", "png", "gif" or "webp", of the original
	Width, Height int    // of the original, upright
	Size          int64  // bytes of the original
	Alt           string // what the picture shows, for readers who cannot see it
	Caption       string // caption and credit, shown under it
	CreatedAt     time.Time
	UpdatedAt     time.Time
	// Renditions are the sizes made for showing it, narrowest first; a
	// listing carries them without their bytes.
	Renditions []PictureRendition
}

// PictureRendition is one size of a Picture made for showing: resized,
// upright, re-encoded without metadata.
type PictureRendition struct {
	Width, Height int    // pixels of Data
	Format        string // "jpeg", "png" or "gif"
	SHA256        string // hex, of Data: its ETag
	Size          int64
	Data          []byte // empty in listings
}

// Widest returns the widest rendition no wider than maxWidth, or the
// narrowest one when all are wider; false when there is none.
func (p *Picture) Widest(maxWidth int) (PictureRendition, bool) {
	var fit, narrowest *PictureRendition
	for i := range p.Renditions {
		r := &p.Renditions[i]
		if r.Width <= maxWidth && (fit == nil || r.Width > fit.Width) {
			fit = r
		}
		if narrowest == nil || r.Width < narrowest.Width {
			narrowest = r
		}
	}
	switch {
	case fit != nil:
		return *fit, true
	case narrowest != nil:
		return *narrowest, true
	}
	return PictureRendition{}, false
}

// Limits of a picture's texts.
const (
	MaxAlt     = 300
	MaxCaption = 500
)

// ValidatePictureText checks an alt text and a caption: one line each,
// within their limits. field names the alt text's field in errors ("alt",
// "lead image alt").
func ValidatePictureText(field, alt, caption string) error {
	var errs Errors
	check := func(name, v string, limit int) {
		if problem := OneLineProblem(v); problem != "" {
			errs = append(errs, &FieldError{Field: name, Msg: problem})
		} else if utf8.RuneCountInString(v) > limit {
			errs = append(errs, &FieldError{Field: name, Msg: fmt.Sprintf("is longer than %d characters", limit)})
		}
	}
	check(field, strings.TrimSpace(alt), MaxAlt)
	check("caption", strings.TrimSpace(caption), MaxCaption)
	return errs.orNil()
}
