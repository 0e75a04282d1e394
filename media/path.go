package media

import (
	"strconv"
	"strings"
)

// PathPrefix is where the web edition serves renditions.
const PathPrefix = "/media/"

// Path is the address, on the web edition, of the rendition width pixels
// wide, in format f, of the image whose original has the SHA-256 sha:
// /media/{sha}-{width}.{ext}. It names the content, so it never changes
// and may be cached for good.
func Path(sha string, width int, f Format) string {
	return PathPrefix + sha + "-" + strconv.Itoa(width) + f.Ext()
}

// ParsePath reads a Path (also inside an absolute URL, after its host):
// the original's SHA-256, the width and the format; ok is false for any
// other address.
func ParsePath(p string) (sha string, width int, f Format, ok bool) {
	i := strings.Index(p, PathPrefix)
	if i < 0 {
		return "", 0, "", false
	}
	name := p[i+len(PathPrefix):]
	if j := strings.IndexAny(name, "?#"); j >= 0 {
		name = name[:j]
	}
	dot := strings.LastIndexByte(name, '.')
	dash := strings.LastIndexByte(name, '-')
	if dot < 0 || dash < 0 || dash > dot || dash != 64 {
		return "", 0, "", false
	}
	sha = strings.ToLower(name[:dash])
	for _, c := range sha {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return "", 0, "", false
		}
	}
	width, err := strconv.Atoi(name[dash+1 : dot])
	if err != nil || width <= 0 || strconv.Itoa(width) != name[dash+1:dot] {
		return "", 0, "", false
	}
	switch ext := name[dot:]; ext {
	case ".jpg":
		f = JPEG
	case ".png", ".gif", ".webp":
		f = Format(ext[1:])
	default:
		return "", 0, "", false
	}
	return sha, width, f, true
}
