package media

import (
	"bytes"
	"net/http"
	"strings"
)

// Format is an image format masthead accepts.
type Format string

const (
	JPEG Format = "jpeg"
	PNG  Format = "png"
	GIF  Format = "gif"
	WebP Format = "webp"
)

// MIME is the format's media type, the only Content-Type to serve it with.
func (f Format) MIME() string { return "image/" + string(f) }

// Ext is the file name extension for the format, with its dot.
func (f Format) Ext() string {
	if f == JPEG {
		return ".jpg"
	}
	return "." + string(f)
}

// accepted lists what an upload may be, for the refusals.
const accepted = "masthead takes JPEG, PNG, GIF or WebP"

// sniff tells the format from the first bytes of data, or says what the
// content looks like instead: the error for an upload that is no accepted
// image.
func sniff(data []byte) (Format, error) {
	switch {
	case bytes.HasPrefix(data, []byte("\xFF\xD8\xFF")):
		return JPEG, nil
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1A\n")):
		return PNG, nil
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return GIF, nil
	case len(data) >= 12 && bytes.HasPrefix(data, []byte("RIFF")) && string(data[8:12]) == "WEBP":
		return WebP, nil
	}
	return "", notAccepted(data)
}

// notAccepted words the refusal of content that is not one of the formats.
func notAccepted(data []byte) error {
	head := data[:min(len(data), 1024)]
	lower := strings.ToLower(string(head))
	unsupported := func(what, advice string) error {
		return refuse(ErrUnsupported, "not accepted: looks like "+what+"; "+advice)
	}
	notImage := func(what string) error {
		return refuse(ErrNotImage, "not an image: looks like "+what+"; "+accepted)
	}
	if len(data) >= 12 && string(data[4:8]) == "ftyp" {
		switch string(data[8:12]) {
		case "heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1":
			return unsupported("HEIC (an iPhone photo)", "export it as JPEG")
		case "avif", "avis":
			return unsupported("AVIF", "export it as JPEG or PNG")
		}
		return notImage("a video")
	}
	switch {
	case len(data) == 0:
		return refuse(ErrNotImage, "not an image: the file is empty")
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return notImage("PDF")
	case strings.Contains(lower, "<svg"):
		return unsupported("SVG (a drawing that can carry scripts)", "export it as PNG")
	case bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")):
		return unsupported("TIFF", "export it as JPEG or PNG")
	case bytes.HasPrefix(data, []byte("BM")) && len(data) > 14:
		return unsupported("BMP", "export it as PNG")
	case bytes.HasPrefix(data, []byte("8BPS")):
		return unsupported("a Photoshop document", "export it as JPEG or PNG")
	case bytes.HasPrefix(data, []byte("\x00\x00\x01\x00")):
		return unsupported("an icon (ICO)", "export it as PNG")
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return notImage("a ZIP archive or an office document")
	case len(data) >= 12 && bytes.HasPrefix(data, []byte("RIFF")):
		return notImage("audio or video (RIFF)")
	}
	switch ct := http.DetectContentType(head); {
	case strings.HasPrefix(ct, "text/html"):
		return notImage("a web page (HTML)")
	case strings.HasPrefix(ct, "text/xml"):
		return notImage("XML")
	case strings.HasPrefix(ct, "text/"):
		return notImage("text")
	case strings.HasPrefix(ct, "image/"):
		return unsupported(strings.ToUpper(strings.TrimPrefix(ct, "image/")), accepted)
	case ct != "application/octet-stream":
		return notImage(ct)
	}
	return refuse(ErrNotImage, "not an image: its content is no format masthead knows; "+accepted)
}
