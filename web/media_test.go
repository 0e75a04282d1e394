package web

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"masthead/media"
)

// A picture of the library, served at the address the library gives it:
// its exact type, cached for good, an ETag that a revalidation answers with
// 304; any other address, or the right hash with the wrong width or
// extension, is a 404.
func TestPictureIsServedCacheable(t *testing.T) {
	e := newEnv(t)
	img := image.NewNRGBA(image.Rect(0, 0, 300, 200))
	for y := range 200 {
		for x := range 300 {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x), 40, uint8(y), uint8(100 + y/2)}) // transparency: stays a PNG
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	pic, _, err := e.work.AddPicture(context.Background(), &b, -1, "A gradient", "")
	if err != nil {
		t.Fatal(err)
	}
	r := pic.Renditions[0]
	path := media.Path(pic.SHA256, r.Width, media.Format(r.Format))
	res, body := e.get(path)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, res.StatusCode)
	}
	for k, want := range map[string]string{
		"Content-Type":           "image/png",
		"Cache-Control":          "public, max-age=31536000, immutable",
		"X-Content-Type-Options": "nosniff",
		"ETag":                   `"` + r.SHA256 + `"`,
	} {
		if got := res.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if cfg, format, err := image.DecodeConfig(strings.NewReader(body)); err != nil || format != "png" || cfg.Width != 300 {
		t.Errorf("served image: %v %s %v", cfg, format, err)
	}
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("If-None-Match", `"`+r.SHA256+`"`)
	if res, _ := e.do(req); res.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %d", res.StatusCode)
	}
	for _, p := range []string{
		media.Path(pic.SHA256, r.Width+1, media.PNG), media.Path(pic.SHA256, r.Width, media.JPEG),
		media.Path(strings.Repeat("0", 64), r.Width, media.PNG), "/media/" + pic.SHA256, "/media/x.png",
	} {
		if res, _ := e.get(p); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d", p, res.StatusCode)
		}
	}
}
