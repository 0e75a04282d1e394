package media_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"strings"

	"masthead/media"
)

// An upload, as the admin handles it: read within the limit, check by
// content, keep by hash, render for the email column and write its width
// and height attributes.
func Example() {
	var upload bytes.Buffer // a 3000×2000 photo
	jpeg.Encode(&upload, image.NewRGBA(image.Rect(0, 0, 3000, 2000)), nil)

	p := media.New(media.Options{})
	data, err := p.Read(&upload, int64(upload.Len()))
	if err != nil {
		fmt.Println(err) // "too large: 31 MB, the limit is 20 MB"
		return
	}
	info, err := p.Inspect(data)
	if err != nil {
		fmt.Println(err) // "not an image: looks like PDF; masthead takes ..."
		return
	}
	r, err := p.Render(context.Background(), data, media.EmailWidth(media.EmailColumn))
	if err != nil {
		fmt.Println(err)
		return
	}
	w, h := media.DisplaySize(r.Width, r.Height, media.EmailColumn)
	fmt.Println(info.Format, info.Width, info.Height, len(info.SHA256))
	fmt.Println(r.Format.MIME(), r.Width, r.Height)
	tag := fmt.Sprintf(`<img src="/media/%s%s" width="%d" height="%d" alt="...">`, r.SHA256, r.Format.Ext(), w, h)
	fmt.Println(strings.Replace(tag, r.SHA256, "<sha256 of the rendition>", 1))

	_, err = p.Inspect([]byte("%PDF-1.7\n..."))
	fmt.Println(err)
	// Output:
	// jpeg 3000 2000 64
	// image/jpeg 1200 800
	// <img src="/media/<sha256 of the rendition>.jpg" width="600" height="400" alt="...">
	// not an image: looks like PDF; masthead takes JPEG, PNG, GIF or WebP
}
