package api

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

func testJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 90, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The library through the API: an upload as a multipart form and again as
// a raw body (the same picture: 200), a PDF refused with what it looks
// like, the list, a changed caption, and an article given the picture as
// its lead image, alt text required.
func TestMediaAPI(t *testing.T) {
	f := newFixture(t)
	photo := testJPEG(t, 1500, 1000)
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	mw.WriteField("alt", "Boats in the harbour")
	fw, _ := mw.CreateFormFile("file", "harbour.jpg")
	fw.Write(photo)
	mw.Close()
	code, body := f.do(t, f.editor, "POST", "/api/media", mw.FormDataContentType(), form.String())
	if code != http.StatusCreated {
		t.Fatalf("multipart upload: %d %s", code, body)
	}
	var m mediaJSON
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatal(err)
	}
	if m.Alt != "Boats in the harbour" || m.Width != 1500 || len(m.Renditions) != 1 || m.Renditions[0].Width != 1200 ||
		m.URL != "https://planet.example/media/"+m.SHA256+"-1200.jpg" {
		t.Fatalf("upload: %+v", m)
	}
	if code, body := f.do(t, f.editor, "POST", "/api/media?caption=Photo:+L.+Lane", "image/jpeg", string(photo)); code != http.StatusOK ||
		!strings.Contains(body, `"caption": "Photo: L. Lane"`) {
		t.Fatalf("raw upload of the same picture: %d %s", code, body)
	}
	code, body = f.do(t, f.editor, "POST", "/api/media", "image/jpeg", "%PDF-1.7\n...")
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "not an image: looks like PDF") {
		t.Fatalf("a PDF: %d %s", code, body)
	}
	if code, body := f.do(t, f.editor, "GET", "/api/media", "", ""); code != http.StatusOK || !strings.Contains(body, m.SHA256) {
		t.Fatalf("list: %d %s", code, body)
	}
	if code, body := f.do(t, f.editor, "PATCH", "/api/media/1", "application/json", `{"caption":"Photo: J. Olsen"}`); code != http.StatusOK ||
		!strings.Contains(body, `"caption": "Photo: J. Olsen"`) || !strings.Contains(body, `"alt": "Boats in the harbour"`) {
		t.Fatalf("patch: %d %s", code, body)
	}
	code, body = f.do(t, f.editor, "POST", "/api/articles", "application/json",
		`{"date":"2009-07-09","section":"News","title":"Heat","image":"`+m.SHA256[:12]+`","image_alt":"Crowds at the fountain"}`)
	if code != http.StatusCreated || !strings.Contains(body, `"image": "`+m.SHA256+`"`) || !strings.Contains(body, `"image_alt": "Crowds at the fountain"`) {
		t.Fatalf("article with a lead image: %d %s", code, body)
	}
	code, body = f.do(t, f.editor, "POST", "/api/articles", "application/json",
		`{"date":"2009-07-09","section":"News","title":"Cold","image":"99"}`)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "no such picture") {
		t.Fatalf("article with an unknown picture: %d %s", code, body)
	}
}
